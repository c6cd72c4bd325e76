/// The status page of a node, served at `GET /` and `GET /explorer` (docs/API.md, "Status
/// page"): one HTML document with its script and styles inline — no build step, no external
/// asset, nothing but this node's own API (CSP enforces it). It reads the chain over
/// JSON-RPC (`POST /`), the mempool from `/metrics`, and stays live over the WebSocket
/// (`/ws`: `newHeads`, `jobs`, `batches`), falling back to polling while the socket is down.
///
/// What it shows: the head, the block rate and the mempool; the newest blocks; batches and
/// their L1 state; the latest jobs by status; and a search by address (balance, credit, what
/// is claimable on L1, its jobs), job id, transaction hash or block number. `?q=…` in the
/// address runs a search on load, so a search result can be linked to.
///
/// Kept as a Swift string (not a bundle resource) so the page ships inside the one binary.
enum ExplorerPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EMETH L2 status</title>
<style>
:root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --mute:#6b7385; --line:#e3e6ec; --accent:#3b5bdb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:center; gap:16px; padding:12px 20px; background:#1d2330; color:#fff; }
header h1 { font-size:17px; margin:0; font-weight:600; }
header .chain { color:#aab3c5; font-size:13px; }
#live { margin-left:auto; font-size:13px; color:#aab3c5; }
#live::before { content:""; display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:6px; background:#999; }
#live.on::before { background:#37b24d; } #live.poll::before { background:#f59f00; } #live.off::before { background:#e03131; }
main { max-width:1180px; margin:0 auto; padding:16px 20px 40px; display:grid; gap:16px; grid-template-columns: 1fr 1fr; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:14px; margin:0 0 8px; color:var(--mute); font-weight:600; text-transform:uppercase; letter-spacing:.04em; }
.stats { display:flex; gap:28px; flex-wrap:wrap; }
.stat b { display:block; font-size:26px; font-weight:600; font-variant-numeric: tabular-nums; }
.stat span { color:var(--mute); font-size:12px; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--mute); font-weight:500; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; }
.scroll { overflow-x:auto; }
.badge { display:inline-block; padding:1px 7px; border-radius:9px; font-size:11px; font-weight:600; background:#e9ecef; color:#495057; }
.s-posted { background:#fff3bf; color:#8a6d00; } .s-committed { background:#d0ebff; color:#1864ab; }
.s-final { background:#d3f9d8; color:#2b8a3e; } .s-challenged { background:#ffe3e3; color:#c92a2a; }
.s-REQUESTED { background:#fff3bf; color:#8a6d00; } .s-PROCESSING { background:#d0ebff; color:#1864ab; }
.s-SUBMITTED { background:#e5dbff; color:#5f3dc4; } .s-VERIFIED, .s-COMPLETED { background:#d3f9d8; color:#2b8a3e; }
.s-CANCELED, .s-TIMEOUT, .s-FAILED, .s-DECLINED { background:#ffe3e3; color:#c92a2a; } .s-SPLIT { background:#e3fafc; color:#0b7285; }
form { display:flex; gap:8px; }
input[type=search] { flex:1; padding:7px 10px; border:1px solid var(--line); border-radius:6px; font:inherit; }
button { padding:7px 14px; border:0; border-radius:6px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; }
.tabs { display:flex; gap:4px; flex-wrap:wrap; margin-bottom:8px; }
.tabs button { background:#e9ecef; color:var(--ink); padding:3px 10px; font-size:12px; }
.tabs button.on { background:var(--accent); color:#fff; }
dl { display:grid; grid-template-columns: max-content 1fr; gap:3px 14px; margin:8px 0 0; }
dt { color:var(--mute); } dd { margin:0; overflow-wrap:anywhere; }
.note { color:var(--mute); font-size:12px; } .err { color:#c92a2a; }
a { color:var(--accent); text-decoration:none; cursor:pointer; }
@media (max-width: 800px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><h1>EMETH L2</h1><span class="chain" id="chain">…</span><span id="live">connecting</span></header>
<main>
<section class="wide">
  <div class="stats">
    <div class="stat"><b id="head">…</b><span>head block</span></div>
    <div class="stat"><b id="rate">…</b><span>blocks / minute (last blocks)</span></div>
    <div class="stat"><b id="mempool">…</b><span>transactions in the mempool</span></div>
    <div class="stat"><b id="final">…</b><span>newest final batch</span></div>
  </div>
</section>
<section class="wide">
  <h2>Search</h2>
  <form id="search"><input type="search" id="q" placeholder="address, job id, transaction hash or block number" autocomplete="off"><button>Search</button></form>
  <div id="result"></div>
</section>
<section>
  <h2>Blocks</h2>
  <div class="scroll"><table><thead><tr><th>number</th><th>time</th><th>txs</th><th>hash</th></tr></thead><tbody id="blocks"></tbody></table></div>
</section>
<section>
  <h2>Batches on L1</h2>
  <div class="scroll"><table><thead><tr><th>batch</th><th>blocks</th><th>state</th><th>L1 transaction</th></tr></thead><tbody id="batches"></tbody></table></div>
  <div id="batch-note" class="note"></div>
</section>
<section class="wide">
  <h2>Latest jobs</h2>
  <div class="tabs" id="tabs"></div>
  <div class="scroll"><table><thead><tr><th>job id</th><th>status</th><th>owner</th><th>node</th><th>program</th><th>fuel used / limit</th><th>updated</th></tr></thead><tbody id="jobs"></tbody></table></div>
</section>
</main>
<script>
"use strict";
const STATUSES = ["REQUESTED","PROCESSING","SUBMITTED","VERIFIED","CANCELED","TIMEOUT","FAILED","DECLINED","SPLIT","COMPLETED"];
const $ = id => document.getElementById(id);
let seq = 0, head = null, tab = "ALL";
const blocks = [];            // newest first: {number, timestamp, txCount, hash}
const jobs = new Map();       // jobId -> job JSON, as emeth_getJob returns it

async function post(body) {
  const r = await fetch("/", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  return r.json();
}
async function rpc(method, ...params) {
  const j = await post({jsonrpc: "2.0", id: ++seq, method, params});
  if (j.error) throw new Error(j.error.message);
  return j.result;
}
async function rpcBatch(calls) {     // [[method, params]] -> [{result} | {error}] in order
  if (!calls.length) return [];
  const first = seq + 1;
  const out = await post(calls.map(([method, params]) => ({jsonrpc: "2.0", id: ++seq, method, params})));
  const byId = new Map((Array.isArray(out) ? out : [out]).map(r => [r.id, r]));
  return calls.map((_, i) => byId.get(first + i) || {error: {message: "no answer"}});
}

const num = q => q == null ? null : Number(BigInt(q));
function emt(q) {
  const v = BigInt(q), unit = 10n ** 18n, whole = v / unit;
  const frac = (v % unit).toString().padStart(18, "0").replace(/0+$/, "");
  return (frac ? `${whole}.${frac}` : `${whole}`) + " EMT";
}
const short = h => h && h.length > 14 ? h.slice(0, 8) + "…" + h.slice(-4) : h;
const when = ts => new Date(ts * 1000).toLocaleTimeString();
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") e.onclick = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
  return e;
}
const badge = s => el("span", {class: "badge s-" + s}, s);
const link = (text, q, cls) => el("a", {class: cls || "mono", title: q, onclick: () => search(q)}, text);

// --- the head, the block rate, the mempool --------------------------------------------------
function showHead() {
  $("head").textContent = head == null ? "…" : String(head);
  const span = blocks.length > 1 ? blocks[0].timestamp - blocks[blocks.length - 1].timestamp : 0;
  $("rate").textContent = span > 0 ? ((blocks.length - 1) * 60 / span).toFixed(1) : "–";
  $("blocks").replaceChildren(...blocks.slice(0, 12).map(b => el("tr", {},
    el("td", {}, link(String(b.number), String(b.number), "")), el("td", {}, when(b.timestamp)),
    el("td", {}, String(b.txCount)), el("td", {class: "mono"}, short(b.hash)))));
}
function addBlock(h) {
  const b = {number: num(h.number), timestamp: num(h.timestamp), txCount: num(h.txCount), hash: h.hash};
  if (blocks.some(x => x.number === b.number)) return;
  blocks.push(b);
  blocks.sort((a, c) => c.number - a.number);
  blocks.length = Math.min(blocks.length, 20);
  if (head == null || b.number > head) head = b.number;
}
async function loadBlocks() {
  head = num(await rpc("emeth_blockNumber"));
  const from = Math.max(0, head - 19);
  const got = await rpcBatch(Array.from({length: head - from + 1}, (_, i) => ["emeth_getBlockByNumber", ["0x" + (from + i).toString(16)]]));
  for (const g of got) if (g.result) addBlock(g.result);
  showHead();
}
let mempoolAt = 0;
async function loadMempool() {
  if (Date.now() - mempoolAt < 1000) return;
  mempoolAt = Date.now();
  try {
    const text = await (await fetch("/metrics")).text();
    const m = text.match(/^emeth_mempool_size (\d+)/m);
    $("mempool").textContent = m ? m[1] : "–";
  } catch (e) { $("mempool").textContent = "–"; }
}

// --- batches ----------------------------------------------------------------------------------
async function loadBatches() {
  let r;
  try { r = await rpc("emeth_listBatches", 12); } catch (e) {
    $("batches").replaceChildren();
    $("batch-note").textContent = e.message;
    $("final").textContent = "–";
    return;
  }
  $("batches").replaceChildren(...r.batches.map(b => el("tr", {},
    el("td", {}, String(num(b.index))), el("td", {}, `${num(b.firstBlock)}–${num(b.lastBlock)}`),
    el("td", {}, badge(b.status)), el("td", {class: "mono"}, b.l1TxHash ? short(b.l1TxHash) : "–"))));
  $("batch-note").textContent = r.challengedAtBatch != null
    ? `The batch poster is halted: L1 no longer holds batch ${num(r.challengedAtBatch)}.` : (r.batches.length ? "" : "No batch posted yet.");
  const fin = r.batches.find(b => b.status === "final");
  $("final").textContent = fin ? String(num(fin.index)) : "–";
}

// --- jobs -------------------------------------------------------------------------------------
function showJobs() {
  const counts = {};
  for (const j of jobs.values()) counts[j.statusName] = (counts[j.statusName] || 0) + 1;
  $("tabs").replaceChildren(...["ALL", ...STATUSES].map(s => el("button", {class: s === tab ? "on" : "", type: "button",
    onclick: () => { tab = s; showJobs(); }}, s === "ALL" ? `all (${jobs.size})` : `${s.toLowerCase()} (${counts[s] || 0})`)));
  const list = [...jobs.values()].filter(j => tab === "ALL" || j.statusName === tab)
    .sort((a, b) => num(b.updatedAt) - num(a.updatedAt) || (a.jobId < b.jobId ? -1 : 1)).slice(0, 50);
  $("jobs").replaceChildren(...list.map(j => el("tr", {},
    el("td", {}, link(j.jobId, j.jobId)), el("td", {}, badge(j.statusName)),
    el("td", {}, link(short(j.owner), j.owner)), el("td", {}, /^0x0+$/.test(j.node) ? "–" : link(short(j.node), j.node)),
    el("td", {}, String(num(j.programId))), el("td", {}, `${num(j.fuelUsed)} / ${num(j.fuelLimit)}`), el("td", {}, when(num(j.updatedAt))))));
}
async function loadJobs() {
  const got = await rpcBatch(STATUSES.map(s => ["emeth_listJobs", [{status: s, limit: 20}]]));
  for (const g of got) for (const j of (g.result ? g.result.jobs : [])) jobs.set(j.jobId, j);
  showJobs();
}

// --- search -----------------------------------------------------------------------------------
function dl(pairs) { return el("dl", {}, ...pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])); }
async function search(q) {
  q = (q || "").trim();
  $("q").value = q;
  const out = $("result");
  if (!q) { out.replaceChildren(); return; }
  history.replaceState(null, "", "?q=" + encodeURIComponent(q));
  try {
    if (/^0x[0-9a-fA-F]{40}$/.test(q)) out.replaceChildren(await accountView(q));
    else if (/^0x[0-9a-fA-F]{32}$/.test(q)) out.replaceChildren(await jobView(q));
    else if (/^0x[0-9a-fA-F]{64}$/.test(q)) out.replaceChildren(await txView(q));
    else if (/^\d+$/.test(q)) out.replaceChildren(await blockView(q));
    else out.replaceChildren(el("p", {class: "err"}, "Enter an address (20 bytes), a job id (16 bytes), a transaction hash (32 bytes), all 0x-hex, or a block number."));
  } catch (e) { out.replaceChildren(el("p", {class: "err"}, e.message)); }
}
async function accountView(a) {
  const [acct, ticket, proof, owned, noded] = await rpcBatch([["emeth_getAccount", [a]], ["emeth_getTicket", [a]],
    ["emeth_getSettlementProof", [a]], ["emeth_listJobs", [{owner: a, limit: 20}]], ["emeth_listJobs", [{node: a, limit: 20}]]]);
  if (acct.error) throw new Error(acct.error.message);
  const r = acct.result, t = ticket.result, p = proof.result;
  const claim = t ? `${emt(t.credit)} with the Signer ticket of block ${num(t.blockNumber)}` : "nothing: no credit yet";
  const byProof = p ? `${emt(p.credit)} by proof in batch ${num(p.batchIndex)} (${p.final ? "final" : "not final yet"})`
    : (proof.error ? proof.error.message : "–");
  const list = [...(owned.result ? owned.result.jobs : []), ...(noded.result ? noded.result.jobs : [])];
  return el("div", {id: "account"}, dl([["address", el("span", {class: "mono"}, r.address)], ["balance", el("span", {id: "balance"}, emt(r.balance))],
    ["credit", el("span", {id: "credit"}, emt(r.credit))], ["claimable on L1", el("span", {id: "claimable"}, claim)], ["by settlement proof", byProof],
    ["nonce", String(num(r.nonce))], ["jobs", list.length ? el("span", {}, ...list.flatMap(j => [link(j.jobId, j.jobId), " ", badge(j.statusName), " "])) : "none"]]),
    el("p", {class: "note"}, "Credit is cumulative: L1 pays it minus what the account already claimed there (emeth status shows both)."));
}
async function jobView(id) {
  const j = await rpc("emeth_getJob", id);
  if (!j) return el("p", {}, `No job ${id}.`);
  jobs.set(j.jobId, j);
  return el("div", {id: "job"}, dl([["job id", el("span", {class: "mono"}, j.jobId)], ["status", badge(j.statusName)], ["owner", link(j.owner, j.owner)],
    ["node", /^0x0+$/.test(j.node) ? "–" : link(j.node, j.node)], ["program", String(num(j.programId))],
    ["fuel", `${num(j.fuelUsed)} used of ${num(j.fuelLimit)} at ${num(j.fuelPrice)} per unit`], ["escrow", emt(j.escrow)],
    ["node deposit", emt(j.nodeDeposit)], ["deadline", new Date(num(j.deadline) * 1000).toLocaleString()],
    ["parent", /^0x0+$/.test(j.parentJob) ? "–" : link(j.parentJob, j.parentJob)], ["result", el("span", {class: "mono"}, j.result)]]));
}
async function txView(h) {
  const r = await rpc("emeth_getTransactionReceipt", h);
  if (!r) return el("p", {}, `No transaction ${h}.`);
  return el("div", {id: "tx"}, dl([["hash", el("span", {class: "mono"}, r.hash)], ["status", badge(r.status)],
    ["block", r.blockNumber ? link(String(num(r.blockNumber)), String(num(r.blockNumber)), "") : "–"],
    ["outcome", r.success == null ? "–" : r.success ? "success" : `failed (code ${r.failure})`], ["sender", r.sender ? link(r.sender, r.sender) : "–"],
    ["batch", r.batchIndex ? String(num(r.batchIndex)) : "–"]]));
}
async function blockView(n) {
  const b = await rpc("emeth_getBlockByNumber", "0x" + BigInt(n).toString(16), true);
  if (!b) return el("p", {}, `No block ${n} yet.`);
  return el("div", {id: "block"}, dl([["block", String(num(b.number))], ["hash", el("span", {class: "mono"}, b.hash)], ["time", new Date(num(b.timestamp) * 1000).toLocaleString()],
    ["transactions", b.transactions.length ? el("span", {}, ...b.transactions.flatMap(t => [link(short(t.hash), t.hash), ` ${t.type} `])) : "none"],
    ["inbox messages", String(b.inbox.length)], ["state root", el("span", {class: "mono"}, b.stateRoot)]]));
}

// --- live: the WebSocket, or polling while it is down ------------------------------------------
let socket = null, retry = 1000, pollTimer = null;
function setLive(cls, text) { $("live").className = cls; $("live").textContent = text; }
function poll(on) {
  if (on && !pollTimer) pollTimer = setInterval(() => refresh().catch(() => setLive("off", "node unreachable")), 5000);
  if (!on && pollTimer) { clearInterval(pollTimer); pollTimer = null; }
}
function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const subs = {};
  try { socket = new WebSocket(url); } catch (e) { poll(true); return; }
  socket.onopen = () => {
    retry = 1000;
    for (const [i, topic] of ["newHeads", "jobs", "batches"].entries())
      socket.send(JSON.stringify({jsonrpc: "2.0", id: i + 1, method: "emeth_subscribe", params: [topic]}));
  };
  socket.onmessage = ev => {
    const m = JSON.parse(ev.data);
    if (m.id != null) {
      if (m.result) subs[m.result] = ["newHeads", "jobs", "batches"][m.id - 1];
      if (m.id === 1 && m.result) { setLive("on", "live"); poll(false); }
      if (m.id === 1 && m.error) { setLive("poll", "polling (no subscriptions here)"); poll(true); }
      return;
    }
    if (m.method !== "emeth_subscription") return;
    const topic = subs[m.params.subscription], r = m.params.result;
    if (topic === "newHeads") { addBlock(r); showHead(); loadMempool(); }
    else if (topic === "jobs") { jobs.set(r.jobId, r); showJobs(); }
    else if (topic === "batches") loadBatches();
  };
  socket.onclose = ev => {
    setLive("poll", ev.reason ? `reconnecting (${ev.reason})` : "reconnecting");
    poll(true);
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  };
}

async function refresh() {
  await Promise.all([loadBlocks(), loadJobs(), loadBatches(), loadMempool()]);
  if (pollTimer) setLive("poll", "polling");
}
async function start() {
  $("search").onsubmit = e => { e.preventDefault(); search($("q").value); };
  try {
    const info = await rpc("emeth_chainInfo");
    $("chain").textContent = `chain ${num(info.chainId)} · rollup ${short(info.rollup)}`;
  } catch (e) { setLive("off", "node unreachable"); }
  const q = new URLSearchParams(location.search).get("q");
  await Promise.all([refresh().catch(e => setLive("off", e.message)), q ? search(q) : null]);
  connect();
}
start();
</script>
</body>
</html>
"""#
}
