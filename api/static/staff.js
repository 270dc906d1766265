/* What the staff pages share (agent console, supervisor view, dossiers office, dashboard): the bearer token from
 * POST /api/auth/token in sessionStorage (this tab only), calls with it, error text, and the sign-in form and bar
 * of agent_base.html. Loaded after dom.js and before the page's own script:
 *
 *   const staff = Helpdesk.staffSession({ onSignedIn: start, onSignedOut: stopTimers });
 *   const res = await staff.api("GET", "/api/agent/me");   // { ok, status, data }; a 401 signs out
 *   staff.begin();                                          // start() when a token is kept, else the sign-in form */
(() => {
  "use strict";

  const KEY_TOKEN = "helpdesk.staff_token";
  const $ = (id) => document.getElementById(id);

  /** The error text of an `api` result: the server's detail, else the status, else "cannot connect". */
  function detail(res) {
    const d = res.data && res.data.detail;
    return typeof d === "string" ? d : Array.isArray(d) ? d.map((x) => x.msg).join("; ") : res.status ? `Lỗi ${res.status}` : "Không kết nối được máy chủ";
  }

  function staffSession({ onSignedIn, onSignedOut = () => {} }) {
    let token = sessionStorage.getItem(KEY_TOKEN);

    /** fetch with the token: the Response, or null when the server cannot be reached. A 401 signs out. */
    async function request(url, init = {}, signOutOn401 = true) {
      const headers = { ...init.headers };
      if (token) headers.Authorization = `Bearer ${token}`;
      try {
        const res = await fetch(url, { ...init, headers });
        if (res.status === 401 && signOutOn401) signOut();
        return res;
      } catch (e) { return null; }
    }

    /** A JSON call: body as JSON, or as a form when `form` (the sign-in, whose 401 is a wrong password). */
    async function api(method, url, body, form) {
      const headers = { Accept: "application/json" };
      if (body && !form) headers["Content-Type"] = "application/json";
      const res = await request(url, { method, headers, body: form ? body : body ? JSON.stringify(body) : undefined }, !form);
      if (!res) return { ok: false, status: 0, data: null };
      const data = res.status === 204 ? null : await res.json().catch(() => null);
      return { ok: res.ok, status: res.status, data };
    }

    function show(signedIn) {
      [$("agent-app").hidden, $("agent-bar").hidden, $("agent-login").hidden] = [!signedIn, !signedIn, signedIn];
    }

    async function signIn(e) {
      e.preventDefault();
      const body = new URLSearchParams({ username: $("login-username").value, password: $("login-password").value });
      const res = await api("POST", "/api/auth/token", body, true);
      if (!res.ok) { $("login-error").textContent = detail(res); return; }
      token = res.data.access_token;
      sessionStorage.setItem(KEY_TOKEN, token);
      onSignedIn();
    }

    function signOut() {
      sessionStorage.removeItem(KEY_TOKEN);
      token = null;
      onSignedOut();
      show(false);
    }

    function begin() {
      $("agent-login").addEventListener("submit", signIn);
      $("agent-logout").addEventListener("click", signOut);
      if (token) onSignedIn(); else $("agent-login").hidden = false;
    }

    return { api, request, show, signOut, begin };
  }

  window.Helpdesk = Object.assign(window.Helpdesk || {}, { detail, staffSession });
})();
