/* The demo one-stop office (/agent/dossiers): processing officers list dossiers, advance one, or ask for a
 * supplement with a reason and the missing documents. Plain JS; server text only through textContent. */
(() => {
  "use strict";

  const REFRESH_MS = 5000;
  const $ = (id) => document.getElementById(id);
  const state = { code: null, timer: null };
  const ACTION_LABELS = { processing: "Chuyển xử lý", result_ready: "Đã có kết quả", returned: "Đã trả kết quả",
    closed: "Kết thúc hồ sơ", supplement_requested: "Yêu cầu bổ sung…" };

  const { el, detail } = Helpdesk;
  const staff = Helpdesk.staffSession({ onSignedIn: start, onSignedOut: () => window.clearInterval(state.timer) });
  const api = staff.api;
  const when = (iso) => { const d = new Date(iso || NaN); return isNaN(d) ? "" : d.toLocaleString("vi-VN"); };
  const day = (iso) => { const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || ""); return m ? `${m[3]}/${m[2]}/${m[1]}` : ""; };

  async function start() {
    const me = await api("GET", "/api/auth/me");
    if (!me.ok) { staff.signOut(); return; }
    $("agent-name").textContent = `${me.data.display_name} (${me.data.username})`;
    staff.show(true);
    refresh();
    state.timer = window.setInterval(refresh, REFRESH_MS);
  }

  async function refresh() {
    const filter = $("bo-filter").value;
    const res = await api("GET", `/api/backoffice/dossiers${filter ? `?state=${encodeURIComponent(filter)}` : ""}`);
    if (!res.ok) { $("bo-error").textContent = detail(res); return; }
    $("bo-list").replaceChildren(...res.data.map((d) => el("tr", { "data-testid": "bo-row", "data-code": d.code },
      el("td", {}, el("button", { type: "button", class: "chip", "data-testid": "bo-open", text: d.code, on: { click: () => show(d) } })),
      el("td", { text: `${d.title} (${d.procedure})` }), el("td", { "data-testid": "bo-row-state", text: d.state_label }),
      el("td", { text: day(d.expected_on) }))));
    const current = state.code && res.data.find((d) => d.code === state.code);
    if (current && !$("bo-supplement").contains(document.activeElement)) show(current);
  }

  function show(d) {
    state.code = d.code;
    $("bo-detail").hidden = false;
    $("bo-detail").setAttribute("data-code", d.code);
    $("bo-title").textContent = `${d.code} — ${d.title}`;
    $("bo-state").textContent = `Trạng thái: ${d.state_label} · ngày hẹn ${day(d.expected_on)}`;
    $("bo-state").setAttribute("data-state", d.state);
    $("bo-history").replaceChildren(...d.history.map((h) => el("li", {}, `${when(h.at)} — ${h.label} (${h.actor})`,
      h.reason ? ` · Lý do: ${h.reason}` : "", h.documents ? ` · Thiếu: ${h.documents.join("; ")}` : "",
      h.supplied && h.supplied.length ? ` · Công dân bổ sung: ${h.supplied.join("; ")}` : "", h.note ? ` · Ghi chú: ${h.note}` : "")));
    $("bo-actions").replaceChildren(...d.next_states.map((s) => el("button", { type: "button", class: "chip",
      "data-testid": "bo-action", "data-to": s, text: ACTION_LABELS[s] || s, on: { click: () => act(d, s) } })));
    $("bo-documents").replaceChildren(...d.documents_catalogue.map((doc) => el("label", { class: "bo-doc" },
      el("input", { type: "checkbox", value: doc.id, "data-testid": "bo-document" }), " ", doc.label)));
    if (!d.next_states.includes("supplement_requested")) $("bo-supplement").hidden = true;
  }

  async function act(d, to) {
    $("bo-error").textContent = "";
    if (to === "supplement_requested") { $("bo-supplement").hidden = false; $("bo-reason-vi").focus(); return; }
    const res = await api("POST", `/api/backoffice/dossiers/${encodeURIComponent(d.code)}/advance`, { to });
    if (!res.ok) { $("bo-error").textContent = detail(res); return; }
    show(res.data);
    refresh();
  }

  async function askSupplement(e) {
    e.preventDefault();
    const documents = [...$("bo-documents").querySelectorAll("input:checked")].map((n) => n.value);
    const other = $("bo-other").value.split("\n").map((s) => s.trim()).filter(Boolean);
    const res = await api("POST", `/api/backoffice/dossiers/${encodeURIComponent(state.code)}/supplement`,
      { reason_vi: $("bo-reason-vi").value, reason_en: $("bo-reason-en").value || null, documents, other_documents: other });
    if (!res.ok) { $("bo-error").textContent = detail(res); return; }
    $("bo-supplement").reset();
    $("bo-supplement").hidden = true;
    show(res.data);
    refresh();
  }

  function init() {
    $("bo-filter").addEventListener("change", refresh);
    $("bo-supplement").addEventListener("submit", askSupplement);
    staff.begin();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
