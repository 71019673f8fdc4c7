"""`GET /dashboard`: a page to watch jobs, plain HTML and JavaScript, no build step.

The page calls the public API from the browser with the API key the user types in; the key is
kept in `sessionStorage` only (gone with the tab, never in a cookie, never sent to the page
route). Jobs list with the list filters and cursor paging, counts by status and endpoint over the
newest matching jobs, and a job's detail following its events live: the job's event stream
(`GET /v1/jobs/{id}/events`, server-sent events, read with fetch so the key can go in a header)
when the gateway serves it, else polling `/status` every second. A finished job shows its
history: the stream replays its events, each at the time it happened, and ends.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jobstream · jobs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center}
header h1{font-size:16px;margin:0 12px 0 0}main{display:grid;grid-template-columns:3fr 2fr;gap:16px;
padding:16px}section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 6px;
border-bottom:1px solid #eaeef2}tr[data-id]{cursor:pointer}tr[data-id]:hover{background:#f0f6ff}
.s-completed{color:#1a7f37}.s-failed{color:#cf222e}.s-in_progress{color:#9a6700}
.s-cancelled,.s-expired{color:#57606a}#counts span{display:inline-block;margin:0 10px 4px 0}
#error{color:#cf222e}input,select,button{font:inherit}
</style></head><body>
<header><h1>jobstream</h1>
<input id="api-key" type="password" placeholder="API key" size="36">
<button id="save-key">Use key</button><button id="forget-key">Forget</button>
<span id="who"></span></header>
<main><section>
<form id="filters">
<label>Status <select id="status-filter"><option value="">any</option>
<option>queued</option><option>in_progress</option><option>completed</option>
<option>failed</option><option>cancelled</option><option>expired</option></select></label>
<label>Endpoint <input id="endpoint-filter" placeholder="/v1/documents/parse" size="24"></label>
<label>Metadata <input id="metadata-filter" placeholder='{"team":"docs"}' size="16"></label>
<button id="apply" type="submit">Apply</button></form>
<p id="error"></p><div id="counts"></div>
<table id="jobs"><thead><tr><th>id</th><th>endpoint</th><th>status</th><th>created</th></tr>
</thead><tbody></tbody></table>
<p><button id="prev" disabled>← newer</button> <button id="next" disabled>older →</button></p>
</section><section id="detail"><h2>Job</h2><p>Select a job.</p></section></main>
<script src="/dashboard/app.js"></script></body></html>
"""

