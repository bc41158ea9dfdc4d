// StackModel dashboard, telemetry pages (structured logs, traces, metrics): plain script, no build step, no external
// libraries, charts drawn as SVG here (the dashboard works offline). Data: /api/telemetry/*; live: /api/telemetry/stream,
// which only says "something changed" and the page fetches what is new.
"use strict";

const MAX_LOG_ROWS = 2000; // Log rows kept in the DOM; older ones are removed.
const SERIES_LIMIT = 8; // Lines drawn in one chart (one per attribute set).
const PALETTE = ["#175cd3", "#c11574", "#1a7f37", "#b35900", "#6941c6", "#0e7090", "#c62828", "#4e5ba6"];
const SVG_NS = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.entries(props || {}).forEach(([k, v]) => {
    if (k === "class") { node.className = v; }
    else if (k === "dataset") { Object.assign(node.dataset, v); }
    else if (k.startsWith("on")) { node.addEventListener(k.slice(2), v); }
    else if (v !== undefined && v !== null && v !== false) { node.setAttribute(k, v); }
  });
  children.flat().forEach((c) => { if (c !== null && c !== undefined && c !== "") { node.append(c instanceof Node ? c : document.createTextNode(String(c))); } });
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== undefined && v !== null) { node.setAttribute(k, v); } });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function notice(text, isError) {
  const n = $("notice");
  n.textContent = text;
  n.style.color = isError ? "#ffd7d7" : "";
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.textContent = ""; }, 8000);
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** Local wall-clock time with milliseconds: 17:42:03.125 */
function clock(iso) {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A duration in milliseconds, readable: 0.42 ms, 12.3 ms, 1.24 s, 2 min 5 s. */
function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) { return ""; }
  if (value < 1) { return `${value.toFixed(2)} ms`; }
  if (value < 100) { return `${value.toFixed(1)} ms`; }
  if (value < 1000) { return `${Math.round(value)} ms`; }
  if (value < 60000) { return `${(value / 1000).toFixed(value < 10000 ? 2 : 1)} s`; }
  return `${Math.floor(value / 60000)} min ${Math.round((value % 60000) / 1000)} s`;
}

function number(value) {
  if (value === null || value === undefined) { return ""; }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) { return value.toExponential(2); }
  if (abs >= 1e6) { return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`; }
  if (abs >= 1e4) { return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`; }
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== "" && v !== false) { q.set(k, String(v)); } });
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** Keeps the page's filters in its address, so a filtered view can be reloaded, bookmarked or linked. */
function remember(params) {
  history.replaceState(null, "", location.pathname + query(params));
}

function setConnection(text, cls) {
  $("connection").textContent = text;
  $("connection").className = `connection ${cls}`;
}

/** Telemetry off (no receiver in this AppHost): the page says so and why, once. */
function showOff(message) {
  const note = $("telemetry-off");
  note.textContent = message;
  note.hidden = false;
  setConnection("telemetry off", "lost");
}

/** The resources that sent telemetry, with what is kept and dropped (GET /api/telemetry/summary). */
async function loadSummary() {
  try {
    return await getJson("/api/telemetry/summary");
  } catch (err) {
    if (err.status === 404) {
      showOff("Telemetry is off in this AppHost: it receives OTLP only when the dashboard declares an OTLP port (AddDashboard(otlpPort: …)) and Dashboard:OtlpPort is not empty.");
      return null;
    }
    throw err;
  }
}

function fillResources(select, summary, selected, allLabel) {
  const names = (summary ? summary.resources.map((r) => r.resource) : []).sort();
  if (selected && !names.includes(selected)) { names.push(selected); }
  const keep = allLabel === null ? [] : [el("option", { value: "" }, allLabel)];
  select.replaceChildren(...keep, ...names.map((n) => el("option", { value: n }, n)));
  select.value = selected || (allLabel === null && names.length ? names[0] : "");
}

