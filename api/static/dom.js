/* The one DOM builder of the portal's pages (chat, staff pages). Server text becomes a text node, never markup:
 *   Helpdesk.el("p", { class: "x", text: "plain text", on: { click: fn }, "data-testid": "y" }, ...children) */
(() => {
  "use strict";

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false && c !== "") node.append(c);
    return node;
  }

  window.Helpdesk = Object.assign(window.Helpdesk || {}, { el });
})();