SCRIPT = r"""
"use strict";
const KEY = "jobstream.apiKey";
const TERMINAL = new Set(["completed", "failed", "cancelled", "expired"]);
const STATUS_OF = {"job.created": "queued", "job.retry_requested": "queued",
  "job.started": "in_progress", "job.completed": "completed", "job.failed": "failed",
  "job.cancelled": "cancelled", "job.expired": "expired"};
const $ = (id) => document.getElementById(id);
let page = {}, follow = null;

function key() { return sessionStorage.getItem(KEY) || ""; }
async function api(path) {
  const resp = await fetch(path, {headers: {"Api-Key": key()}});
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((body.detail && body.detail.code) || resp.status);
  return body;
}
function filters() {
  const q = new URLSearchParams();
  if ($("status-filter").value) q.append("status", $("status-filter").value);
  if ($("endpoint-filter").value.trim()) q.append("endpoint", $("endpoint-filter").value.trim());
  if ($("metadata-filter").value.trim()) q.append("metadata", $("metadata-filter").value.trim());
  return q;
}
function cell(text, cls) {
  const td = document.createElement("td"); td.textContent = text;
  if (cls) td.className = cls; return td;
}
function when(seconds) { return seconds ? new Date(seconds * 1000).toLocaleString() : ""; }

async function load(cursor) {
  $("error").textContent = "";
  const q = filters(); q.set("limit", "20");
  if (cursor) q.set(cursor[0], cursor[1]);
  try { page = await api("/v1/jobs?" + q); }
  catch (e) { $("error").textContent = e.message; return; }
  const body = document.querySelector("#jobs tbody"); body.replaceChildren();
  for (const job of page.data) {
    const tr = document.createElement("tr"); tr.dataset.id = job.id;
    tr.append(cell(job.id), cell(job.endpoint), cell(job.status, "s-" + job.status),
              cell(when(job.created_at)));
    tr.addEventListener("click", () => open(job.id)); body.append(tr);
  }
  $("next").disabled = !(page.has_more && page.last_id);
  $("prev").disabled = !cursor || !page.first_id;
  counts();
}

async function counts() {
  const tally = {status: {}, endpoint: {}}; let seen = 0, after = null;
  for (let i = 0; i < 5; i++) {
    const q = filters(); q.set("limit", "100"); if (after) q.set("after", after);
    const part = await api("/v1/jobs?" + q).catch(() => null); if (!part) break;
    for (const job of part.data) {
      seen++;
      tally.status[job.status] = (tally.status[job.status] || 0) + 1;
      tally.endpoint[job.endpoint] = (tally.endpoint[job.endpoint] || 0) + 1;
    }
    if (!part.has_more) break; after = part.last_id;
  }
  const box = $("counts"); box.replaceChildren();
  const title = document.createElement("strong"); title.textContent = `newest ${seen}: `;
  box.append(title);
  for (const [group, values] of Object.entries(tally))
    for (const [name, n] of Object.entries(values).sort()) {
      const s = document.createElement("span"); s.dataset.count = group + ":" + name;
      s.textContent = `${name} ${n}`; box.append(s);
    }
}

function show(job) {
  const d = $("detail"); d.replaceChildren();
  const h = document.createElement("h2"); h.textContent = job.id; d.append(h);
  const dl = document.createElement("dl");
  const rows = [["status", job.status], ["endpoint", job.endpoint],
    ["attempts", job.attempt_count], ["created", when(job.created_at)],
    ["started", when(job.started_at)], ["completed", when(job.completed_at)],
    ["error", job.error ? job.error.code + ": " + job.error.message : ""],
    ["metadata", job.metadata ? JSON.stringify(job.metadata) : ""]];
  for (const [name, value] of rows) {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); dd.textContent = value ?? "";
    dd.id = "detail-" + name; if (name === "status") dd.className = "s-" + value;
    dl.append(dt, dd);
  }
  const ol = document.createElement("ol"); ol.id = "events";
  d.append(dl, document.createElement("h3"), ol);
  d.querySelector("h3").textContent = "Events";
}
function event(text, at) {  // at: the event's created_at (seconds), else now
  const li = document.createElement("li");
  const time = at ? new Date(at * 1000) : new Date();
  li.textContent = time.toLocaleTimeString() + "  " + text; $("events").append(li);
}
function setStatus(status) {
  const dd = $("detail-status"); dd.textContent = status; dd.className = "s-" + status;
  const row = document.querySelector(`tr[data-id="${CSS.escape(page.current)}"] td:nth-child(3)`);
  if (row) { row.textContent = status; row.className = "s-" + status; }
  if (TERMINAL.has(status)) counts();
}

async function open(id) {
  if (follow) follow.abort();
  const ctrl = follow = new AbortController(); page.current = id;
  const job = await api("/v1/jobs/" + id); show(job);
  if (TERMINAL.has(job.status)) {
    // Its history: the stream replays the job's events and ends at the terminal one. Events past
    // Kafka's retention are gone: then, after a few seconds, the status is all there is.
    const timer = setTimeout(() => ctrl.abort(), 5000);
    await stream(id, ctrl.signal); clearTimeout(timer);
    if (!$("events").children.length) event("status " + job.status);
    return;
  }
  event("status " + job.status);
  if (!(await stream(id, ctrl.signal))) poll(id, job.status, ctrl.signal);
}
async function stream(id, signal) {
  let resp;
  try {
    resp = await fetch(`/v1/jobs/${id}/events`, {headers: {"Api-Key": key(),
      "Accept": "text/event-stream"}, signal});
  } catch (e) { return false; }
  if (!resp.ok || !resp.body) return false;
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader(); let buffer = "";
  for (;;) {
    const {value, done} = await reader.read().catch(() => ({done: true}));
    if (done) break;
    buffer += value; let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim()).join("\n");
      if (!data) continue;
      let ev; try { ev = JSON.parse(data); } catch (e) { continue; }
      const status = STATUS_OF[ev.type];
      event(ev.type || "event", ev.created_at); if (status) setStatus(status);
      if (status && TERMINAL.has(status)) { await refresh(id, status, signal); return true; }
    }
  }
  return true;
}
async function refresh(id, status, signal) {
  // The read model follows the log a moment later (the projector batches): wait for it to show
  // the end the stream announced, a couple of seconds at most, and show that end either way,
  // unless another job (or this one again) was opened meanwhile.
  const events = $("events").innerHTML; let job = await api("/v1/jobs/" + id);
  for (let i = 0; i < 20 && job.status !== status && !signal.aborted; i++) {
    await new Promise((r) => setTimeout(r, 100)); job = await api("/v1/jobs/" + id);
  }
  if (follow && follow.signal !== signal) return;
  show(job); $("events").innerHTML = events; setStatus(status);
}
async function poll(id, last, signal) {
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 1000));
    if (signal.aborted) return;
    const s = await api(`/v1/jobs/${id}/status`).catch(() => null);
    if (!s || s.status === last) continue;
    last = s.status; event("status " + s.status); setStatus(s.status);
    if (TERMINAL.has(s.status)) { await refresh(id, s.status, signal); return; }
  }
}

$("save-key").addEventListener("click", () => {
  sessionStorage.setItem(KEY, $("api-key").value.trim()); $("api-key").value = ""; load();
});
$("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(KEY); location.reload();
});
$("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
$("next").addEventListener("click", () => load(["after", page.last_id]));
$("prev").addEventListener("click", () => load(["before", page.first_id]));
if (key()) load();
"""


@router.get("/dashboard", include_in_schema=False)
async def dashboard_page() -> Response:
    """The page itself carries no data: everything comes from the API with the user's key."""
    csp = "default-src 'self'; style-src 'unsafe-inline'"
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
               "Content-Security-Policy": csp}  # fmt: skip
    return HTMLResponse(PAGE, headers=headers)


@router.get("/dashboard/app.js", include_in_schema=False)
async def dashboard_script() -> Response:
    return Response(SCRIPT, media_type="text/javascript", headers={"Cache-Control": "no-store"})
