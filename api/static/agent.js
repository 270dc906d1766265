/* Staff pages: the agent console (/agent) and the supervisor view (/agent/supervisor). Plain JS, no build step.
 * Sign-in and the bearer token: staff.js. Server text reaches the page only through textContent.
 * Sections: helpers, sign-in, console (queues, ticket, live socket), supervisor. */
(() => {
  "use strict";

  const REFRESH_MS = 3000;
  const view = document.body.dataset.view;
  const $ = (id) => document.getElementById(id);
  const state = { me: null, ticket: null, seen: new Set(), socket: null, timer: null };

  // ---- helpers (dom.js, staff.js) ------------------------------------------------------------------
  const { el, detail } = Helpdesk;
  const staff = Helpdesk.staffSession({ onSignedIn: start, onSignedOut });
  const api = staff.api;
  const minutes = (s) => (s < 60 ? `${s} giây` : `${Math.floor(s / 60)} phút ${s % 60} giây`);
  const time = (iso) => { const d = new Date(iso || NaN); return isNaN(d) ? "" : d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }); };

  // ---- sign-in --------------------------------------------------------------------------------------
  function onSignedOut() {
    state.me = null;
    if (state.socket) state.socket.close();
    window.clearInterval(state.timer);
  }

  async function start() {
    const res = await api("GET", "/api/agent/me");
    if (!res.ok) { staff.signOut(); if (res.status !== 401) $("login-error").textContent = detail(res); return; }
    state.me = res.data;
    staff.show(true);
    $("agent-name").textContent = `${state.me.display_name} (${state.me.username})`;
    $("agent-status").value = state.me.status;
    if (view === "supervisor") { refreshSupervisor(); state.timer = window.setInterval(refreshSupervisor, REFRESH_MS); return; }
    if (state.me.status === "offline") setStatus("online");
    refreshConsole();
    state.timer = window.setInterval(refreshConsole, REFRESH_MS);
  }
  async function setStatus(status) {
    const res = await api("PUT", "/api/agent/status", { status });
    if (res.ok) $("agent-status").value = res.data.status;
  }

  // ---- console: queues, my tickets, callbacks -------------------------------------------------------
  async function refreshConsole() {
    const [queues, mine, callbacks] = await Promise.all([api("GET", "/api/agent/queues"),
      api("GET", "/api/agent/tickets?state=assigned&mine=true"), api("GET", "/api/agent/callbacks")]);
    if (queues.ok) $("queues-body").replaceChildren(...queues.data.map((q) => el("tr", { "data-mine": q.mine, "data-queue": `${q.skill}/${q.lang}` },
      el("td", { text: q.skill }), el("td", { text: q.lang }), el("td", { text: String(q.waiting), "data-testid": "queue-waiting" }),
      el("td", { text: q.waiting ? minutes(q.oldest_wait_s) : "—" }))));
    if (mine.ok) $("my-tickets").replaceChildren(...mine.data.map((t) => el("li", { class: state.ticket && state.ticket.id === t.id ? "is-active" : null },
      el("button", { type: "button", class: "chip", text: `#${t.id} · ${t.skill}/${t.lang}`, on: { click: () => openTicket(t.id) } }))));
    if (callbacks.ok) $("callbacks").replaceChildren(...callbacks.data.map(callbackItem));
    if (state.ticket && state.ticket.state === "assigned") loadTicket(state.ticket.id, true);
  }

  function callbackItem(c) {
    const done = (outcome) => async () => { await api("POST", `/api/agent/callbacks/${c.id}/complete`, { outcome }); refreshConsole(); };
    return el("li", {}, el("div", { text: `${c.phone} · ${c.preferred_time} · ${c.skill}/${c.lang}` }),
      el("button", { type: "button", class: "chip", text: "Đã gọi được", on: { click: done("reached") } }), " ",
      el("button", { type: "button", class: "chip", text: "Không nghe máy", on: { click: done("no_answer") } }));
  }

  async function claimNext() {
    const res = await api("POST", "/api/agent/tickets/next");
    $("claim-note").textContent = res.status === 204 ? "Không có cuộc nào đang chờ trong nhóm của bạn." : res.ok ? "" : detail(res);
    if (res.ok && res.data) showTicket(res.data);
    refreshConsole();
  }

  // ---- console: the ticket ------------------------------------------------------------------------
  async function openTicket(id) { await loadTicket(id, false); }
  async function loadTicket(id, quiet) {
    const res = await api("GET", `/api/agent/tickets/${id}`);
    if (res.ok) showTicket(res.data, quiet);
  }

  function showTicket(ticket, quiet) {
    const fresh = !state.ticket || state.ticket.id !== ticket.id;
    state.ticket = ticket;
    $("ticket-empty").hidden = true;
    $("ticket-panel").hidden = false;
    $("ticket-meta").textContent = `Phiếu #${ticket.id} · ${ticket.skill}/${ticket.lang} · ưu tiên ${ticket.priority} · ` +
      `lý do: ${ticket.reason} · chờ ${minutes(ticket.waited_s)} · ${ticket.state}`;
    $("ticket-summary").textContent = ticket.summary;
    if (fresh) {
      state.seen.clear();
      $("agent-log").replaceChildren();
      loadAssist(ticket.id);
      loadDossiers(ticket.id);
      loadCanned(ticket.lang);
      connect(ticket.id);
    }
    ticket.messages.forEach(addMessage);
    if (!quiet) $("agent-input").focus();
  }

  function addMessage(m) {
    if (!m || state.seen.has(String(m.id))) return;
    state.seen.add(String(m.id));
    const who = { citizen: "Công dân", bot: "Trợ lý ảo", agent: m.agent || "Tổng đài viên", system: "Hệ thống" }[m.sender] || m.sender;
    const log = $("agent-log");
    const node = el("div", { class: `msg msg--${m.sender === "citizen" ? "citizen" : m.sender === "agent" ? "agent" : "bot"}`,
      "data-testid": "agent-message", "data-sender": m.sender },
      el("div", { class: "msg__meta" }, el("span", { class: "msg__who", text: who }), el("time", { text: time(m.created_at) })),
      el("div", { class: "msg__body" }, el("p", { class: "msg__text", text: m.text })));
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  /** WebSocket both ways: conversation events come in, `{"text"}` frames go out (POST when the socket is down).
   * The URL carries a single-use ticket (30 s), never the bearer token: URLs end up in logs. */
  async function connect(ticketId) {
    if (state.socket) state.socket.close();
    state.socket = null;
    const res = await api("POST", `/api/agent/tickets/${ticketId}/ws-ticket`);
    if (!res.ok || !state.ticket || state.ticket.id !== ticketId) return;  // not held (any more): messages go by POST
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/agent/tickets/${ticketId}/ws?ticket=${encodeURIComponent(res.data.ticket)}`);
    state.socket = ws;
    ws.onmessage = (e) => {
      let event = null;
      try { event = JSON.parse(e.data); } catch (err) { return; }
      if (event.type === "message") addMessage(event.message);
      else if (event.type === "error") $("ticket-note").textContent = event.detail;
      else if (event.type === "state") loadTicket(ticketId, true);
    };
    ws.onclose = () => { if (state.socket === ws) state.socket = null; };
  }

  async function sendMessage(e) {
    e.preventDefault();
    const input = $("agent-input"), text = input.value.trim();
    if (!text || !state.ticket) return;
    $("ticket-note").textContent = "";
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify({ text }));
    else {
      const res = await api("POST", `/api/agent/tickets/${state.ticket.id}/messages`, { text });
      if (!res.ok) { $("ticket-note").textContent = detail(res); return; }
      addMessage(res.data);
    }
    input.value = "";
  }

  async function ticketAction(path, body) {
    if (!state.ticket) return;
    const res = await api("POST", `/api/agent/tickets/${state.ticket.id}/${path}`, body);
    $("ticket-note").textContent = res.ok ? "" : detail(res);
    if (res.ok) {
      if (state.socket) state.socket.close();
      state.ticket = null;
      [$("ticket-panel").hidden, $("ticket-empty").hidden] = [true, false];
      $("claim-note").textContent = path === "resolve" ? `Đã kết thúc phiếu #${res.data.id}.` : `Phiếu #${res.data.id} đã trở lại hàng chờ.`;
      refreshConsole();
    }
  }

  async function loadAssist(ticketId) {
    const res = await api("GET", `/api/agent/tickets/${ticketId}/assist`);
    if (!res.ok) { $("assist").replaceChildren(); return; }
    $("assist-question").textContent = res.data.question ? `Câu hỏi gần nhất: “${res.data.question}”` : "";
    $("assist").replaceChildren(...res.data.suggestions.map((s) => el("li", {},
      el("strong", { text: `${s.title} (${s.code})` }), el("p", { class: "agent-note", text: s.snippet }),
      el("button", { type: "button", class: "chip", text: "Chèn vào trả lời",
        on: { click: () => { $("agent-input").value = `${s.snippet}\nNguồn: ${s.title} (mã ${s.code}) ${s.url}`; } } }))));
  }

  /** The signed-in citizen's dossiers (code, procedure, state, a supplement's reason): no field values, no phone. */
  async function loadDossiers(ticketId) {
    const res = await api("GET", `/api/agent/tickets/${ticketId}/dossiers`);
    const list = res.ok && Array.isArray(res.data) ? res.data : [];
    $("ticket-dossiers").replaceChildren(...(list.length ? list.map((d) => el("li", { "data-testid": "ticket-dossier", "data-code": d.code },
      el("strong", { text: `${d.code} — ${d.title}` }), el("p", { class: "agent-note", text: `${d.state_label} · hẹn ${d.expected_on}` }),
      d.supplement ? el("p", { class: "agent-note", text: `Cần bổ sung: ${d.supplement.reason || ""} (${(d.supplement.documents || []).join("; ")})` }) : null))
      : [el("li", { class: "agent-note", text: res.ok ? "Không có hồ sơ nào (hoặc công dân chưa đăng nhập)." : detail(res) })]));
  }

  async function loadCanned(lang) {
    const res = await api("GET", `/api/agent/canned?lang=${encodeURIComponent(lang)}`);
    if (res.ok) $("canned").replaceChildren(el("option", { value: "", text: "— chọn mẫu —" }), ...res.data.map((c) => el("option", { value: c, text: c })));
  }

  // ---- supervisor -----------------------------------------------------------------------------------
  async function refreshSupervisor() {
    const res = await api("GET", "/api/agent/supervisor/overview");
    if (!res.ok) { $("sup-error").textContent = detail(res); return; }
    const { queues, agents, sla } = res.data;
    $("sup-error").textContent = "";
    const share = sla.share === null ? "chưa có dữ liệu" : `${Math.round(sla.share * 100)}%`;
    $("sla").textContent = `${share} cuộc được nhận trong ${sla.answer_within_s} giây (mục tiêu ${Math.round(sla.target * 100)}%) · ${sla.answered_within}/${sla.tickets} phiếu`;
    $("sla").classList.toggle("is-breached", !sla.met);
    $("breaches").replaceChildren(...sla.breaches.map((b) => el("tr", {}, el("td", { text: `#${b.ticket_id}` }), el("td", { text: b.skill }),
      el("td", { text: b.lang }), el("td", { text: String(b.waited_s) }), el("td", { text: b.claimed ? "có" : "chưa" }))));
    $("sup-queues").replaceChildren(...queues.map((q) => el("tr", {}, el("td", { text: q.skill }), el("td", { text: q.lang }),
      el("td", { text: String(q.waiting) }), el("td", { text: String(q.assigned) }), el("td", { text: q.waiting ? minutes(q.oldest_wait_s) : "—" }),
      el("td", { text: String(q.agents_online) }))));
    $("sup-agents").replaceChildren(...agents.map((a) => el("tr", {}, el("td", { text: `${a.display_name} (${a.username})` }),
      el("td", { text: a.status }), el("td", { text: `${a.chats}/${a.capacity}` }), el("td", { text: a.skills.join(", ") }),
      el("td", { text: a.languages.join(", ") }))));
  }

  // ---- start-up -------------------------------------------------------------------------------------
  function init() {
    $("agent-status").addEventListener("change", (e) => setStatus(e.target.value));
    if (view === "console") {
      $("claim-next").addEventListener("click", claimNext);
      $("agent-form").addEventListener("submit", sendMessage);
      $("agent-input").addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(e); }
      });
      $("canned").addEventListener("change", (e) => { if (e.target.value) $("agent-input").value = e.target.value; e.target.value = ""; });
      $("transfer").addEventListener("click", () => ticketAction("transfer", { skill: $("transfer-skill").value }));
      $("release").addEventListener("click", () => ticketAction("release"));
      $("resolve").addEventListener("click", () => ticketAction("resolve", { disposition: $("disposition").value }));
    }
    staff.begin();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