function droppedNote(summary, kind, resource) {
  if (!summary) { return ""; }
  const rows = summary.resources.filter((r) => !resource || r.resource === resource);
  const dropped = rows.reduce((sum, r) => sum + (r[`dropped${kind}`] || 0), 0);
  const cap = summary.caps[`${kind === "MetricPoints" ? "metricPoints" : kind.toLowerCase()}PerResource`];
  const base = `The AppHost keeps the newest ${cap.toLocaleString()} per resource`;
  return dropped > 0 ? `${base}; ${dropped.toLocaleString()} older ones were dropped.` : `${base}.`;
}

/**
 * Follows /api/telemetry/stream and calls onChange(kind, resource) for each change notification; several notifications
 * close together cause one call per (kind, resource) at most every 250 ms on the server side already.
 */
function follow(onChange) {
  const source = new EventSource("/api/telemetry/stream");
  const live = () => setConnection("live", "live");
  source.onopen = live;
  ["logs", "traces", "metrics"].forEach((kind) => source.addEventListener(kind, (e) => {
    live();
    let resource = "";
    try { resource = JSON.parse(e.data).resource; } catch { /* a notification without a body still means "changed" */ }
    onChange(kind, resource);
  }));
  source.onerror = () => setConnection("AppHost not reachable – retrying", "lost");
  return source;
}

