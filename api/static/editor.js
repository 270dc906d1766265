/* Editor console. Plain DOM: every value from the API is written with textContent or .value,
   never as HTML, so text in a guide can never become markup here. */
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const STATUS = { draft: "Nháp", in_review: "Chờ duyệt", published: "Đã đăng", archived: "Lưu trữ" };
  const KINDS = { online: "Trực tuyến", in_person: "Trực tiếp", post: "Bưu chính" };
  const STALE = { not_reviewed: "quá hạn rà soát", source_changed: "hồ sơ gốc đã đổi" };
  let token = sessionStorage.getItem("editorToken");
  let me = null;
  let current = null; // the guide detail being edited; null for a new guide

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "value") node.value = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  function flash(text, kind = "ok") {
    const box = $("#ed-flash");
    box.textContent = text;
    box.dataset.kind = kind;
  }

  async function api(method, path, body, isForm = false) {
    const headers = { Authorization: `Bearer ${token}` };
    let payload;
    if (body !== undefined && !isForm) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else payload = body;
    const response = await fetch(path, { method, headers, body: payload });
    const data = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
    if (response.status === 401) { signOut(); throw new Error("Phiên đăng nhập đã hết; đăng nhập lại."); }
    if (!response.ok) {
      const error = new Error(typeof data.detail === "string" ? data.detail : `Lỗi ${response.status}`);
      error.status = response.status;
      error.fields = Array.isArray(data.detail) ? data.detail : [];
      throw error;
    }
    return data;
  }

  // ---- sign in ------------------------------------------------------------------------------
  $("#ed-login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const response = await fetch("/api/auth/token", { method: "POST", body: new URLSearchParams(form) });
    if (!response.ok) { flash("Sai tên đăng nhập hoặc mật khẩu.", "error"); return; }
    token = (await response.json()).access_token;
    sessionStorage.setItem("editorToken", token);
    await start();
  });
  $("#ed-logout").addEventListener("click", signOut);

  function signOut() {
    token = null; me = null; current = null;
    sessionStorage.removeItem("editorToken");
    $("#ed-app").hidden = true; $("#ed-user").hidden = true; $("#ed-login").hidden = false;
    $("#ed-editor").hidden = true;
  }

  async function start() {
    try { me = await api("GET", "/api/auth/me"); } catch (error) { signOut(); return; }
    $("#ed-login").hidden = true; $("#ed-app").hidden = false; $("#ed-user").hidden = false;
    $("#ed-user-name").textContent = `${me.display_name} (${me.username} · ${me.roles.join(", ")})`;
    flash("");
    await loadList();
  }

  // ---- tabs ---------------------------------------------------------------------------------
  for (const tab of $$(".ed-tabs [data-tab]")) {
    tab.addEventListener("click", () => {
      for (const other of $$(".ed-tabs [data-tab]")) other.setAttribute("aria-selected", String(other === tab));
      for (const name of ["guides", "gaps", "import", "audit"]) $(`#tab-${name}`).hidden = name !== tab.dataset.tab;
      if (tab.dataset.tab === "gaps") loadGaps();
      if (tab.dataset.tab === "audit") loadAudit();
    });
  }

  // ---- list ---------------------------------------------------------------------------------
  $("#ed-filters").addEventListener("submit", (event) => { event.preventDefault(); loadList(); });
  $("#ed-new").addEventListener("click", () => openEditor(null));

  async function loadList() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData($("#ed-filters"))) if (value) params.set(key, value);
    try {
      const data = await api("GET", `/api/editor/guides?${params}`);
      const domain = $("#ed-domain");
      const chosen = domain.value;
      domain.replaceChildren(el("option", { value: "", text: "(tất cả)" }), ...data.domains.map((d) => el("option", { value: d, text: d })));
      domain.value = chosen;
      $("#ed-count").textContent = `${data.total} hướng dẫn`;
      $("#ed-rows").replaceChildren(...data.items.map(row));
    } catch (error) { flash(error.message, "error"); }
  }

  function row(g) {
    const versions = [g.published_version ? `đăng v${g.published_version}` : "", g.working_version ? `nháp v${g.working_version}` : ""].filter(Boolean).join(" · ");
    return el("tr", { "data-code": g.code, "data-testid": "guide-row", tabindex: "0", onclick: () => openEditor(g.code),
                      onkeydown: (e) => { if (e.key === "Enter") openEditor(g.code); } },
      el("td", { text: g.code }), el("td", { text: g.title }), el("td", { text: g.domain }),
      el("td", {}, el("span", { class: `ed-badge ed-badge--${g.status}`, text: STATUS[g.status] || g.status })),
      el("td", { text: versions }), el("td", { text: g.has_english ? "✓" : "" }),
      el("td", { text: new Date(g.updated_at).toLocaleString("vi-VN") }),
      el("td", {}, ...g.stale_reasons.map((r) => el("span", { class: "ed-badge ed-badge--stale", text: STALE[r] || r }))));
  }

  // ---- the structured form ------------------------------------------------------------------
  const emptyContent = () => ({ title: "", summary: "", aliases: [], questions: [], who: "", steps: [], documents: [], channels: [], where: "", conditions: "", result: "" });

  function openEditor(code) {
    if (!code) {
      current = null;
      renderForm({ code: "", domain: "", level: "", agency: "", legal_basis: [], online_url: "", source_url: "", vi: emptyContent() }, true);
      $("#ed-title").textContent = "Hướng dẫn mới";
      $("#ed-status").textContent = "Chưa lưu";
      showEditor();
      return;
    }
    api("GET", `/api/editor/guides/${encodeURIComponent(code)}`).then((detail) => { setCurrent(detail); showEditor(); })
      .catch((error) => flash(error.message, "error"));
  }

  function showEditor() {
    $("#ed-editor").hidden = false;
    $("#ed-errors").replaceChildren();
    $("#ed-preview").replaceChildren(); $("#ed-diff").replaceChildren();
    $("#ed-editor").scrollIntoView({ block: "start" });
  }

  function setCurrent(detail) {
    current = detail;
    renderForm(detail.guide, false);
    $("#ed-title").textContent = `${detail.code} — ${detail.guide.vi?.title || ""}`;
    const parts = [`Trạng thái: ${STATUS[detail.status] || detail.status}`, `khóa ${detail.lock_version}`];
    if (detail.published_version) parts.push(`đang phục vụ v${detail.published_version}`);
    if (detail.working_version) parts.push(`nháp v${detail.working_version}`);
    if (detail.authors.length) parts.push(`người sửa: ${detail.authors.join(", ")}`);
    if (detail.stale) parts.push(`cần rà soát (${detail.stale_reasons.map((r) => STALE[r] || r).join(", ")})`);
    $("#ed-status").textContent = parts.join(" · ");
    $("#ed-status").dataset.status = detail.status;
    const options = detail.versions.map((v) => el("option", { value: String(v.version), text: `v${v.version}${v.published ? " (đang đăng)" : ""}${v.working ? " (nháp)" : ""} — ${v.author || v.source}` }));
    $("#ed-diff-from").replaceChildren(...options.map((o) => o.cloneNode(true)));
    $("#ed-diff-to").replaceChildren(...options);
    if (detail.versions.length > 1) $("#ed-diff-from").value = String(detail.versions[1].version);
    $("#ed-versions").replaceChildren(...detail.versions.map((v) => el("li", { text: `v${v.version} · ${new Date(v.created_at).toLocaleString("vi-VN")} · ${v.author || "—"} · ${v.source}` })));
    api("GET", `/api/editor/audit?code=${encodeURIComponent(detail.code)}`).then((data) => {
      $("#ed-guide-audit").replaceChildren(...data.entries.map((e) => el("li", { text: `${new Date(e.at).toLocaleString("vi-VN")} · ${e.actor} · ${e.action}${e.version ? " v" + e.version : ""}` })));
    }).catch(() => {});
  }

  function input(path, value, label, attrs = {}) {
    const field = attrs.multiline
      ? el("textarea", { "data-field": path, rows: attrs.rows || 2, value: value || "" })
      : el("input", { "data-field": path, value: value || "", readonly: attrs.readonly, type: attrs.type || "text" });
    return el("label", { "data-for": path }, label, field);
  }

  function listInput(path, values, label, rows = 3) {
    return el("label", { "data-for": path }, `${label} (mỗi dòng một mục)`,
      el("textarea", { "data-list": path, rows, value: (values || []).join("\n") }));
  }

  function renderForm(guide, isNew) {
    const form = $("#ed-form");
    const rowButton = (text, handler) => el("button", { type: "button", class: "btn", text, onclick: handler });
    const edit = (fn) => () => { const g = collect(); fn(g); renderForm(g, isNew); };
    const facts = el("fieldset", {}, el("legend", { text: "Thông tin chung" }),
      el("div", { class: "ed-grid" },
        input("code", guide.code, "Mã thủ tục", { readonly: !isNew }), input("domain", guide.domain, "Lĩnh vực"),
        input("level", guide.level, "Cấp thực hiện"), input("agency", guide.agency, "Cơ quan thực hiện"),
        input("online_url", guide.online_url, "Địa chỉ nộp trực tuyến"), input("source_url", guide.source_url, "Nguồn (CSDL quốc gia)")));
    const legal = el("fieldset", {}, el("legend", { text: "Căn cứ pháp lý" }),
      ...(guide.legal_basis || []).map((ref, i) => el("div", { class: "ed-row ed-row--2" },
        input(`legal_basis.${i}.number`, ref.number, "Số hiệu"), input(`legal_basis.${i}.title`, ref.title, "Tên văn bản"),
        rowButton("Xóa", edit((g) => g.legal_basis.splice(i, 1))))),
      rowButton("+ Văn bản", edit((g) => g.legal_basis.push({ number: "", title: "" }))));
    const languages = ["vi", "en"].map((lang) => content(guide, lang, rowButton, edit));
    form.replaceChildren(facts, legal, ...languages);
  }

  function content(guide, lang, rowButton, edit) {
    const c = guide[lang];
    const legend = el("legend", { text: lang === "vi" ? "Tiếng Việt" : "Tiếng Anh (English)" });
    if (!c) {
      return el("fieldset", {}, legend, rowButton("+ Thêm bản tiếng Anh", edit((g) => { g.en = emptyContent(); })));
    }
    const p = (name) => `${lang}.${name}`;
    return el("fieldset", { "data-lang": lang }, legend,
      input(p("title"), c.title, "Tên thủ tục *"), input(p("summary"), c.summary, "Tóm tắt", { multiline: true }),
      el("div", { class: "ed-grid" }, listInput(p("aliases"), c.aliases, "Tên gọi khác", 2), listInput(p("questions"), c.questions, "Câu hỏi mẫu", 2)),
      input(p("who"), c.who, "Đối tượng", { multiline: true }),
      listInput(p("steps"), c.steps, "Các bước", 4),
      el("fieldset", {}, el("legend", { text: "Hồ sơ theo trường hợp" }),
        ...(c.documents || []).map((d, i) => el("div", { class: "ed-case" },
          input(`${lang}.documents.${i}.case`, d.case, "Trường hợp"), listInput(`${lang}.documents.${i}.items`, d.items, "Giấy tờ", 3),
          rowButton("Xóa trường hợp", edit((g) => g[lang].documents.splice(i, 1))))),
        rowButton("+ Trường hợp", edit((g) => g[lang].documents.push({ case: "", items: [] })))),
      el("fieldset", {}, el("legend", { text: "Cách thức nộp: thời hạn, phí" }),
        ...(c.channels || []).map((ch, i) => el("div", { class: "ed-row" },
          el("label", { "data-for": `${lang}.channels.${i}.kind` }, "Cách nộp",
            el("select", { "data-field": `${lang}.channels.${i}.kind` }, ...Object.entries(KINDS).map(([k, v]) => {
              const option = el("option", { value: k, text: v }); option.selected = k === ch.kind; return option;
            }))),
          input(`${lang}.channels.${i}.time`, ch.time, "Thời hạn"), input(`${lang}.channels.${i}.fee`, ch.fee, "Phí, lệ phí"),
          input(`${lang}.channels.${i}.note`, ch.note, "Ghi chú"), rowButton("Xóa", edit((g) => g[lang].channels.splice(i, 1))))),
        rowButton("+ Cách nộp", edit((g) => g[lang].channels.push({ kind: "in_person", time: "", fee: "", note: "" })))),
      input(p("where"), c.where, "Nơi nộp", { multiline: true }), input(p("conditions"), c.conditions, "Điều kiện", { multiline: true }),
      input(p("result"), c.result, "Kết quả", { multiline: true }),
      lang === "en" ? rowButton("Bỏ bản tiếng Anh", edit((g) => { delete g.en; })) : null);
  }

  function setPath(target, path, value) {
    const keys = path.split(".");
    let node = target;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(keys[i + 1]);
      if (last) node[key] = value;
      else node = node[key] ??= nextIsIndex ? [] : {};
    });
  }

  function collect() {
    const guide = { legal_basis: [] };
    for (const field of $$("#ed-form [data-field]")) setPath(guide, field.dataset.field, field.value.trim());
    for (const field of $$("#ed-form [data-list]")) setPath(guide, field.dataset.list, field.value.split("\n").map((s) => s.trim()).filter(Boolean));
    for (const lang of ["vi", "en"]) if (guide[lang]) {
      guide[lang].documents = (guide[lang].documents || []).filter(Boolean);
      guide[lang].channels = (guide[lang].channels || []).filter(Boolean);
    }
    if (!$("#ed-form [data-lang=en]")) delete guide.en;
    guide.legal_basis = guide.legal_basis.filter(Boolean);
    return guide;
  }

  function showFieldErrors(errors) {
    for (const node of $$("#ed-form .ed-invalid")) node.classList.remove("ed-invalid");
    for (const node of $$("#ed-form .ed-field-error")) node.remove();
    $("#ed-errors").replaceChildren(...errors.map((e) => el("li", { text: `${e.field}: ${e.msg}` })));
    for (const e of errors) {
      const listPath = e.field.replace(/\.\d+$/, "");
      const target = $(`#ed-form [data-field="${CSS.escape(e.field)}"]`) || $(`#ed-form [data-list="${CSS.escape(listPath)}"]`);
      if (!target) continue;
      target.classList.add("ed-invalid");
      target.after(el("span", { class: "ed-field-error", "data-testid": "field-error", text: e.msg }));
    }
  }

  // ---- workflow buttons ---------------------------------------------------------------------
  for (const button of $$(".ed-actions [data-action]")) button.addEventListener("click", () => act(button.dataset.action));

  async function act(action) {
    if (action === "close") { $("#ed-editor").hidden = true; return; }
    try {
      let detail;
      if (action === "save") {
        const guide = collect();
        detail = current
          ? await api("PUT", `/api/editor/guides/${encodeURIComponent(current.code)}/draft`, { guide, lock_version: current.lock_version })
          : await api("POST", "/api/editor/guides", { guide });
      } else {
        if (!current) { flash("Lưu hướng dẫn trước.", "error"); return; }
        const body = { lock_version: current.lock_version };
        if (action === "reject") body.comment = prompt("Lý do trả lại?") || "";
        detail = await api("POST", `/api/editor/guides/${encodeURIComponent(current.code)}/${action}`, body);
      }
      showFieldErrors([]);
      setCurrent(detail);
      const done = { save: "Đã lưu nháp", submit: "Đã gửi duyệt", publish: "Đã đăng; trợ lý dùng bản mới ngay", reject: "Đã trả lại", archive: "Đã lưu trữ" };
      flash(`${done[action]} (${detail.code}).`);
      loadList();
    } catch (error) {
      if (error.fields.length) showFieldErrors(error.fields.map((f) => ({ field: f.field || (f.loc || []).slice(1).join("."), msg: f.msg })));
      const hint = error.status === 409 ? " Tải lại hướng dẫn để xem thay đổi mới nhất." : "";
      flash(error.message + hint, "error");
    }
  }

  $("#ed-preview-run").addEventListener("click", async () => {
    if (!current) { flash("Lưu hướng dẫn trước khi xem trước.", "error"); return; }
    const questions = $("#ed-preview-q").value.split("\n").map((s) => s.trim()).filter(Boolean);
    try {
      const data = await api("POST", `/api/editor/guides/${encodeURIComponent(current.code)}/preview`, { guide: collect(), questions });
      $("#ed-preview").replaceChildren(...data.answers.map((a) => el("li", { "data-testid": "preview-answer" },
        el("strong", { text: a.question }), el("br"),
        el("span", { class: `ed-badge ed-badge--${a.cites_this_guide ? "published" : "stale"}`, text: `${a.status}${a.cites_this_guide ? " · trích dẫn hướng dẫn này" : ""}` }),
        el("p", { text: a.text }),
        a.guide?.channels ? el("ul", {}, ...a.guide.channels.map((c) => el("li", { text: `${c.label}: ${c.time} · ${c.fee}` }))) : null)));
    } catch (error) {
      if (error.fields.length) showFieldErrors(error.fields);
      flash(error.message, "error");
    }
  });

  $("#ed-diff-run").addEventListener("click", async () => {
    if (!current) return;
    const from = $("#ed-diff-from").value, to = $("#ed-diff-to").value;
    try {
      const data = await api("GET", `/api/editor/guides/${encodeURIComponent(current.code)}/diff?from=${from}&to=${to}`);
      const show = (v) => (v === null || v === undefined ? "" : String(v));
      $("#ed-diff").replaceChildren(...(data.changes.length ? data.changes.map((c) => el("tr", { "data-testid": "diff-row" },
        el("td", { text: c.field }), el("td", { class: "before", text: show(c.before) }), el("td", { class: "after", text: show(c.after) })))
        : [el("tr", {}, el("td", { colspan: "3", text: "Không có khác biệt." }))]));
    } catch (error) { flash(error.message, "error"); }
  });

  $("#ed-rollback").addEventListener("click", async () => {
    if (!current) return;
    const version = Number($("#ed-diff-from").value);
    try {
      setCurrent(await api("POST", `/api/editor/guides/${encodeURIComponent(current.code)}/rollback`, { lock_version: current.lock_version, to_version: version }));
      flash(`Đã tạo nháp mới từ v${version}; gửi duyệt để đăng.`);
    } catch (error) { flash(error.message, "error"); }
  });

  // ---- gaps, import, audit ------------------------------------------------------------------
  $("#ed-gaps-load").addEventListener("click", loadGaps);

  async function loadGaps() {
    try {
      const data = await api("GET", "/api/editor/gaps");
      $("#ed-gaps").replaceChildren(...data.gaps.map((gap) => {
        const code = el("input", { placeholder: "Mã mới, ví dụ 9.000123", "aria-label": "Mã hướng dẫn mới" });
        const title = el("input", { placeholder: "Tên thủ tục", "aria-label": "Tên thủ tục", value: gap.label });
        const create = el("button", { type: "button", class: "btn", text: "Tạo hướng dẫn từ khoảng trống này", onclick: async () => {
          try {
            const detail = await api("POST", `/api/editor/gaps/${gap.key}/draft`, { code: code.value.trim(), title: title.value.trim() });
            document.querySelector('[data-tab="guides"]').click();
            setCurrent(detail); showEditor(); flash(`Đã tạo nháp ${detail.code}.`);
          } catch (error) { flash(error.message, "error"); }
        } });
        return el("li", { "data-testid": "gap" },
          el("strong", { text: `${gap.count} câu hỏi · ${gap.unanswered} chưa trả lời · ${gap.disliked} không hữu ích · ${gap.status === "closed" ? "đã có câu trả lời" : "đang mở"}` }),
          el("ul", {}, ...gap.examples.map((q) => el("li", { text: q }))),
          gap.draft ? el("p", { text: `Đã tạo nháp: ${gap.draft}` }) : el("div", { class: "ed-mini" }, code, title, create));
      }));
      if (!data.gaps.length) $("#ed-gaps").replaceChildren(el("li", { text: "Chưa có khoảng trống nào." }));
    } catch (error) { flash(error.message, "error"); }
  }

  $("#ed-import").addEventListener("submit", async (event) => {
    event.preventDefault();
    const dry = event.submitter?.dataset.dry !== "false";
    const form = new FormData();
    for (const file of event.target.files.files) form.append("files", file);
    try {
      const report = await api("POST", `/api/editor/import?dry_run=${dry}`, form, true);
      const box = $("#ed-import-report");
      box.hidden = false;
      box.replaceChildren(el("h3", { text: dry ? "Kết quả chạy thử (chưa ghi)" : "Đã nhập" }),
        el("ul", {}, ...Object.entries(report.counts).map(([k, v]) => el("li", { "data-testid": `import-${k}`, text: `${k}: ${v}` }))),
        el("ul", {}, ...report.problems.slice(0, 50).map((p) => el("li", { text: `${p.file}: ${(p.problems || []).join("; ")}` }))));
      if (!dry) loadList();
    } catch (error) { flash(error.message, "error"); }
  });

  for (const link of [$("#ed-export-json"), $("#ed-export-yaml")]) link.addEventListener("click", async (event) => {
    event.preventDefault();
    const response = await fetch(`/api/editor/export?format=${link.dataset.format}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) { flash(`Lỗi ${response.status}`, "error"); return; }
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: `guides.${link.dataset.format}` }).click();
    URL.revokeObjectURL(url);
  });

  async function loadAudit() {
    try {
      const data = await api("GET", "/api/editor/audit?limit=200");
      $("#ed-audit").replaceChildren(...data.entries.map((e) => el("tr", {},
        el("td", { text: new Date(e.at).toLocaleString("vi-VN") }), el("td", { text: e.actor }), el("td", { text: e.action }),
        el("td", { text: e.guide_code || "" }), el("td", { text: e.version ?? "" }), el("td", { text: JSON.stringify(e.detail) }))));
    } catch (error) { flash(error.message, "error"); }
  }

  if (token) start();
})();
