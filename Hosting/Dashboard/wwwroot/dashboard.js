// StackModel dashboard: plain script, no build step, no external libraries.
"use strict";

const MAX_LOG_LINES = 2000; // DOM lines kept in the log view; older ones are removed.
const ACTION_HEADER = "X-StackModel-Dashboard";

const state = { resources: [], clockOffset: 0, selected: null, kind: null, logSource: null, lastSeq: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.entries(props || {}).forEach(([k, v]) => {
    if (k === "class") { node.className = v; }
    else if (k === "dataset") { Object.assign(node.dataset, v); }
    else if (k.startsWith("on")) { node.addEventListener(k.slice(2), v); }
    else if (v !== undefined && v !== null) { node.setAttribute(k, v); }
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function now() { return Date.now() + state.clockOffset; }

function duration(since) {
  const s = Math.max(0, Math.round((now() - Date.parse(since)) / 1000));
  if (s < 60) { return `${s} s`; }
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function time(value) { return value ? new Date(value).toLocaleTimeString() : ""; }

function notice(text, isError) {
  const n = $("notice");
  n.textContent = text;
  n.style.color = isError ? "#ffd7d7" : "";
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.textContent = ""; }, 8000);
}

function detailOf(r) {
  if (r.state === "Waiting" && r.waitingFor.length > 0) {
    return { text: `waiting for ${r.waitingFor.join(", ")}` + (r.waitingSince ? ` (${duration(r.waitingSince)})` : ""), problem: false };
  }
  if (r.state === "Finished") { return { text: `exit code ${r.exitCode ?? 0}` + (r.stoppedAt ? ` at ${time(r.stoppedAt)}` : ""), problem: false }; }
  if (r.state === "Exited") { return { text: `exit code ${r.exitCode}` + (r.reason ? ` – ${r.reason}` : ""), problem: true }; }
  if (r.reason) { return { text: r.reason, problem: ["FailedToStart", "Unhealthy", "Exited"].includes(r.state) }; }
  if (["Running", "Healthy", "Unhealthy"].includes(r.state) && r.startedAt) { return { text: `up ${duration(r.startedAt)}`, problem: false }; }
  return { text: "", problem: false };
}

function renderResources() {
  const body = document.querySelector("#resources tbody");
  const seen = new Set();
  state.resources.forEach((r, index) => {
    seen.add(r.name);
    let row = body.querySelector(`tr[data-resource="${CSS.escape(r.name)}"]`);
    if (!row) {
      row = el("tr", { dataset: { resource: r.name } },
        el("td", { class: "name" }, r.name), el("td", { class: "type" }), el("td", { class: "runtime" }),
        el("td", {}, el("span", { class: "state" })), el("td", { class: "health" }), el("td", { class: "started" }),
        el("td", { class: "urls" }), el("td", { class: "detail" }),
        el("td", { class: "actions" },
          el("button", { type: "button", "data-view": "logs", onclick: () => openLogs(r.name) }, "Logs"),
          el("button", { type: "button", "data-view": "environment", onclick: () => openEnvironment(r.name) }, "Environment"),
          el("button", { type: "button", "data-action": "start", onclick: () => act(r.name, "start") }, "Start"),
          el("button", { type: "button", "data-action": "stop", onclick: () => act(r.name, "stop") }, "Stop"),
          el("button", { type: "button", "data-action": "restart", onclick: () => act(r.name, "restart") }, "Restart")));
    }
    if (body.children[index] !== row) { body.insertBefore(row, body.children[index] || null); }
    row.querySelector(".type").textContent = r.type;
    row.querySelector(".runtime").textContent = r.runtime;
    const badge = row.querySelector(".state");
    badge.textContent = r.state;
    badge.dataset.state = r.state;
    row.dataset.state = r.state;
    row.querySelector(".health").textContent = r.health;
    row.querySelector(".started").textContent = time(r.startedAt);
    const urls = row.querySelector(".urls");
    const urlKey = r.urls.join(" ");
    if (urls.dataset.key !== urlKey) {
      urls.replaceChildren(...r.urls.map((u) => /^https?:/.test(u) ? el("a", { href: u, target: "_blank", rel: "noopener noreferrer" }, u) : el("span", {}, u)));
      urls.dataset.key = urlKey;
    }
    const detail = detailOf(r);
    const cell = row.querySelector(".detail");
    cell.textContent = detail.text;
    cell.classList.toggle("problem", detail.problem);
    const start = row.querySelector('[data-action="start"]');
    start.disabled = !r.canStart;
    start.textContent = r.state === "Finished" ? "Run again" : "Start";
    row.querySelector('[data-action="stop"]').disabled = !r.canStop;
    row.querySelector('[data-action="restart"]').disabled = !r.canRestart;
  });
  [...body.children].forEach((row) => { if (!seen.has(row.dataset.resource)) { row.remove(); } });
  document.querySelectorAll("svg.graph .node").forEach((node) => {
    const r = state.resources.find((x) => x.name === node.dataset.resource);
    if (!r) { return; }
    node.dataset.state = r.state;
    const label = node.querySelector(".node-state");
    const detail = r.state === "Waiting" && r.waitingFor.length ? ` · for ${r.waitingFor.join(", ")}` : "";
    label.textContent = `${r.type} · ${r.state}${detail}`;
  });
}

function connectResources() {
  const source = new EventSource("/api/resources/stream");
  source.addEventListener("resources", (e) => {
    const payload = JSON.parse(e.data);
    state.clockOffset = Date.parse(payload.serverTime) - Date.now();
    state.resources = payload.resources;
    $("connection").textContent = "live";
    $("connection").className = "connection live";
    renderResources();
  });
  source.onerror = () => {
    $("connection").textContent = "AppHost not reachable – retrying";
    $("connection").className = "connection lost";
  };
}

async function post(url) {
  const response = await fetch(url, { method: "POST", headers: { [ACTION_HEADER]: "1" }, credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) { throw new Error(body.error || `${response.status} ${response.statusText}`); }
  return body;
}

async function act(name, action) {
  notice(`${action} ${name}…`);
  try {
    const result = await post(`/api/resources/${encodeURIComponent(name)}/${action}`);
    notice(`${action} ${name}: ${result.status}`);
  } catch (err) {
    notice(`${action} ${name} failed: ${err.message}`, true);
  }
}

function showDetails(name, kind) {
  state.selected = name;
  state.kind = kind;
  $("details").hidden = false;
  $("details-resource").textContent = name;
  $("details-kind").textContent = kind === "logs" ? "Console log" : "Environment";
  $("environment").hidden = kind !== "environment";
  $("logs").hidden = kind !== "logs";
  if (state.logSource && kind !== "logs") { state.logSource.close(); state.logSource = null; }
  $("details").scrollIntoView({ block: "nearest" });
}

async function openEnvironment(name) {
  showDetails(name, "environment");
  const body = document.querySelector("#environment-table tbody");
  body.replaceChildren();
  const response = await fetch(`/api/resources/${encodeURIComponent(name)}/environment`, { credentials: "same-origin" });
  const data = await response.json();
  $("environment-context").textContent = data.context;
  if (data.variables.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: "3", class: "hint" }, "No environment variables are declared for this resource.")));
    return;
  }
  data.variables.forEach((v) => {
    const value = el("td", { class: "value" }, el("span", { class: "masked" }, "••••••••"));
    const button = el("button", { type: "button", class: "reveal" }, "Reveal");
    button.addEventListener("click", async () => {
      if (button.dataset.revealed) {
        value.replaceChildren(el("span", { class: "masked" }, "••••••••"));
        delete button.dataset.revealed;
        button.textContent = "Reveal";
        return;
      }
      try {
        const result = await post(`/api/resources/${encodeURIComponent(name)}/environment/${encodeURIComponent(v.name)}/reveal`);
        value.replaceChildren(el("span", { class: "revealed" }, result.value ?? ""));
        button.dataset.revealed = "1";
        button.textContent = "Hide";
      } catch (err) {
        notice(`Reveal ${v.name} failed: ${err.message}`, true);
      }
    });
    body.append(el("tr", { dataset: { variable: v.name } },
      el("td", { class: "variable" }, v.name, v.isSecret ? el("span", { class: "secret-tag" }, "secret") : ""),
      value, el("td", {}, button)));
  });
}