/** Runs fn at most once at a time; a call while it runs makes it run once more afterwards. */
function serial(fn) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do { again = false; await fn(); } while (again);
      } catch (err) {
        notice(err.message, true);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

function colorOf(name) {
  let h = 0;
  for (const c of name || "") { h = (h * 31 + c.charCodeAt(0)) >>> 0; }
  return PALETTE[h % PALETTE.length];
}

function resourceTag(name) {
  const tag = el("span", { class: "resource-tag" }, name || "?");
  tag.style.color = colorOf(name);
  return tag;
}

function attributeChips(attributes, limit) {
  const entries = Object.entries(attributes || {});
  const shown = limit ? entries.slice(0, limit) : entries;
  const chips = shown.map(([k, v]) => el("span", { class: "attr", title: `${k} = ${v}` }, el("b", {}, `${k}=`), v));
  if (limit && entries.length > limit) { chips.push(el("span", { class: "attr" }, `+${entries.length - limit} more`)); }
  return chips.length ? el("div", { class: "attrs" }, chips) : "";
}

// ---------------------------------------------------------------------------------------------------------------------
// Structured logs
// ---------------------------------------------------------------------------------------------------------------------

function structuredLogsPage() {
  const params = new URLSearchParams(location.search);
  const filters = {
    resource: params.get("resource") || "",
    minLevel: params.get("minLevel") || "",
    text: params.get("text") || "",
    traceId: params.get("traceId") || "",
  };
  const body = document.querySelector("#structured-logs tbody");
  let lastSeq = 0;
  let summary = null;

  $("filter-level").value = filters.minLevel;
  $("filter-text").value = filters.text;
  if (filters.traceId) {
    const note = $("log-trace-filter");
    note.hidden = false;
    note.replaceChildren(`Trace ${filters.traceId.slice(0, 12)}… only `,
      el("button", { type: "button", onclick: () => { filters.traceId = ""; note.hidden = true; reload(); } }, "Show all"));
  }

  function row(item) {
    const message = el("td", { class: "message" },
      el("span", { class: "text" }, item.message),
      item.template && item.template !== item.message ? el("span", { class: "template", title: "Message template" }, item.template) : "",
      attributeChips(item.attributes, 6));
    const trace = item.traceId
      ? el("a", { class: "trace-link", href: `/traces${query({ trace: item.traceId, span: item.spanId })}`, title: `Open trace ${item.traceId}`, onclick: (e) => e.stopPropagation() }, item.traceId.slice(0, 8))
      : "";
    const tr = el("tr", { dataset: { seq: item.seq, resource: item.resource, level: item.level } },
      el("td", { class: "time", title: item.time }, clock(item.time)),
      el("td", {}, resourceTag(item.resource)),
      el("td", {}, el("span", { class: "level", dataset: { level: item.level } }, item.level)),
      message,
      el("td", {}, trace));
    tr.addEventListener("click", () => toggleDetail(tr, item));
    return tr;
  }

  function toggleDetail(tr, item) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("log-detail")) { next.remove(); tr.classList.remove("selected"); return; }
    tr.classList.add("selected");
    const facts = el("dl", { class: "facts" },
      el("dt", {}, "Time"), el("dd", {}, item.time),
      el("dt", {}, "Resource"), el("dd", {}, item.resource + (item.instanceId ? ` (instance ${item.instanceId})` : "")),
      el("dt", {}, "Category"), el("dd", {}, item.category || "–"),
      el("dt", {}, "Template"), el("dd", { class: "mono" }, item.template || "–"),
      el("dt", {}, "Trace"), el("dd", { class: "mono" }, item.traceId ? el("a", { class: "trace-link", href: `/traces${query({ trace: item.traceId, span: item.spanId })}` }, `${item.traceId} / span ${item.spanId}`) : "–"));
    const attrs = el("table", { class: "kv" }, el("tbody", {}, Object.entries(item.attributes || {}).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v)))));
    tr.after(el("tr", { class: "log-detail" }, el("td", { colspan: "5" }, facts, Object.keys(item.attributes || {}).length ? attrs : "")));
  }

  function currentParams(extra) {
    return { resource: filters.resource, minLevel: filters.minLevel, text: filters.text, traceId: filters.traceId, ...extra };
  }

  // Bumped when the filters change and the rows are cleared: an answer asked for under the old filters is dropped.
  let generation = 0;
  const fetchNew = serial(async () => {
    const asked = generation;
    const data = await getJson(`/api/telemetry/logs${query(currentParams({ afterSeq: lastSeq || undefined }))}`);
    if (asked !== generation) { return; }
    if (data.items.length) {
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      const fragment = document.createDocumentFragment();
      data.items.forEach((item) => fragment.append(row(item)));
      body.append(fragment);
      let excess = body.querySelectorAll("tr:not(.log-detail)").length - MAX_LOG_ROWS;
      while (excess-- > 0) {
        const first = body.firstElementChild;
        if (first.nextElementSibling && first.nextElementSibling.classList.contains("log-detail")) { first.nextElementSibling.remove(); }
        first.remove();
      }
      if (atBottom && lastSeq) { window.scrollTo(0, document.body.scrollHeight); }
    }
    lastSeq = Math.max(lastSeq, data.lastSeq || 0);
    const shown = body.querySelectorAll("tr:not(.log-detail)").length;
    $("logs-empty").hidden = shown > 0;
    $("log-info").textContent = `${shown.toLocaleString()} record(s) shown (this view keeps ${MAX_LOG_ROWS}). ${droppedNote(summary, "Logs", filters.resource)}`;
  });

  async function reload() {
    remember(currentParams());
    generation++;
    body.replaceChildren();
    lastSeq = 0;
    await fetchNew();
  }

  const refreshSummary = serial(async () => {
    summary = await loadSummary();
    if (summary) { fillResources($("filter-resource"), summary, filters.resource, "All"); }
  });

  $("filter-resource").addEventListener("change", (e) => { filters.resource = e.target.value; reload(); });
  $("filter-level").addEventListener("change", (e) => { filters.minLevel = e.target.value; reload(); });
  let typing = null;
  $("filter-text").addEventListener("input", (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => { filters.text = e.target.value; reload(); }, 250);
  });
  $("log-filters").addEventListener("submit", (e) => e.preventDefault());

  (async () => {
    await refreshSummary();
    if (!summary) { return; }
    await reload();
    follow((kind, resource) => {
      if (kind !== "logs") { return; }
      if (!$("filter-resource").querySelector(`option[value="${CSS.escape(resource)}"]`)) { refreshSummary(); }
      if ($("live").checked && (!filters.resource || filters.resource === resource)) { fetchNew(); }
    });
  })().catch((err) => notice(err.message, true));
}

// ---------------------------------------------------------------------------------------------------------------------
// Traces
// ---------------------------------------------------------------------------------------------------------------------

