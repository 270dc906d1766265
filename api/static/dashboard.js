/* The dashboard (/agent/dashboard): figures from /api/analytics with the staff bearer token (sessionStorage, this tab).
 * Charts are SVG the app draws; fetched with the token and shown as a data: image (the policy allows img data:).
 * CSV is fetched with the token and saved through a blob link. Server text reaches the page only through textContent. */
(() => {
  "use strict";

  const KEY_LANG = "helpdesk.dashboard_lang";
  const $ = (id) => document.getElementById(id);
  const state = { me: null, lang: sessionStorage.getItem(KEY_LANG) || "vi" };
  const UI = {
    vi: { start: "Từ ngày", end: "Đến ngày", queue: "Nhóm", domain: "Lĩnh vực", all: "Tất cả", apply: "Xem", csv: "Tải CSV",
      empty: "Không có dữ liệu trong khoảng thời gian này.", nothing: "Không có cuộc trò chuyện nào trong khoảng thời gian này.",
      retained: "Tổng số gồm cả số liệu ẩn danh của các cuộc trò chuyện đã xoá theo thời hạn lưu trữ.",
      filtered: "Đang lọc: chỉ số liệu còn lưu chi tiết (không gồm số liệu ẩn danh đã xoá).",
      small: "“< 5”: ít hơn 5 cuộc trò chuyện, ẩn để bảo vệ dữ liệu cá nhân.", role: "Trang này dành cho giám sát viên, biên tập viên và quản trị viên.",
      loading: "Đang tải…", toggle: "English" },
    en: { start: "From", end: "To", queue: "Queue", domain: "Domain", all: "All", apply: "Show", csv: "Download CSV",
      empty: "No data in this range.", nothing: "No conversation in this range.",
      retained: "Totals include the anonymous counts kept of conversations deleted by the retention policy.",
      filtered: "Filtered: live data only (the anonymous counts of deleted conversations carry no queue or domain).",
      small: "“< 5”: fewer than 5 conversations, hidden to protect personal data.", role: "This page is for supervisors, editors and admins.",
      loading: "Loading…", toggle: "Tiếng Việt" },
  };
  const WORDS = {
    vi: { without_person: "Không cần tổng đài viên", with_person: "Có tổng đài viên", requested: "Công dân yêu cầu", repeated_failure: "Không trả lời được nhiều lần",
      negative_feedback: "Đánh giá không hữu ích", complaint: "Khiếu nại", urgent: "Khẩn cấp", answered: "Đã trả lời", clarify: "Hỏi lại",
      unanswerable: "Không trả lời được", all: "Tất cả", queue: "Nhóm", agent: "Nhân viên", language: "Ngôn ngữ", week: "Tuần",
      diacritics: "Dấu", without_diacritics: "Gõ không dấu", with_diacritics: "Gõ có dấu", vi: "Tiếng Việt", en: "Tiếng Anh" },
    en: { without_person: "Without a person", with_person: "With a person", requested: "Asked for a person", repeated_failure: "Repeated failure",
      negative_feedback: "Negative feedback", complaint: "Complaint", urgent: "Urgent", answered: "Answered", clarify: "Clarify",
      unanswerable: "Unanswerable", all: "All", queue: "Queue", agent: "Agent", language: "Language", week: "Week",
      diacritics: "Diacritics", without_diacritics: "Typed without diacritics", with_diacritics: "Typed with diacritics", vi: "Vietnamese", en: "English" },
  };
  const t = (key) => UI[state.lang][key];
  const word = (value) => (WORDS[state.lang][value] || value);

  const { el } = Helpdesk;
  const staff = Helpdesk.staffSession({ onSignedIn: start, onSignedOut: () => { state.me = null; } });
  const call = staff.request;  // Responses: JSON, SVG and CSV

  async function detail(res) {
    if (!res) return state.lang === "en" ? "Cannot reach the server" : "Không kết nối được máy chủ";
    const data = await res.json().catch(() => null);
    const d = data && data.detail;
    return typeof d === "string" ? d : Array.isArray(d) ? d.map((x) => x.msg).join("; ") : `HTTP ${res.status}`;
  }

  // ---- sign-in (staff.js) ----------------------------------------------------------------------
  async function start() {
    const res = await call("/api/auth/me");
    if (!res || !res.ok) { staff.signOut(); return; }
    state.me = await res.json();
    staff.show(true);
    $("agent-name").textContent = `${state.me.display_name} (${state.me.username})`;
    translate();
    load();
  }
  const can = (...roles) => state.me && state.me.roles.some((r) => r === "admin" || roles.includes(r));

  // ---- figures ------------------------------------------------------------------------------------
  function params() {
    const p = new URLSearchParams({ lang: state.lang });
    for (const [name, id] of [["start", "dash-start"], ["end", "dash-end"], ["queue", "dash-queue"], ["domain", "dash-domain"]])
      if ($(id).value) p.set(name, $(id).value);
    return p;
  }

  async function load(e) {
    if (e) e.preventDefault();
    $("dash-error").textContent = "";
    if (!can("supervisor", "editor")) { $("dash-error").textContent = t("role"); return; }
    $("dash-note").textContent = t("loading");
    const query = params();
    const parts = [can("supervisor") ? "service" : null, "knowledge"].filter(Boolean);
    const answers = await Promise.all(parts.map((p) => call(`/api/analytics/${p}?${query}`, { headers: { Accept: "application/json" } })));
    const bad = answers.find((r) => !r || !r.ok);
    if (bad !== undefined) { $("dash-note").textContent = ""; $("dash-error").textContent = await detail(bad); return; }
    const boards = await Promise.all(answers.map((r) => r.json()));
    const first = boards[0];
    fillFilters(first);
    const notes = [first.empty ? t("nothing") : "", first.retained_included ? t("retained") : t("filtered"), t("small")];
    $("dash-note").textContent = notes.filter(Boolean).join(" ");
    const sections = boards.flatMap((b) => b.sections);
    $("dash-sections").replaceChildren(...sections.map((s) => section(s, query)));
  }

  function fillFilters(board) {
    $("dash-start").value = board.start;
    $("dash-end").value = board.end;
    for (const [id, values, chosen] of [["dash-queue", board.queues, board.queue], ["dash-domain", board.domains, board.domain]]) {
      $(id).replaceChildren(el("option", { value: "", text: t("all") }), ...values.map((v) => el("option", { value: v, text: word(v) })));
      $(id).value = chosen || "";
    }
  }

  function section(s, query) {
    return el("section", { class: "agent-card", "data-testid": "dash-section", "data-section": s.key },
      el("h2", { class: "agent-card__title", text: s.title }), ...s.tables.map((table) => figure(table, query)));
  }

  const isEmpty = (table) => table.rows.length === 0 || table.rows.every((row) =>
    table.columns.every((c) => c.kind === "label" || row[c.key] === null || row[c.key] === 0));

  function figure(table, query) {
    const empty = isEmpty(table);
    const body = empty ? el("p", { class: "agent-note", "data-testid": "dash-empty", text: t("empty") }) : grid(table);
    const csv = el("button", { type: "button", class: "chip dash-csv", "data-testid": "dash-csv", "data-table": table.key, text: t("csv"),
      on: { click: () => download(table.key, query) } });
    const side = el("div", { class: "dash-table-wrap" }, el("h3", { text: table.title }), body, csv);
    if (!table.chart || empty) return el("div", { class: "dash-figure dash-figure--wide", "data-testid": "dash-table", "data-table": table.key }, side);
    const img = el("img", { class: "dash-chart", alt: table.title, "data-testid": "dash-chart", "data-chart": table.key });
    chart(img, table.key, query);
    return el("div", { class: "dash-figure", "data-testid": "dash-table", "data-table": table.key }, img, side);
  }

  function cell(value, kind) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return kind === "label" ? word(value) : value;
    if (kind === "rate") return `${(value * 100).toFixed(1)}%`;
    if (kind === "seconds") return state.lang === "en" ? `${Math.round(value)} s` : `${Math.round(value)} giây`;
    if (kind === "number") return value.toFixed(2);
    return String(value);
  }

  function grid(table) {
    return el("table", { class: "card__table" },
      el("thead", {}, el("tr", {}, table.columns.map((c) => el("th", { text: c.label })))),
      el("tbody", {}, table.rows.map((row) => el("tr", {}, table.columns.map((c) =>
        el("td", { class: c.kind === "label" ? null : "num", "data-label": c.label, text: cell(row[c.key], c.kind) }))))));
  }

  /** The chart's SVG, fetched with the token, shown as a data: image (an <img> cannot send the Authorization header). */
  async function chart(img, key, query) {
    const res = await call(`/api/analytics/charts/${key}.svg?${query}`);
    if (!res || !res.ok) { img.alt = await detail(res); return; }
    const reader = new FileReader();
    reader.onload = () => { img.src = reader.result; img.dataset.loaded = "true"; };
    reader.readAsDataURL(new Blob([await res.text()], { type: "image/svg+xml" }));
  }

  async function download(key, query) {
    const res = await call(`/api/analytics/tables/${key}.csv?${query}`);
    if (!res || !res.ok) { $("dash-error").textContent = await detail(res); return; }
    const url = URL.createObjectURL(await res.blob());
    const name = (res.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const link = el("a", { href: url, download: name ? name[1] : `${key}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- language -----------------------------------------------------------------------------------
  function translate() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("dash-lang").textContent = t("toggle");
    $("dash-lang").lang = state.lang === "vi" ? "en" : "vi";
  }
  function toggleLanguage() {
    state.lang = state.lang === "vi" ? "en" : "vi";
    sessionStorage.setItem(KEY_LANG, state.lang);
    translate();
    load();
  }

  function init() {
    $("dash-filters").addEventListener("submit", load);
    $("dash-lang").addEventListener("click", toggleLanguage);
    staff.begin();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