function openLogs(name) {
  showDetails(name, "logs");
  if (state.logSource) { state.logSource.close(); }
  const pre = $("log-lines");
  pre.replaceChildren();
  state.lastSeq = 0;
  const source = new EventSource(`/api/resources/${encodeURIComponent(name)}/logs`);
  state.logSource = source;
  source.addEventListener("info", (e) => {
    const info = JSON.parse(e.data);
    $("log-info").textContent = `Newest ${info.backlog} lines on open, then live. The AppHost keeps the newest ${info.capacity} lines per resource; this view keeps ${MAX_LOG_LINES}.`;
  });
  source.addEventListener("lines", (e) => {
    const lines = JSON.parse(e.data);
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
    const fragment = document.createDocumentFragment();
    lines.forEach((l) => {
      if (state.lastSeq && l.seq > state.lastSeq + 1) {
        fragment.append(el("div", { class: "gap" }, `… ${l.seq - state.lastSeq - 1} lines skipped (too fast to show) …`));
      }
      state.lastSeq = l.seq;
      fragment.append(el("div", { class: l.err ? "err" : "" }, el("span", { class: "ts" }, new Date(l.ts).toLocaleTimeString() + " "), l.text));
    });
    pre.append(fragment);
    let excess = pre.childElementCount - MAX_LOG_LINES;
    while (excess-- > 0) { pre.firstElementChild.remove(); }
    if ($("log-follow").checked && (atBottom || lines.length > 0)) { pre.scrollTop = pre.scrollHeight; }
  });
}

async function loadGraph() {
  const response = await fetch("/api/graph.svg", { credentials: "same-origin" });
  $("graph").innerHTML = await response.text(); // Generated by the AppHost with every name escaped.
  renderResources();
}

// Streams open after "load", so the browser does not show the page as loading forever.
window.addEventListener("load", () => {
  $("log-clear").addEventListener("click", () => $("log-lines").replaceChildren());
  connectResources();
  loadGraph();
  setInterval(renderResources, 1000); // Elapsed times ("waiting for … (12 s)", "up 3 min").
});
