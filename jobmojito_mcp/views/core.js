"use strict";
// The MCP Apps protocol (io.modelcontextprotocol/ui, 2026-01-26), view side: JSON-RPC over
// postMessage with the host page, nothing else. Text is always set as text (h() makes text
// nodes), never parsed as HTML: a candidate's name is shown, not run.
const JM = (() => {
  const host = window.parent, pending = new Map(), on = {};
  let next = 1, actions = [];
  const send = (m) => host.postMessage({ jsonrpc: "2.0", ...m }, "*");
  const request = (method, params) => new Promise((ok, fail) => {
    const id = next++;
    pending.set(id, { ok, fail });
    send({ id, method, params });
  });
  window.addEventListener("message", (event) => {
    const m = event.data;
    if (event.source !== host || !m || m.jsonrpc !== "2.0") return;
    if (m.method === undefined) {
      const p = pending.get(m.id);
      if (p) { pending.delete(m.id); m.error ? p.fail(new Error(m.error.message)) : p.ok(m.result); }
    } else if (m.id !== undefined) {
      const known = m.method === "ping" || m.method === "ui/resource-teardown";
      send(known ? { id: m.id, result: {} } : { id: m.id, error: { code: -32601, message: "Method not found" } });
    } else if (on[m.method]) on[m.method](m.params || {});
  });
  const theme = (ctx) => { if (ctx && ctx.theme) document.documentElement.dataset.theme = ctx.theme; };
  on["ui/notifications/host-context-changed"] = theme;
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat()) if (kid !== undefined && kid !== null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
    return el;
  };
  const app = () => document.getElementById("app");
  const show = (...kids) => { const a = app(); a.replaceChildren(...kids.filter((k) => k !== null && k !== undefined && k !== false)); a.removeAttribute("aria-busy"); resized(); };
  const resized = () => requestAnimationFrame(() => send({ method: "ui/notifications/size-changed", params: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight } }));
  const text = (r) => (r.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  // A tool call through the host: the same tool, rules and confirmations as an agent's call.
  const call = async (name, args) => {
    const r = await request("tools/call", { name, arguments: args });
    if (r.isError) throw new Error(text(r) || "The tool answered an error.");
    return r;
  };
  const can = (tool) => actions.includes(tool);
  const score = (n) => n === undefined || n === null ? h("span", { class: "muted" }, "–")
    : h("span", {}, h("span", { class: "bar", "aria-hidden": "true" }, h("i", { style: `width:${Math.max(0, Math.min(100, Number(n)))}%` })), `${Math.round(Number(n))}`);
  // A button running `work`, reporting in the view's status line; disabled while it runs.
  const action = (label, work, attrs) => {
    const b = h("button", { type: "button", ...attrs }, label);
    // The status line is looked up after the work: the work may have drawn a new page.
    const say = (role, words) => { const s = document.getElementById("status"); s.setAttribute("role", role); s.replaceChildren(words); };
    b.addEventListener("click", async () => {
      b.disabled = true;
      say("status", "");
      try { say("status", String((await work()) || "")); }
      catch (e) { say("alert", String(e.message || e)); }
      finally { b.disabled = false; resized(); }
    });
    return b;
  };
  const status = () => h("p", { id: "status", role: "status", "aria-live": "polite" });
  const start = (render) => {
    let input = {};
    on["ui/notifications/tool-input"] = (p) => { input = p.arguments || {}; };
    on["ui/notifications/tool-result"] = (r) => {
      actions = (r._meta && r._meta["jobmojito/actions"]) || [];
      if (r.isError) show(h("p", { role: "alert" }, text(r)));
      else render(r.structuredContent || {}, input, r);
    };
    request("ui/initialize", {
      appInfo: { name: "jobmojito-views", version: "1" },
      appCapabilities: { availableDisplayModes: ["inline"] },
      protocolVersion: "2026-01-26",
    }).then((init) => { theme(init.hostContext); send({ method: "ui/notifications/initialized", params: {} }); });
  };
  return { h, show, call, can, score, action, status, start, text, request };
})();
