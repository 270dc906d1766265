/* Citizen chat page of the public portal. Plain JS, no libraries, no build step.
 * Server text only ever reaches the page through textContent / createElement (never innerHTML),
 * so HTML in any field shows as text. Sections: strings, helpers, rendering, conversation, API, init. */
(() => {
  "use strict";

  const MAX_LEN = 2000, POLL_MS = 3000, TIMEOUT_MS = 30000, REQUEST_HUMAN = "/request_human";
  const SUPPLEMENT = "dossier-supplement:";  // a button that opens the supplement card (api/dossiers/notify.py)
  const KEY_LANG = "helpdesk.lang", KEY_CONV = "helpdesk.conversation_id";  // localStorage, sessionStorage

  // ---- UI strings (the page's only source of UI text; templates carry data-i18n keys) ----------------
  const I18N = {
    vi: {
      portalName: "Cổng Dịch vụ công — Trợ lý ảo", skip: "Bỏ qua, đến khung trò chuyện", chatTitle: "Hỏi đáp thủ tục hành chính",
      toggleLabel: "VI | EN: Chuyển sang tiếng Anh (Switch to English)",
      footer: "Thông tin chỉ mang tính hướng dẫn; văn bản gốc được dẫn nguồn có giá trị pháp lý.",
      chatIntro: "Câu trả lời dựa trên hướng dẫn thủ tục chính thức, có dẫn nguồn.",
      logLabel: "Nội dung trò chuyện", inputLabel: "Câu hỏi của bạn", placeholder: "Ví dụ: Làm hộ chiếu cần giấy tờ gì?",
      hint: "Nhấn Enter để gửi, Shift+Enter để xuống dòng.", send: "Gửi", counter: "{n}/{max}", newTab: "(mở trong thẻ mới)",
      typing: "Trợ lý đang trả lời…", you: "Bạn", bot: "Trợ lý ảo", agent: "Tổng đài viên", notSent: "Chưa gửi được",
      welcome: "Xin chào! Tôi là trợ lý ảo của Cổng Dịch vụ công. Tôi có thể hướng dẫn bạn về thủ tục hành chính: " +
        "giấy tờ cần chuẩn bị, lệ phí, thời hạn và nơi nộp. Bạn cần hỗ trợ gì?",
      suggestions: ["Đăng ký thường trú cần giấy tờ gì?", "Làm lại căn cước bị mất"], requestHuman: "Gặp tổng đài viên",
      sec_steps: "Các bước thực hiện", sec_documents: "Thành phần hồ sơ", sec_channels: "Cách thức thực hiện",
      sec_where: "Nơi thực hiện", sec_conditions: "Điều kiện", sec_result: "Kết quả", sec_legal: "Căn cứ pháp lý",
      related: "Thủ tục liên quan", col_channel: "Hình thức", col_time: "Thời hạn", col_fee: "Phí, lệ phí", col_note: "Ghi chú",
      citation: "Nguồn: {title} (mã {code})", updated: " · cập nhật {date}", online: "Nộp trực tuyến",
      fbAsk: "Câu trả lời có hữu ích không?", fbUp: "Hữu ích", fbDown: "Chưa hữu ích", fbThanks: "Cảm ơn bạn đã góp ý!",
      fbError: "Chưa gửi được góp ý, vui lòng thử lại.", errSend: "Xin lỗi, chưa gửi được tin nhắn: {detail}",
      errGeneric: "Xin lỗi, hệ thống đang bận nên chưa gửi được tin nhắn. Vui lòng thử lại sau ít phút.",
      errNetwork: "Xin lỗi, không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      expired: "Phiên trò chuyện trước đã kết thúc. Tin nhắn tiếp theo sẽ bắt đầu cuộc trò chuyện mới.",
      state_waiting: "Đang chờ kết nối với tổng đài viên…", state_agent: "Bạn đang trò chuyện với tổng đài viên.",
      state_closed: "Cuộc trò chuyện đã kết thúc. Gửi tin nhắn mới để bắt đầu lại.",
      login: "Đăng nhập bằng định danh điện tử", logout: "Đăng xuất", signedInAs: "Đã đăng nhập: {name}", edit: "Sửa",
      fromIdentity: "Từ định danh điện tử", fromCitizen: "Bạn nhập", downloadPdf: "Tải tờ khai (PDF)", viewJson: "Xem dữ liệu (JSON)",
      queuePos: "Bạn đang ở vị trí số {n} trong hàng chờ.", queueWait: " Thời gian chờ dự kiến khoảng {m} phút.",
      queueNoAgent: " Hiện chưa có tổng đài viên trực tuyến.", queueClosed: " Tổng đài đang ngoài giờ làm việc.",
      cbOffer: "Bạn có muốn được gọi lại thay vì chờ?", cbPhone: "Số điện thoại", cbTime: "Thời gian thuận tiện (ví dụ: sáng mai)",
      cbConsent: "Tôi đồng ý để Cổng lưu số điện thoại này và gọi lại cho tôi.", cbSend: "Yêu cầu gọi lại",
      cbDone: "Đã ghi nhận yêu cầu gọi lại.", rateAsk: "Đánh giá của bạn (1 = rất không hài lòng, 5 = rất hài lòng)",
      rateStar: "{n} trên 5", rateComment: "Góp ý thêm (không bắt buộc)", rateSend: "Gửi đánh giá", rateThanks: "Cảm ơn bạn đã đánh giá!",
      remAsk: "Cổng có thể xem {fields} trong dữ liệu định danh điện tử của bạn để nhắc khi cần cấp đổi thẻ căn cước, " +
        "làm hộ chiếu mới hoặc gia hạn tạm trú. Chỉ đọc những mục này, chỉ để nhắc hạn, và bạn rút lại được bất cứ lúc nào. " +
        "Bạn có đồng ý không?",
      remYes: "Đồng ý kiểm tra", remNo: "Không, cảm ơn", remDeclined: "Đã ghi nhận: Cổng không đọc dữ liệu định danh của bạn để nhắc hạn.",
      remGranted: "Nhắc hạn từ định danh điện tử ({fields}), theo sự đồng ý của bạn.", remNothing: " Hiện chưa có việc gì đến hạn.",
      remRevoke: "Rút lại đồng ý", remRevoked: "Đã rút lại sự đồng ý: Cổng không đọc dữ liệu định danh của bạn để nhắc hạn nữa.",
      reminderForm: "Điền tờ khai", reminderGuide: "Xem hướng dẫn thủ tục", lkCode: "Mã hồ sơ", lkPhone: "Số điện thoại trên hồ sơ", lkSend: "Tra cứu", lkExpected: "Ngày hẹn trả kết quả: {d}",
      supTitle: "Bổ sung hồ sơ {code}", supReason: "Lý do: {r}", supDocs: "Đánh dấu giấy tờ bạn gửi bổ sung:",
      supNote: "Ghi chú cho cán bộ (không bắt buộc)", supSend: "Gửi bổ sung", supDone: "Đã gửi bổ sung. Hồ sơ được chuyển xử lý tiếp.",
    },
    en: {
      portalName: "Public Service Portal — Virtual Assistant", chatTitle: "Ask about administrative procedures",
      toggleLabel: "VI | EN: Chuyển sang tiếng Việt (Switch to Vietnamese)",
      footer: "Information is for guidance only; the cited official guide prevails.", skip: "Skip to the conversation",
      chatIntro: "Answers are based on the official procedure guides, with their source.",
      logLabel: "Conversation", inputLabel: "Your question", placeholder: "E.g. What documents do I need for a passport?",
      hint: "Press Enter to send, Shift+Enter for a new line.", send: "Send", counter: "{n}/{max}", newTab: "(opens in a new tab)",
      typing: "The assistant is typing…", you: "You", bot: "Virtual assistant", agent: "Support agent", notSent: "Not sent",
      welcome: "Hello! I am the virtual assistant of the Public Service Portal. I can guide you through administrative " +
        "procedures: documents to prepare, fees, processing time and where to apply. How can I help?",
      suggestions: ["What documents do I need to register permanent residence?", "Replace a lost ID card"],
      requestHuman: "Talk to a person", sec_steps: "Steps", sec_documents: "Required documents", sec_channels: "How to apply",
      sec_where: "Where to apply", sec_conditions: "Conditions", sec_result: "Result", sec_legal: "Legal basis",
      related: "Related procedures", col_channel: "Channel", col_time: "Processing time", col_fee: "Fee", col_note: "Note",
      citation: "Source: {title} (code {code})", updated: " · updated {date}", online: "Apply online",
      fbAsk: "Was this answer helpful?", fbUp: "Helpful", fbDown: "Not helpful", fbThanks: "Thank you for your feedback!",
      fbError: "Your feedback could not be sent, please try again.", errSend: "Sorry, your message could not be sent: {detail}",
      errGeneric: "Sorry, the service is busy and your message was not sent. Please try again in a few minutes.",
      errNetwork: "Sorry, the server could not be reached. Please check your connection and try again.",
      expired: "The previous conversation has ended. Your next message will start a new one.",
      state_waiting: "Waiting for a support agent to join…", state_agent: "You are chatting with a support agent.",
      state_closed: "The conversation has ended. Send a new message to start again.",
      login: "Sign in with digital identity", logout: "Sign out", signedInAs: "Signed in: {name}", edit: "Change",
      fromIdentity: "From digital identity", fromCitizen: "Typed by you", downloadPdf: "Download the form (PDF)", viewJson: "View data (JSON)",
      queuePos: "You are number {n} in the queue.", queueWait: " Estimated wait: about {m} min.",
      queueNoAgent: " No agent is online right now.", queueClosed: " The call center is outside working hours.",
      cbOffer: "Would you like us to call you back instead of waiting?", cbPhone: "Phone number",
      cbTime: "A convenient time (e.g. tomorrow morning)", cbConsent: "I agree that the portal stores this number to call me back.",
      cbSend: "Request a callback", cbDone: "Your callback request is recorded.",
      rateAsk: "Your rating (1 = very unhappy, 5 = very happy)", rateStar: "{n} out of 5", rateComment: "Comment (optional)",
      rateSend: "Send rating", rateThanks: "Thank you for your rating!",
      remAsk: "The portal can look at your {fields} in your digital identity data to remind you when your ID card must be " +
        "renewed, your passport replaced or your temporary residence extended. Only these are read, only for reminders, and you " +
        "can withdraw at any time. Do you agree?",
      remYes: "Allow the check", remNo: "No, thanks", remDeclined: "Noted: the portal does not read your identity data for reminders.",
      remGranted: "Reminders from your digital identity ({fields}), with your consent.", remNothing: " Nothing is due at the moment.",
      remRevoke: "Withdraw consent", remRevoked: "Consent withdrawn: the portal no longer reads your identity data for reminders.",
      reminderForm: "Fill in the form", reminderGuide: "See the procedure's guide", lkCode: "Dossier code", lkPhone: "Phone number on the dossier", lkSend: "Look up", lkExpected: "Expected result date: {d}",
      supTitle: "Supplement dossier {code}", supReason: "Reason: {r}", supDocs: "Tick the documents you are supplying:",
      supNote: "Note for the officer (optional)", supSend: "Send supplement", supDone: "Supplement sent. The dossier goes back to processing.",
    },
  };

  // aspect of the question → card section to highlight
  const ASPECT_SECTION = { fee: "channels", time: "channels", online: "channels", documents: "documents", steps: "steps",
    where: "where", conditions: "conditions", result: "result" };
  const state = { lang: "vi", langChosen: false, conversationId: null, lastId: null, chatState: null,
    busy: false, polling: false, seen: new Set(), echoes: [], welcome: null, titles: new Map(), socket: null, callbackForm: null };
  let ui = null;  // the page's elements, set by init()

  // ---- helpers ------------------------------------------------------------------------------
  function t(key, vars) {
    const s = I18N[state.lang][key] !== undefined ? I18N[state.lang][key] : I18N.vi[key];
    return typeof s === "string" && vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
  }

  /** Read (value omitted), write, or remove (value null) a key; storage may be unavailable. */
  function store(area, key, value) {
    try {
      if (value === undefined) return window[area].getItem(key);
      if (value === null) window[area].removeItem(key); else window[area].setItem(key, value);
    } catch (e) { /* private mode / storage disabled: keep it in memory only */ }
    return null;
  }

  const { el } = Helpdesk;  // dom.js

  function safeUrl(raw) {  // only http(s) links, never javascript: and friends
    try { const u = new URL(String(raw), window.location.href); return raw && /^https?:$/.test(u.protocol) ? u.href : null; }
    catch (e) { return null; }
  }
  function extLink(href, text, cls, testid) {
    const url = safeUrl(href);
    return url ? el("a", { href: url, target: "_blank", rel: "noopener", class: cls, "data-testid": testid,
      "aria-describedby": "newtab-hint", text }) : el("span", { class: cls, "data-testid": testid, text });
  }

  function fmtDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
    return !m ? String(iso || "") : state.lang === "vi" ? `${m[3]}/${m[2]}/${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`;
  }
  function fmtTime(iso) {
    const d = new Date(iso || NaN), locale = state.lang === "vi" ? "vi-VN" : "en-GB";
    return isNaN(d.getTime()) ? null : d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  }
  const nonEmpty = (list) => (Array.isArray(list) && list.length ? list : null);

  // ---- rendering ----------------------------------------------------------------------------
  const addNode = (node) => ui.log.insertBefore(node, ui.typing);
  const notice = (text) => addNode(el("div", { class: "notice", "data-testid": "system-notice", text }));

  function shell(sender, createdAt) {
    const who = { citizen: "you", agent: "agent" }[sender] || "bot", time = fmtTime(createdAt);
    const meta = el("div", { class: "msg__meta" }, el("span", { class: "msg__who", text: t(who) }),
      time ? el("time", { datetime: createdAt, text: time }) : null);
    const body = el("div", { class: "msg__body" }), node = el("div", { class: `msg msg--${who === "you" ? "citizen" : who}`,
      "data-testid": "chat-message", "data-sender": sender }, meta, body);
    return { node, body };
  }

  function buttonRow(buttons) {
    const row = el("div", { class: "chips" });
    for (const b of buttons) {
      const payload = (b && (b.payload || b.title)) || "", title = (b && (b.title || b.payload)) || "";
      state.titles.set(payload, title);  // a reloaded transcript shows a button's title, not its payload
      const supplement = payload.startsWith(SUPPLEMENT) ? payload.slice(SUPPLEMENT.length) : null;
      const click = supplement ? (e) => openSupplement(e.currentTarget, supplement) : () => send(payload, title);
      if (payload) row.append(el("button", { type: "button", class: "chip", "data-testid": "chat-button",
        "data-payload": payload, text: title, on: { click } }));
    }
    return row.childElementCount ? row : null;
  }
  function documentsSection(groups) {
    return nonEmpty(groups) && el("div", {}, groups.map((g) => [
      g.case ? el("p", { class: "card__case", text: g.case }) : null,
      el("ul", {}, (g.items || []).map((item) => el("li", { text: item })))]));
  }
  function channelsSection(channels) {
    const cols = [["col_channel", (c) => c.label || c.kind], ["col_time", (c) => c.time],
      ["col_fee", (c) => c.fee], ["col_note", (c) => c.note]];
    return nonEmpty(channels) && el("table", { class: "card__table" },
      el("thead", {}, el("tr", {}, cols.map(([k]) => el("th", { scope: "col", text: t(k) })))),
      el("tbody", {}, channels.map((c) => el("tr", {}, cols.map(([k, get], i) =>
        el(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, "data-label": t(k), text: get(c) || "—" }))))));
  }

  function guideCard(g, aspect) {
    const text = (s) => (s ? el("p", { class: "card__text", text: s }) : null);
    const sections = [
      ["steps", nonEmpty(g.steps) && el("ol", {}, g.steps.map((s) => el("li", { text: s })))],
      ["documents", documentsSection(g.documents)],
      ["channels", channelsSection(g.channels)],
      ["where", text(g.where)], ["conditions", text(g.conditions)], ["result", text(g.result)],
      ["legal", nonEmpty(g.legal_basis) && el("ul", {}, g.legal_basis.map((l) =>
        el("li", {}, el("strong", { text: l.number || "" }), l.title ? ` ${l.title}` : "")))],
    ];
    const card = el("section", { class: "card", "data-testid": "answer-card", "data-code": g.code,
      "data-version": g.version }, el("h2", { class: "card__title", text: g.title }), text(g.summary));
    for (const [key, content] of sections) {
      if (content) card.append(el("section", { class: `card__section${key === ASPECT_SECTION[aspect] ? " is-focus" : ""}`,
        "data-section": key }, el("h3", { class: "card__heading", text: t(`sec_${key}`) }), content));
    }
    const cite = t("citation", { title: g.title, code: g.code })
      + (g.updated_at ? t("updated", { date: fmtDate(g.updated_at) }) : "");
    card.append(el("footer", { class: "card__footer" }, extLink(g.source_url, cite, "card__cite", "answer-citation"),
      safeUrl(g.online_url) ? extLink(g.online_url, t("online"), "btn btn--online", "answer-online") : null));
    return card;
  }

  function feedback(messageId) {
    const conversationId = state.conversationId;  // the answer's own conversation, even if a new one starts later
    const note = el("span", { class: "feedback__note" });
    const mk = (helpful) => el("button", { type: "button", class: "fb", "aria-pressed": "false",
      "data-testid": helpful ? "feedback-up" : "feedback-down", on: { click: () => submit(helpful) } },
    el("span", { "aria-hidden": "true", text: helpful ? "👍 " : "👎 " }), t(helpful ? "fbUp" : "fbDown"));
    const up = mk(true), down = mk(false);
    const box = el("div", { class: "feedback", tabindex: "-1" }, el("span", { text: t("fbAsk") }), up, down, note);
    async function submit(helpful) {
      const hadFocus = box.contains(document.activeElement);
      up.disabled = down.disabled = true;
      if (hadFocus) box.focus();  // keep keyboard focus from falling back to <body>
      const res = await api("POST", `/api/chat/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/feedback`, { helpful, reason: null });
      if (res.ok) (helpful ? up : down).setAttribute("aria-pressed", "true");
      if (res.ok) note.textContent = t("fbThanks");
      else if (res.status !== 404 && res.status !== 405) {  // 404/405: endpoint not there yet, stay quiet
        up.disabled = down.disabled = false;
        note.textContent = t("fbError");
      }
    }
    return box;
  }

  function renderAnswer(body, answer, messageId) {
    const guide = answer.guide || null;
    if (guide) body.append(guideCard(guide, answer.aspect));
    const related = (answer.procedures || []).filter((p) => p && (!guide || p.code !== guide.code));
    if (answer.status !== "clarify" && related.length) {  // clarify lists its choices as buttons instead
      body.append(el("div", { class: "related" }, el("p", { class: "related__title", text: t("related") }),
        el("ul", {}, related.map((p) => el("li", {}, extLink(p.url, p.title || p.code, "related__link"))))));
    }
    if (answer.status === "answered" && messageId) body.append(feedback(messageId));
  }

  /** Render one server message; null when already on screen. The citizen's own messages come back by
   *  polling (stored redacted, so not matched by text) and confirm, in order, the bubbles shown on send. */
  function renderMessage(msg, mode) {
    if (!msg || typeof msg !== "object" || (msg.id && state.seen.has(msg.id))) return null;
    if (msg.id) state.seen.add(msg.id);
    if (msg.sender === "citizen" && mode !== "history" && state.echoes.length)
      return state.echoes.shift().setAttribute("data-id", msg.id || "") || null;
    if (msg.kind === "satisfaction") return addNode(ratingForm(msg.text || ""));
    if (msg.sender === "system" || msg.kind === "notice") {  // e.g. "briefly unavailable", with its "talk to a person" button
      const node = notice(msg.text || ""), row = Array.isArray(msg.buttons) && msg.buttons.length ? buttonRow(msg.buttons) : null;
      if (row) node.append(row);
      return node;
    }
    const { node, body } = shell(msg.sender, msg.created_at);
    if (msg.id) node.setAttribute("data-id", msg.id);
    const text = (msg.sender === "citizen" && state.titles.get(msg.text)) || msg.text;
    if (text) body.append(el("p", { class: "msg__text", text }));
    const answer = msg.answer && typeof msg.answer === "object" ? msg.answer : null;
    if (answer) renderAnswer(body, answer, msg.id);
    formExtras(body, msg);
    const buttons = Array.isArray(msg.buttons) ? msg.buttons.slice() : [];
    if (answer && answer.status === "unanswerable" && !buttons.some((b) => b && b.payload === REQUEST_HUMAN))
      buttons.push({ title: t("requestHuman"), payload: REQUEST_HUMAN });
    if (buttons.length) body.append(buttonRow(buttons) || "");
    return addNode(node);
  }

  function renderWelcome() {
    const { node, body } = shell("bot");
    node.classList.add("msg--welcome"); node.setAttribute("data-testid", "welcome");
    const chips = t("suggestions").map((s) => ({ title: s, payload: s }));
    body.append(el("p", { class: "msg__text", text: t("welcome") }),
      buttonRow(chips.concat({ title: t("requestHuman"), payload: REQUEST_HUMAN })));
    return node;
  }

  const nearBottom = () => ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 120;
  /** Scroll to a new message's top (long answer cards read from the start), or to the end.
   *  offsetTop is relative to the log, which is position: relative. */
  const reveal = (node) => { ui.log.scrollTop = node ? node.offsetTop - 8 : ui.log.scrollHeight; };

  // ---- conversation -------------------------------------------------------------------------
  function setConversation(id) {  // null: the next message starts a new conversation
    if ((id || null) === state.conversationId) return;
    [state.conversationId, state.lastId] = [id || null, null];
    if (!id) state.echoes = [];  // bubbles of the old conversation will never be confirmed
    store("sessionStorage", KEY_CONV, id || null);
  }
  function setChatState(s) {
    if (!s) return;
    state.chatState = s;
    ui.status.textContent = s === "bot" ? "" : t(`state_${s}`) || "";
    ui.status.setAttribute("data-state", s);
    if (s === "closed") setConversation(null);  // the next message opens a new conversation
    handoffState(s);
  }

  /** Apply a {conversation_id, state, messages} payload; mode: "reply" | "poll" | "history". Only polls
   *  move the `after` cursor, so nothing stored before a reply is skipped (ids dedupe the overlap). */
  function receive(data, mode) {
    const follow = mode === "reply" || nearBottom();
    let first = null;
    for (const msg of Array.isArray(data.messages) ? data.messages : []) {
      const node = renderMessage(msg, mode);
      first = first || node;
      if (mode !== "reply" && msg && msg.id) state.lastId = msg.id;
    }
    setChatState(data.state);
    if (mode === "history") reveal(null);
    else if (first && follow) reveal(first);
  }

  function setBusy(busy) {
    state.busy = busy;
    if (busy && document.activeElement === ui.send) ui.input.focus();  // don't drop focus on <body>
    [ui.send.disabled, ui.typing.hidden] = [busy, !busy];  // the typing indicator is the log's last child
    if (busy) reveal(null);
  }

  // ---- API ----------------------------------------------------------------------------------
  async function api(method, url, body) {
    try {
      const res = await fetch(url, { method, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined,
        headers: body ? { Accept: "application/json", "Content-Type": "application/json" } : { Accept: "application/json" },
        signal: window.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined });
      const data = await res.json().catch(() => null);  // empty or non-JSON body
      return { ok: res.ok, status: res.status, data };
    } catch (e) { return { ok: false, status: 0, data: null }; }  // offline, timeout…
  }

  function errorText(res) {  // FastAPI: {"detail": "..."} or 422 {"detail": [{"msg": ...}]}
    if (res.status === 0) return t("errNetwork");
    const d = res.data && res.data.detail;
    const detail = typeof d === "string" ? d : Array.isArray(d)
      ? d.map((x) => String((x && x.msg) || "").replace(/^Value error, /, "")).filter(Boolean).join("; ") : "";
    return detail ? t("errSend", { detail }) : t("errGeneric");
  }
  // Replies follow the language of each message (detected by the API) until the citizen picks one
  // with the toggle: from then on that language is asked for explicitly.
  const postMessage = (text) => api("POST", "/api/chat/messages",
    { conversation_id: state.conversationId, text, lang: state.langChosen ? state.lang : null });

  /** Send text; `title` is given for buttons (shown instead of the payload, never put back in the box). */
  async function send(raw, title) {
    const text = String(raw || "").trim(), typed = title === undefined;
    if (!text || state.busy) return;
    const { node: echo, body } = shell("citizen", new Date().toISOString());
    body.append(el("p", { class: "msg__text", text: typed ? text : title }));
    reveal(addNode(echo));
    if (typed) { ui.input.value = ""; updateCounter(); }
    setBusy(true);
    state.echoes.push(echo);
    let res = await postMessage(text);
    if (res.status === 404 && state.conversationId) {  // conversation gone server-side: start a new one
      setConversation(null);
      state.echoes.push(echo);
      res = await postMessage(text);
    }
    setBusy(false);
    if (res.ok && res.data) {
      setConversation(res.data.conversation_id);
      receive(res.data, "reply");
    } else {
      state.echoes = state.echoes.filter((e) => e !== echo);
      echo.classList.add("is-failed");  // keep the bubble, marked as not sent
      echo.firstChild.append(el("span", { class: "msg__failed", text: t("notSent") }));
      reveal(notice(errorText(res)));
      if (typed && !ui.input.value) { ui.input.value = String(raw); updateCounter(); }
    }
    if (!typed && document.activeElement === document.body) ui.input.focus();
  }

  async function poll(quiet) {
    if (!state.conversationId || state.busy || state.polling) return;
    const id = state.conversationId, after = state.lastId ? `?after=${encodeURIComponent(state.lastId)}` : "";
    state.polling = true;
    const res = await api("GET", `/api/chat/${encodeURIComponent(id)}/messages${after}`);
    state.polling = false;
    if (id !== state.conversationId) return;  // a new conversation started meanwhile
    if (res.ok && res.data) receive(res.data, quiet ? "history" : "poll");
    else if (res.status === 404) {
      setConversation(null);
      if (!quiet) reveal(notice(t("expired")));
    }
  }

  // ---- handoff: live push, queue position, callback, rating -------------------------------------
  /** While a person owns the chat, a WebSocket pokes the page as soon as something is stored (polling
   *  stays the fallback and fetches the messages either way), and the queue position is shown. */
  function handoffState(s) {
    const human = s === "waiting" || s === "agent";
    if (human) connectSocket(); else closeSocket();
    if (s === "waiting") refreshQueue(); else if (state.callbackForm) { state.callbackForm.remove(); state.callbackForm = null; }
  }

  function connectSocket() {
    const id = state.conversationId;
    if (!id || !window.WebSocket || (state.socket && state.socket.cid === id)) return;
    closeSocket();
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/chat/${encodeURIComponent(id)}/ws`);
    ws.cid = id; state.socket = ws;
    ws.onmessage = () => { poll(false); window.setTimeout(() => poll(false), 400); };  // again if a poll was in flight
    ws.onclose = () => { if (state.socket === ws) { state.socket = null; window.setTimeout(() => handoffState(state.chatState), 5000); } };
  }
  function closeSocket() {
    const ws = state.socket;
    state.socket = null;
    if (ws) ws.close();
  }

  async function refreshQueue() {
    const id = state.conversationId;
    if (!id) return;
    const res = await api("GET", `/api/chat/${encodeURIComponent(id)}/queue`);
    if (!res.ok || !res.data || id !== state.conversationId || state.chatState !== "waiting") return;
    const q = res.data;
    let text = t("state_waiting");
    if (q.position) text += " " + t("queuePos", { n: q.position });
    if (q.estimated_wait_s !== null && q.estimated_wait_s !== undefined)
      text += t("queueWait", { m: Math.max(1, Math.round(q.estimated_wait_s / 60)) });
    else text += t("queueNoAgent");
    if (!q.open) text += t("queueClosed");
    ui.status.textContent = text;
    ui.status.setAttribute("data-position", q.position || "");
    if (q.offer_callback && !state.callbackForm) reveal((state.callbackForm = addNode(callbackForm())));
  }

  function callbackForm() {
    const phone = el("input", { type: "tel", id: "cb-phone", autocomplete: "tel", required: true, "data-testid": "callback-phone" });
    const time = el("input", { type: "text", id: "cb-time", maxlength: 100, "data-testid": "callback-time" });
    const consent = el("input", { type: "checkbox", id: "cb-consent", "data-testid": "callback-consent" });
    const note = el("p", { class: "feedback__note", role: "status" });
    const form = el("form", { class: "notice handoff-form", "data-testid": "callback-form" },
      el("p", { text: t("cbOffer") }),
      el("label", { for: "cb-phone", text: t("cbPhone") }), phone, el("label", { for: "cb-time", text: t("cbTime") }), time,
      el("label", { class: "handoff-form__consent" }, consent, " ", t("cbConsent")),
      el("button", { type: "submit", class: "btn btn--primary", text: t("cbSend") }), note);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await api("POST", `/api/chat/${encodeURIComponent(state.conversationId)}/callback`,
        { phone: phone.value, preferred_time: time.value, consent: consent.checked });
      note.textContent = res.ok ? t("cbDone") : errorText(res);
      if (res.ok) { form.querySelectorAll("input, button").forEach((n) => { n.disabled = true; }); poll(false); }
    });
    return form;
  }

  function ratingForm(text) {
    let rating = 0;
    const note = el("p", { class: "feedback__note", role: "status" });
    const comment = el("textarea", { rows: 2, maxlength: 1000, "aria-label": t("rateComment"), placeholder: t("rateComment"),
      "data-testid": "rating-comment" });
    const stars = [1, 2, 3, 4, 5].map((n) => el("button", { type: "button", class: "chip", "aria-pressed": "false",
      "aria-label": t("rateStar", { n }), "data-testid": "rating-star", text: String(n), on: { click: () => {
        rating = n;
        stars.forEach((b, i) => b.setAttribute("aria-pressed", String(i + 1 === n)));
      } } }));
    const submit = el("button", { type: "submit", class: "btn btn--primary", text: t("rateSend") });
    const form = el("form", { class: "notice handoff-form", "data-testid": "rating-form" },
      el("p", { text }), el("p", { class: "handoff-form__label", text: t("rateAsk") }), el("div", { class: "chips" }, stars),
      comment, submit, note);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!rating) return;
      const res = await api("POST", `/api/chat/${encodeURIComponent(state.conversationId)}/satisfaction`,
        { rating, comment: comment.value.trim() || null });
      note.textContent = res.ok ? t("rateThanks") : errorText(res);
      if (res.ok || res.status === 409) form.querySelectorAll("button, textarea").forEach((n) => { n.disabled = true; });
    });
    return form;
  }

  // ---- identity and forms -------------------------------------------------------------------
  /** Sign-in state comes from the server: the session cookie is HttpOnly, the page never reads it. */
  async function loadIdentity() {
    const res = await api("GET", "/api/identity/me");
    state.identity = res.ok && res.data ? res.data : { signed_in: false };
    renderIdentity();
    if (state.identity.signed_in && !state.reminded) showReminders();
  }
  /** After sign-in: the reminders (ID card renewal age, passport, temporary residence) once the citizen consented
   * to the identity fields they read; without consent the server reads nothing and says whether to ask (once per sign-in). */
  async function showReminders() {
    state.reminded = true;
    const res = await api("GET", `/api/reminders?lang=${state.lang}`);
    if (res.ok && res.data) renderReminders(res.data);
  }
  function renderReminders(data) {
    const fields = (data.fields || []).map((f) => f.label).join(", ");
    if (data.consent !== "granted") {
      if (data.ask) reveal(addNode(reminderQuestion(fields)));
      return;
    }
    const reminders = Array.isArray(data.reminders) ? data.reminders : [];
    for (const r of reminders) {
      const node = notice(r.text || "");
      node.setAttribute("data-testid", "reminder");
      node.setAttribute("data-kind", r.kind || "");
      const buttons = [];  // the procedure's guide (its answer card) and, where there is one, the form to prefill
      if (r.guide) buttons.push({ title: t("reminderGuide"), payload: `/choose_procedure{"procedure_code":"${r.guide}"}` });
      if (r.form) buttons.push({ title: t("reminderForm"), payload: `/start_form{"form_code":"${r.form}"}` });
      node.append(buttonRow(buttons) || "");
    }
    const status = el("span", { role: "status", "data-testid": "reminders-consent-status" });
    const revoke = el("button", { type: "button", class: "chip", "data-testid": "reminders-consent-revoke", text: t("remRevoke"),
      on: { click: async () => {
        revoke.disabled = true;
        const res = await api("DELETE", `/api/reminders/consent?lang=${state.lang}`);
        if (!res.ok) { revoke.disabled = false; status.textContent = errorText(res); return; }
        ui.log.querySelectorAll("[data-testid=reminder]").forEach((n) => n.remove());
        status.textContent = t("remRevoked");
      } } });
    const granted = notice(t("remGranted", { fields }) + (reminders.length ? "" : t("remNothing")));
    granted.setAttribute("data-testid", "reminders-consent-granted");
    granted.append(" ", revoke, " ", status);
  }
  /** Which identity fields, and why; the answer (a refusal too) is recorded, the reminders follow a yes. */
  function reminderQuestion(fields) {
    const status = el("p", { class: "feedback__note", role: "status", "data-testid": "reminders-consent-status" });
    const box = el("div", { class: "notice", "data-testid": "reminders-consent" }, el("p", { text: t("remAsk", { fields }) }));
    const answer = async (granted) => {
      box.querySelectorAll("button").forEach((n) => { n.disabled = true; });
      const res = await api("POST", "/api/reminders/consent", { granted, lang: state.lang });
      if (!res.ok || !res.data) {
        box.querySelectorAll("button").forEach((n) => { n.disabled = false; });
        status.textContent = errorText(res);
        return;
      }
      status.textContent = granted ? "" : t("remDeclined");
      renderReminders(res.data);
    };
    const choice = (granted) => el("button", { type: "button", class: "chip", "data-testid": `reminders-consent-${granted ? "yes" : "no"}`,
      text: t(granted ? "remYes" : "remNo"), on: { click: () => answer(granted) } });
    box.append(el("div", { class: "chips" }, choice(true), choice(false)), status);
    return box;
  }
  const loginLink = (testid) => el("a", { class: "btn btn--primary", "data-testid": testid, text: t("login"),
    href: `/api/identity/login?next=${encodeURIComponent(window.location.pathname)}` });
  function renderIdentity() {
    if (!state.identity) return;
    const bar = el("div", { class: "identity-bar", "data-testid": "identity-bar" });
    if (state.identity.signed_in) bar.append(el("span", { "data-testid": "identity-name",
      text: t("signedInAs", { name: state.identity.name }) }), " ", el("button", { type: "button", class: "chip",
      "data-testid": "logout-button", text: t("logout"), on: { click: async () => {
        await api("POST", "/api/identity/logout"); loadIdentity(); } } }));
    else bar.append(loginLink("login-button"));
    if (state.identityBar) state.identityBar.replaceWith(bar); else ui.status.parentNode.insertBefore(bar, ui.status);
    state.identityBar = bar;
  }

  /** Form messages carry no values (transcripts stay free of personal data): the page asks the API for them. */
  function formExtras(body, msg) {
    if (msg.kind === "login_required") body.append(el("p", {}, loginLink("chat-login")));
    if (msg.kind === "form_summary") fillFrom(body, "/api/forms/active", summaryCard);
    if (msg.kind === "form_done") fillFrom(body, "/api/applications", (list) => (list.length ? downloads(list[0]) : null));
    if (msg.kind === "dossier_lookup") body.append(lookupForm(), el("p", {}, loginLink("chat-login")));
  }

  // ---- dossiers: lookup by code and phone, the supplement card (docs/dossiers.md) -----------------
  function dossierView(d) {
    const box = el("div", { class: "card", "data-testid": "dossier-view", "data-code": d.code, "data-state": d.state },
      el("p", { class: "card__title", text: `${d.code} — ${d.title}` }), el("p", { "data-testid": "dossier-state", text: d.state_label }),
      el("p", { text: t("lkExpected", { d: fmtDate(d.expected_on) }) }));
    if (d.supplement) box.append(el("p", { text: t("supReason", { r: d.supplement.reason || "" }) }),
      el("ul", {}, (d.supplement.documents || []).map((x) => el("li", { text: x }))));
    if (d.collect) box.append(el("p", { "data-testid": "dossier-collect", text: d.collect }));
    return box;
  }
  function lookupForm() {
    const code = el("input", { type: "text", id: "lk-code", maxlength: 64, autocomplete: "off", required: true, "data-testid": "lookup-code" });
    const phone = el("input", { type: "tel", id: "lk-phone", maxlength: 32, autocomplete: "tel", required: true, "data-testid": "lookup-phone" });
    const out = el("div", { role: "status", "data-testid": "lookup-result" });
    const form = el("form", { class: "notice handoff-form", "data-testid": "lookup-form" },
      el("label", { for: "lk-code", text: t("lkCode") }), code, el("label", { for: "lk-phone", text: t("lkPhone") }), phone,
      el("button", { type: "submit", class: "btn btn--primary", text: t("lkSend") }), out);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await api("POST", "/api/dossiers/lookup", { code: code.value, phone: phone.value, lang: state.lang });
      out.replaceChildren(res.ok && res.data ? dossierView(res.data) : el("p", { class: "feedback__note", text: errorText(res) }));
    });
    return form;
  }
  async function openSupplement(button, code) {
    const res = await api("GET", `/api/dossiers/${encodeURIComponent(code)}?lang=${state.lang}`);
    if (!res.ok || !res.data) { button.after(el("p", { class: "feedback__note", text: errorText(res) })); return; }
    const d = res.data, note = el("textarea", { rows: 2, maxlength: 1000, "aria-label": t("supNote"), placeholder: t("supNote"),
      "data-testid": "supplement-note" });
    const docs = ((d.supplement && d.supplement.documents) || []).map((x) => el("label", { class: "handoff-form__consent" },
      el("input", { type: "checkbox", value: x, checked: true, "data-testid": "supplement-document" }), " ", x));
    const status = el("p", { class: "feedback__note", role: "status", "data-testid": "supplement-status" });
    const form = el("form", { class: "notice handoff-form", "data-testid": "supplement-form" },
      el("p", { text: t("supTitle", { code }) }), d.supplement ? el("p", { text: t("supReason", { r: d.supplement.reason || "" }) }) : null,
      el("p", { text: t("supDocs") }), docs, note, el("button", { type: "submit", class: "btn btn--primary", text: t("supSend") }), status);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const documents = [...form.querySelectorAll("input:checked")].map((n) => n.value);
      const sent = await api("POST", `/api/dossiers/${encodeURIComponent(code)}/supplement`, { documents, note: note.value.trim() });
      status.textContent = sent.ok ? t("supDone") : errorText(sent);
      if (sent.ok) form.querySelectorAll("input, textarea, button").forEach((n) => { n.disabled = true; });
    });
    button.disabled = true;
    reveal(addNode(form));
  }
  async function fillFrom(body, url, render) {
    const res = await api("GET", url);
    const node = res.ok && res.data ? render(res.data) : null;
    if (node) body.append(node);
  }
  const shown = (v) => (Array.isArray(v) ? v.map((row) => Object.values(row).join(", ")).join("; ") : String(v ?? ""));
  function summaryCard(progress) {
    const rows = (progress.fields || []).map((f) => {
      const label = (f.label && (f.label[state.lang] || f.label.vi)) || f.field, vi = (f.label && f.label.vi) || f.field;
      return el("tr", { "data-testid": "summary-row", "data-field": f.field }, el("th", { scope: "row", text: label }),
        el("td", { text: shown(f.value) }), el("td", { text: t(f.source === "identity" ? "fromIdentity" : "fromCitizen") }),
        el("td", {}, el("button", { type: "button", class: "chip", "data-testid": "summary-edit", text: t("edit"),
          on: { click: () => send(`sửa ${vi}`, `${t("edit")}: ${label}`) } })));
    });
    return el("div", { class: "card", "data-testid": "form-summary" }, el("table", { class: "card__table" }, el("tbody", {}, rows)));
  }
  const downloads = (a) => el("p", { class: "card__footer" },
    el("a", { class: "btn btn--primary", href: a.pdf_url, download: "", "data-testid": "application-pdf", text: t("downloadPdf") }), " ",
    el("a", { href: `/api/applications/${encodeURIComponent(a.id)}`, target: "_blank", rel: "noopener",
      "data-testid": "application-json", text: t("viewJson") }));

  // ---- language, composer, start-up -----------------------------------------------------------
  function applyLang(lang) {
    state.lang = I18N[lang] ? lang : "vi";
    document.documentElement.lang = state.lang;
    document.title = t("portalName");
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-label]").forEach((n) => n.setAttribute("aria-label", t(n.dataset.i18nLabel)));
    (ui.toggle ? ui.toggle.querySelectorAll("[data-lang]") : [])
      .forEach((n) => n.classList.toggle("is-active", n.dataset.lang === state.lang));
    updateCounter();
    renderIdentity();
    if (state.chatState) setChatState(state.chatState);
    if (state.welcome) state.welcome.replaceWith((state.welcome = renderWelcome()));
  }

  function updateCounter() {
    const n = ui.input.value.length;
    ui.counter.textContent = t("counter", { n, max: MAX_LEN });
    ui.counter.classList.toggle("is-near", n >= MAX_LEN * 0.9);
    ui.input.style.height = "auto";  // grow with the text, up to the CSS max-height
    ui.input.style.height = `${ui.input.scrollHeight + 2}px`;
  }

  function init() {
    const byId = (id) => document.getElementById(`chat-${id}`);
    ui = { log: byId("log"), typing: byId("typing"), status: byId("status"), form: byId("form"), input: byId("input"),
      send: byId("send"), counter: byId("counter"), toggle: document.querySelector("[data-testid='lang-toggle']") };
    if (!ui.log || !ui.form || !ui.input) return;
    const saved = store("localStorage", KEY_LANG);
    applyLang(I18N[saved] ? saved : document.documentElement.lang);
    state.welcome = addNode(renderWelcome());
    loadIdentity();

    ui.form.addEventListener("submit", (e) => { e.preventDefault(); send(ui.input.value); });
    ui.input.addEventListener("input", updateCounter);
    ui.input.addEventListener("keydown", (e) => {
      // Enter sends, Shift+Enter is a newline; never send mid-composition (Vietnamese IMEs compose)
      if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
      e.preventDefault();
      send(ui.input.value);
    });
    if (ui.toggle) ui.toggle.addEventListener("click", () => {
      applyLang(state.lang === "vi" ? "en" : "vi");
      state.langChosen = true;
      store("localStorage", KEY_LANG, state.lang);
    });

    state.conversationId = store("sessionStorage", KEY_CONV) || null;
    if (state.conversationId) poll(true);  // a reload restores this tab's conversation
    window.setInterval(() => poll(false), POLL_MS);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(false); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