function tracesPage() {
  const params = new URLSearchParams(location.search);
  const filters = { resource: params.get("resource") || "", errorsOnly: params.get("errorsOnly") === "true" };
  let openTrace = params.get("trace") || "";
  let openSpan = params.get("span") || "";
  let summary = null;
  $("filter-errors").checked = filters.errorsOnly;

  function remembered() {
    remember({ resource: filters.resource, errorsOnly: filters.errorsOnly || "", trace: openTrace, span: openSpan });
  }

  const loadList = serial(async () => {
    const data = await getJson(`/api/telemetry/traces${query({ resource: filters.resource, errorsOnly: filters.errorsOnly })}`);
    const body = document.querySelector("#traces tbody");
    const longest = Math.max(1, ...data.items.map((t) => t.durationMs));
    body.replaceChildren(...data.items.map((t) => {
      const bar = el("span", { class: "duration-bar" });
      bar.style.width = `${Math.max(2, Math.round((t.durationMs / longest) * 110))}px`;
      const tr = el("tr", { dataset: { traceId: t.traceId, root: t.rootName || "", rootResource: t.rootResource || "" }, class: t.traceId === openTrace ? "selected" : "" },
        el("td", { class: "time", title: t.start }, clock(t.start)),
        el("td", { class: "root" }, resourceTag(t.rootResource), " ", el("span", { class: "span-name" }, t.rootName || "(root span not received)")),
        el("td", { class: "resources" }, t.resources.map(resourceTag)),
        el("td", { class: "num" }, t.spanCount),
        el("td", {}, el("span", { class: "duration-cell" }, bar, ms(t.durationMs))),
        el("td", { class: "num" }, t.errorCount > 0 ? el("span", { class: "errors-badge", title: `${t.errorCount} span(s) with Error status` }, t.errorCount) : el("span", { class: "errors-none" }, "0")));
      tr.addEventListener("click", () => openWaterfall(t.traceId, ""));
      return tr;
    }));
    $("traces-empty").hidden = data.items.length > 0;
    $("trace-info").textContent = `${data.items.length} trace(s), newest first; a trace whose spans come from several resources is one row. ${droppedNote(summary, "Spans", filters.resource)}`;
  });

  async function openWaterfall(traceId, spanId) {
    openTrace = traceId;
    openSpan = spanId || "";
    remembered();
    document.querySelectorAll("#traces tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.traceId === traceId));
    scrollToTrace = true;
    await loadTrace();
  }

  let scrollToTrace = false;
  const loadTrace = serial(async () => {
    if (!openTrace) { return; }
    const scroll = scrollToTrace;
    scrollToTrace = false;
    let data;
    try {
      data = await getJson(`/api/telemetry/traces/${encodeURIComponent(openTrace)}`);
    } catch (err) {
      $("trace-detail").hidden = false;
      $("trace-name").textContent = openTrace;
      $("trace-summary").textContent = err.message;
      $("waterfall").replaceChildren();
      $("span-detail").hidden = true;
      return;
    }
    renderWaterfall(data);
    if (scroll) { $("trace-detail").scrollIntoView({ block: "start" }); }
  });

  function renderWaterfall(data) {
    const spans = data.spans;
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const children = new Map();
    const roots = [];
    spans.forEach((s) => {
      if (s.parentSpanId && byId.has(s.parentSpanId)) {
        if (!children.has(s.parentSpanId)) { children.set(s.parentSpanId, []); }
        children.get(s.parentSpanId).push(s);
      } else {
        roots.push(s); // the root, or a span whose parent was not received (yet)
      }
    });
    const start = Math.min(...spans.map((s) => Date.parse(s.start)));
    const end = Math.max(...spans.map((s) => Date.parse(s.end)));
    // Sub-millisecond precision: Date.parse drops it, the spans' own durations keep it.
    const total = Math.max(end - start, ...spans.map((s) => s.durationMs), 0.001);
    const ordered = [];
    const visit = (s, depth) => { ordered.push([s, depth]); (children.get(s.spanId) || []).forEach((c) => visit(c, depth + 1)); };
    roots.forEach((r) => visit(r, 0));

    const root = roots[0];
    const resources = [...new Set(spans.map((s) => s.resource))];
    const errors = spans.filter((s) => s.status === "Error").length;
    $("trace-detail").hidden = false;
    $("trace-detail").dataset.traceId = data.traceId;
    $("trace-name").textContent = root ? root.name : data.traceId;
    $("trace-summary").replaceChildren(
      `${data.traceId} · ${spans.length} span(s) · ${ms(total)} · `, ...resources.map(resourceTag),
      errors ? el("span", { class: "errors-badge" }, `${errors} error(s)`) : "",
      " ", el("a", { class: "trace-link", href: `/structuredlogs${query({ traceId: data.traceId })}` }, "Logs of this trace"));

    const scale = el("div", { class: "wf-scale" }, el("div", { class: "wf-name" }, "Span"), el("div", { class: "ticks" },
      [0, 0.25, 0.5, 0.75, 1].map((f) => { const t = el("span", { class: "tick" }, ms(total * f)); t.style.left = f === 1 ? "calc(100% - 4px)" : `${f * 100}%`; if (f === 1) { t.style.transform = "translateX(-100%)"; } return t; })));
    const rows = ordered.map(([s, depth]) => {
      const offset = Date.parse(s.start) - start;
      const bar = el("div", { class: "wf-bar", title: `${s.name}: ${ms(s.durationMs)}` });
      bar.style.left = `${(offset / total) * 100}%`;
      bar.style.width = `${Math.max((s.durationMs / total) * 100, 0.2)}%`;
      bar.style.background = s.status === "Error" ? "" : colorOf(s.resource);
      const label = el("span", { class: "wf-label" }, ms(s.durationMs));
      const right = (offset + s.durationMs) / total;
      if (right > 0.85) { label.style.right = `${(1 - offset / total) * 100 + 0.5}%`; } else { label.style.left = `calc(${right * 100}% + 4px)`; }
      const what = subtitle(s);
      const name = el("div", { class: "wf-name", title: `${s.name} (${s.resource})${what ? `: ${what}` : ""}` },
        el("span", { class: "span-name" }, s.name), " ", resourceTag(s.resource), what ? el("span", { class: "span-sub" }, what) : "");
      name.style.paddingLeft = `${8 + depth * 16}px`;
      const row = el("div", { class: `wf-row${s.status === "Error" ? " error" : ""}`, role: "treeitem", "aria-level": depth + 1, dataset: { spanId: s.spanId, name: s.name, resource: s.resource } },
        name, el("div", { class: "wf-track" }, bar, label));
      row.addEventListener("click", () => showSpan(s, start));
      return row;
    });
    $("waterfall").replaceChildren(scale, ...rows);
    const chosen = byId.get(openSpan);
    if (chosen) { showSpan(chosen, start); } else { $("span-detail").hidden = true; }
  }

  // What a generic span name ("postgresql", "GET") does not say: the statement, or the request's address.
  function subtitle(s) {
    const a = s.attributes || {};
    const text = a["db.query.text"] || a["db.statement"] || (a["url.full"] ? `${a["url.full"]}${a["http.response.status_code"] ? ` → ${a["http.response.status_code"]}` : ""}` : "");
    const line = text.replace(/\s+/g, " ").trim();
    return line.length > 90 ? `${line.slice(0, 87)}…` : line;
  }

  function showSpan(s, traceStart) {
    openSpan = s.spanId;
    remembered();
    document.querySelectorAll("#waterfall .wf-row").forEach((r) => r.classList.toggle("selected", r.dataset.spanId === s.spanId));
    const panel = $("span-detail");
    panel.hidden = false;
    panel.dataset.spanId = s.spanId;
    $("span-title").textContent = s.name;
    const fact = (k, v, cls) => [el("dt", {}, k), el("dd", { class: cls || "" }, v)];
    $("span-facts").replaceChildren(
      ...fact("Resource", s.resource),
      ...fact("Duration", `${ms(s.durationMs)} (starts at +${ms(Date.parse(s.start) - traceStart)})`),
      ...fact("Status", s.status + (s.statusMessage ? `: ${s.statusMessage}` : ""), s.status === "Error" ? "error" : ""),
      ...fact("Kind", s.kind),
      ...fact("Scope", s.scope || "–"),
      ...fact("Span", `${s.spanId}${s.parentSpanId ? ` (parent ${s.parentSpanId})` : " (root)"}`));
    const attrs = Object.entries(s.attributes || {});
    document.querySelector("#span-attributes tbody").replaceChildren(...(attrs.length
      ? attrs.map(([k, v]) => el("tr", { dataset: { attribute: k } }, el("td", {}, k), el("td", {}, v)))
      : [el("tr", {}, el("td", { colspan: "2", class: "hint" }, "No attributes."))]));
    $("span-events").replaceChildren(...(s.events.length
      ? s.events.map((e) => el("div", { class: `event${e.name === "exception" ? " exception" : ""}` },
        el("div", { class: "event-head" }, `${e.name} at +${ms(Date.parse(e.time) - traceStart)}`),
        el("table", { class: "kv" }, el("tbody", {}, Object.entries(e.attributes || {}).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v)))))))
      : [el("p", { class: "hint" }, "No events.")]));
  }

  const refreshSummary = serial(async () => {
    summary = await loadSummary();
    if (summary) { fillResources($("filter-resource"), summary, filters.resource, "All"); }
  });

  $("filter-resource").addEventListener("change", (e) => { filters.resource = e.target.value; remembered(); loadList(); });
  $("filter-errors").addEventListener("change", (e) => { filters.errorsOnly = e.target.checked; remembered(); loadList(); });
  $("trace-filters").addEventListener("submit", (e) => e.preventDefault());

  (async () => {
    await refreshSummary();
    if (!summary) { return; }
    await loadList();
    if (openTrace) { scrollToTrace = true; await loadTrace(); }
    follow((kind, resource) => {
      if (kind !== "traces" || !$("live").checked) { return; }
      if (!$("filter-resource").querySelector(`option[value="${CSS.escape(resource)}"]`)) { refreshSummary(); }
      loadList();
      // Spans of the open trace may still arrive (another process exports later).
      if (openTrace) { loadTrace(); }
    });
  })().catch((err) => notice(err.message, true));
}

// ---------------------------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------------------------

function metricsPage() {
  const params = new URLSearchParams(location.search);
  let resource = params.get("resource") || "";
  let chosen = null;
  let fromAddress = params.get("meter") !== null && params.get("name") ? { meter: params.get("meter"), name: params.get("name") } : null;
  let metric = null; // { type, unit, points: [...] } of the chosen instrument, grown by afterTime fetches
  let summary = null;

  function remembered() {
    const c = chosen || fromAddress;
    remember({ resource, meter: c ? c.meter : "", name: c ? c.name : "" });
  }

  const loadInstruments = serial(async () => {
    if (!resource) { return; }
    const data = await getJson(`/api/telemetry/metrics${query({ resource })}`);
    const body = document.querySelector("#instruments tbody");
    body.replaceChildren(...data.items.map((i) => {
      const isChosen = chosen && chosen.meter === i.meter && chosen.name === i.name;
      const tr = el("tr", { dataset: { meter: i.meter, name: i.name, type: i.type }, class: isChosen ? "selected" : "" },
        el("td", { title: i.description || "" }, el("div", { class: "span-name" }, i.name), el("div", { class: "hint" }, i.meter)),
        el("td", {}, i.type), el("td", { class: "mono" }, i.unit || ""), el("td", { class: "num" }, i.points));
      tr.addEventListener("click", () => choose(i));
      return tr;
    }));
    $("instruments-empty").hidden = data.items.length > 0;
    if (fromAddress) {
      const found = data.items.find((i) => i.meter === fromAddress.meter && i.name === fromAddress.name);
      if (found) { fromAddress = null; choose(found); }
    }
  });

  function choose(instrument) {
    chosen = { meter: instrument.meter, name: instrument.name };
    metric = null;
    remembered();
    document.querySelectorAll("#instruments tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.meter === instrument.meter && tr.dataset.name === instrument.name));
    $("chart-title").textContent = instrument.name;
    $("chart-description").textContent = [instrument.description, `${instrument.type}${instrument.unit ? `, unit ${instrument.unit}` : ""}`, `meter ${instrument.meter}`].filter(Boolean).join(" · ");
    $("chart").replaceChildren(el("p", { class: "hint" }, "loading…"));
    $("chart-legend").replaceChildren();
    loadPoints();
  }

  const loadPoints = serial(async () => {
    if (!chosen) { return; }
    const after = metric && metric.points.length ? metric.points[metric.points.length - 1].time : undefined;
    const data = await getJson(`/api/telemetry/metric${query({ resource, meter: chosen.meter, name: chosen.name, afterTime: after })}`);
    if (data.meter !== chosen.meter || data.name !== chosen.name) { return; }
    if (!metric) { metric = { type: data.type, unit: data.unit, points: [] }; }
    metric.points.push(...data.points);
    draw();
  });

  const seriesKey = (attributes) => Object.entries(attributes || {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(", ");

  function draw() {
    const chart = $("chart");
    chart.dataset.type = metric.type;
    chart.dataset.points = metric.points.length;
    if (!metric.points.length) {
      chart.replaceChildren(el("p", { class: "hint" }, "No point yet."));
      return;
    }
    if (metric.type === "histogram") { drawHistogram(chart); } else { drawLines(chart); }
  }

  // Counters (cumulative), up-down counters and gauges: one line per attribute set, value over time.
  function drawLines(chart) {
    const groups = new Map();
    metric.points.forEach((p) => {
      const key = seriesKey(p.attributes);
      if (!groups.has(key)) { groups.set(key, []); }
      groups.get(key).push({ t: Date.parse(p.time), v: p.value });
    });
    const series = [...groups.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, SERIES_LIMIT);
    const all = series.flatMap(([, pts]) => pts);
    const W = 640; const H = 280; const L = 56; const R = 12; const T = 12; const B = 28;
    let t0 = Math.min(...all.map((p) => p.t)); let t1 = Math.max(...all.map((p) => p.t));
    if (t1 === t0) { t0 -= 1000; t1 += 1000; }
    let v0 = Math.min(0, ...all.map((p) => p.v)); let v1 = Math.max(...all.map((p) => p.v));
    if (v1 === v0) { v1 = v0 + 1; }
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => H - B - ((v - v0) / (v1 - v0)) * (H - T - B);
    const g = svg("svg", { class: "chart-svg", viewBox: `0 0 ${W} ${H}`, "data-series": series.length });
    for (let i = 0; i <= 4; i++) {
      const v = v0 + ((v1 - v0) * i) / 4;
      g.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v) }), svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, number(v)));
    }
    for (let i = 0; i <= 3; i++) {
      const t = t0 + ((t1 - t0) * i) / 3;
      const label = clock(new Date(t).toISOString());
      g.append(svg("text", { x: x(t), y: H - 8, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" }, t1 - t0 < 10000 ? label : label.slice(0, 8)));
    }
    g.append(svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }), svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
    series.forEach(([key, pts], index) => {
      const color = PALETTE[index % PALETTE.length];
      const d = pts.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
      g.append(svg("path", { class: "series", d, stroke: color, "data-series": key }, svg("title", {}, key || "(no attributes)")));
      if (pts.length === 1) { g.append(svg("circle", { cx: x(pts[0].t), cy: y(pts[0].v), r: 3, fill: color })); }
    });
    chart.replaceChildren(g);
    $("chart-legend").replaceChildren(...series.map(([key, pts], index) => {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = PALETTE[index % PALETTE.length];
      return el("span", {}, swatch, `${key || "(no attributes)"}: ${number(pts[pts.length - 1].v)}${metric.unit ? ` ${metric.unit}` : ""}`);
    }), groups.size > SERIES_LIMIT ? el("span", { class: "hint" }, `${groups.size - SERIES_LIMIT} more series not drawn`) : "");
  }

  // Histograms: the newest point of every attribute set, buckets summed, as bars; count, sum and mean beneath.
  function drawHistogram(chart) {
    const newest = new Map();
    metric.points.forEach((p) => newest.set(seriesKey(p.attributes), p));
    const latest = [...newest.values()].filter((p) => p.bounds && p.bucketCounts);
    if (!latest.length) {
      chart.replaceChildren(el("p", { class: "hint" }, "No bucket in the points received."));
      return;
    }
    const bounds = latest[0].bounds;
    const counts = new Array(bounds.length + 1).fill(0);
    let count = 0; let sum = 0;
    latest.forEach((p) => {
      count += p.count || 0; sum += p.sum || 0;
      if (p.bounds.length === bounds.length) { p.bucketCounts.forEach((c, i) => { counts[i] += c; }); }
    });
    // Trim empty buckets at both ends so the distribution fills the chart.
    let first = counts.findIndex((c) => c > 0); let last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
    if (first < 0) { first = 0; last = counts.length - 1; }
    const shown = counts.slice(first, last + 1);
    const label = (i) => (i === 0 ? `≤ ${number(bounds[0])}` : i >= bounds.length ? `> ${number(bounds[bounds.length - 1])}` : `≤ ${number(bounds[i])}`);
    const W = 640; const H = 280; const L = 48; const R = 12; const T = 12; const B = 40;
    const top = Math.max(1, ...shown);
    const ticks = Math.min(4, top); // whole counts on the axis
    const step = Math.ceil(top / ticks);
    const max = step * ticks;
    const slot = (W - L - R) / shown.length;
    const g = svg("svg", { class: "chart-svg", viewBox: `0 0 ${W} ${H}`, "data-buckets": shown.length });
    for (let i = 0; i <= ticks; i++) {
      const v = step * i;
      const yy = H - B - (v / max) * (H - T - B);
      g.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: yy, y2: yy }), svg("text", { x: L - 6, y: yy + 4, "text-anchor": "end" }, number(v)));
    }
    shown.forEach((c, i) => {
      const h = (c / max) * (H - T - B);
      const bx = L + i * slot + slot * 0.1;
      g.append(svg("rect", { class: "bar", x: bx, y: H - B - h, width: slot * 0.8, height: Math.max(h, c > 0 ? 1 : 0) }, svg("title", {}, `${label(first + i)}${metric.unit ? ` ${metric.unit}` : ""}: ${c}`)));
      if (shown.length <= 16 || i % Math.ceil(shown.length / 16) === 0) {
        g.append(svg("text", { x: bx + slot * 0.4, y: H - B + 14, "text-anchor": "middle" }, label(first + i)));
      }
    });
    g.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
    chart.replaceChildren(g);
    $("chart-legend").replaceChildren(el("span", {}, `count ${number(count)} · sum ${number(sum)}${metric.unit ? ` ${metric.unit}` : ""} · mean ${count ? number(sum / count) : "–"}${metric.unit ? ` ${metric.unit}` : ""} · ${latest.length} attribute set(s), newest point of each`));
  }

  const refreshSummary = serial(async () => {
    summary = await loadSummary();
    if (!summary) { return; }
    if (!resource && summary.resources.length) { resource = summary.resources.map((r) => r.resource).sort()[0]; }
    fillResources($("filter-resource"), summary, resource, null);
  });

  $("filter-resource").addEventListener("change", (e) => {
    resource = e.target.value;
    chosen = null;
    fromAddress = null;
    metric = null;
    $("chart-title").textContent = "Choose an instrument";
    $("chart-description").textContent = "";
    $("chart").replaceChildren();
    $("chart-legend").replaceChildren();
    remembered();
    loadInstruments();
  });
  $("metric-filters").addEventListener("submit", (e) => e.preventDefault());

  (async () => {
    await refreshSummary();
    if (!summary) { return; }
    if (!resource) { $("instruments-empty").hidden = false; $("instruments-empty").textContent = "No resource has sent metrics yet."; }
    await loadInstruments();
    follow((kind, changed) => {
      if (kind !== "metrics") { return; }
      if (!resource || !$("filter-resource").querySelector(`option[value="${CSS.escape(changed)}"]`)) {
        refreshSummary().then(() => { if (resource === changed) { loadInstruments(); } });
        return;
      }
      if (!$("live").checked || changed !== resource) { return; }
      loadInstruments();
      loadPoints();
    });
  })().catch((err) => notice(err.message, true));
}

// Streams open after "load", so the browser does not show the page as loading forever.
window.addEventListener("load", () => {
  const page = document.body.dataset.page;
  if (page === "logs") { structuredLogsPage(); }
  else if (page === "traces") { tracesPage(); }
  else if (page === "metrics") { metricsPage(); }
});
