// app.js - the web console of streampipe: polls /api/... and draws the
// statistics, the DAG and the latest results.  No library, no network but
// the streampipe process that serves it.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const state = { latest: -1, batchMs: 0, timer: null, failures: 0 };

function $(id) { return document.getElementById(id); }

function el(tag, attrs, text) {
  const e = tag.startsWith('svg:') ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmtNum(v, digits) {
  if (v === null || v === undefined) return '–';
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(2) + ' M';
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + ' k';
  return Number(v).toFixed(digits || 0);
}
function fmtMs(v) {
  if (v === null || v === undefined) return '–';
  return v >= 10000 ? (v / 1000).toFixed(1) + ' s' : Number(v).toFixed(v < 10 && v % 1 ? 1 : 0) + ' ms';
}
function fmtBytes(n) {
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + u[i];
}
function fmtTime(ms) {
  if (ms < 1e11) return '+' + (ms / 1000) + ' s'; // a bounded input: batch times from 0
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

async function getJSON(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return r.json();
}

// ----- charts: hand-written SVG -----

// Draws points [{x, y}] in svg; opts.ref: a dashed horizontal line (the
// batch interval); opts.fmt formats the axis values.
function drawChart(svg, points, opts) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const W = 480, H = 200, L = 52, R = 10, T = 10, B = 26;
  const w = W - L - R, h = H - T - B;
  if (!points.length) {
    svg.appendChild(el('svg:text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, 'no batch yet'));
    svg.setAttribute('data-points', '0');
    return;
  }
  const xs = points.map(p => p.x), ys = points.map(p => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  let ymax = Math.max(...ys, opts.ref || 0, 1);
  ymax *= 1.1;
  const X = x => L + (x - x0) / (x1 - x0) * w;
  const Y = y => T + h - y / ymax * h;
  for (let i = 0; i <= 4; i++) {
    const v = ymax * i / 4, y = Y(v);
    svg.appendChild(el('svg:line', { x1: L, x2: L + w, y1: y, y2: y, class: 'grid' }));
    svg.appendChild(el('svg:text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, ymax < 10 ? v.toFixed(1) : opts.fmt(v)));
  }
  svg.appendChild(el('svg:line', { x1: L, x2: L, y1: T, y2: T + h, class: 'axis' }));
  svg.appendChild(el('svg:line', { x1: L, x2: L + w, y1: T + h, y2: T + h, class: 'axis' }));
  svg.appendChild(el('svg:text', { x: L, y: H - 8, 'text-anchor': 'start' }, 'batch ' + x0));
  svg.appendChild(el('svg:text', { x: L + w, y: H - 8, 'text-anchor': 'end' }, 'batch ' + x1));
  if (opts.ref) {
    const y = Y(opts.ref);
    svg.appendChild(el('svg:line', { x1: L, x2: L + w, y1: y, y2: y, class: 'ref', 'data-ref': opts.ref }));
  }
  let d = '';
  points.forEach((p, i) => { d += (i ? 'L' : 'M') + X(p.x).toFixed(1) + ',' + Y(p.y).toFixed(1); });
  const area = d + 'L' + X(points[points.length - 1].x).toFixed(1) + ',' + (T + h) + 'L' + X(points[0].x).toFixed(1) + ',' + (T + h) + 'Z';
  svg.appendChild(el('svg:path', { d: area, class: 'area' }));
  svg.appendChild(el('svg:path', { d: d, class: 'series', 'data-points': points.length }));
  for (const p of points.slice(-60)) {
    const c = el('svg:circle', { cx: X(p.x).toFixed(1), cy: Y(p.y).toFixed(1), r: 2.2, class: 'pt',
                                 'data-batch': p.x, 'data-value': p.y });
    c.appendChild(el('svg:title', {}, 'batch ' + p.x + ': ' + opts.fmt(p.y)));
    svg.appendChild(c);
  }
  svg.setAttribute('data-points', String(points.length));
}

// ----- the DAG -----

async function loadDag() {
  const box = $('dag');
  try {
    const dag = await getJSON('/api/dag');
    if (dag.svg) {
      const r = await fetch('/dag.svg');
      const text = await r.text();
      box.innerHTML = text.slice(text.indexOf('<svg'));
      box.setAttribute('data-dag', 'svg');
    } else {
      box.innerHTML = '';
      box.appendChild(el('p', { class: 'muted' },
        'Graphviz is not installed (no dot on the PATH of streampipe): the DAG as DOT text.'));
      box.appendChild(el('pre', {}, dag.dot));
      box.setAttribute('data-dag', 'dot');
    }
  } catch (e) {
    box.textContent = 'cannot load the DAG: ' + e.message;
  }
}

// Puts each node's figures in its tooltip, and shades it by its share of time.
function annotateDag(ops) {
  const svg = $('dag').querySelector('svg');
  if (!svg) return;
  const total = ops.reduce((a, o) => a + o.ms, 0) || 1;
  for (const g of svg.querySelectorAll('g.node')) {
    const t = g.querySelector('title');
    const o = ops.find(op => t && op.node === t.textContent);
    if (!o) continue;
    g.setAttribute('data-records-in', o.records_in);
    g.setAttribute('data-records-out', o.records_out);
    let tip = g.querySelector('title.stats');
    if (!tip) { tip = el('svg:title', { class: 'stats' }); g.appendChild(tip); }
    tip.textContent = o.name + '\nin ' + o.records_in + ', out ' + o.records_out + ', ' + fmtMs(o.ms) +
      (o.state_entries ? ', state ' + o.state_entries + ' entries' : '');
    const shape = g.querySelector('polygon, path, ellipse');
    if (shape && o.kind === 'operator') {
      const share = o.ms / total;
      shape.setAttribute('fill', 'rgba(217,119,6,' + Math.min(0.6, share * 2).toFixed(2) + ')');
    }
  }
}

// ----- tables -----

function fillBatches(batches, batchMs) {
  const tb = $('batches').tBodies[0];
  tb.textContent = '';
  for (const b of batches.slice(-20).reverse()) {
    const tr = el('tr', { 'data-batch': b.batch });
    const cells = [b.batch, fmtTime(b.time_ms), b.records, fmtNum(b.input_rate, 1) + '/s', fmtMs(b.scheduling_delay_ms),
      fmtMs(b.processing_ms), fmtMs(b.total_delay_ms), b.malformed, b.late, b.state_entries + ' (' + fmtBytes(b.state_bytes) + ')'];
    cells.forEach((c, i) => {
      const td = el('td', { class: i === 1 ? 'l' : '' }, String(c));
      if (i === 5 && batchMs && b.processing_ms > batchMs) td.classList.add('slow');
      tr.appendChild(td);
    });
    tb.appendChild(tr);
  }
}

function fillOperators(ops) {
  const tb = $('operators').tBodies[0];
  tb.textContent = '';
  for (const o of ops) {
    const tr = el('tr', { 'data-node': o.node });
    const cells = [o.node, o.kind, o.name, o.records_in, o.records_out, fmtMs(o.ms),
      o.last_records_in + ' / ' + o.last_records_out + ' / ' + fmtMs(o.last_ms),
      o.state_entries ? o.state_entries + ' (' + fmtBytes(o.state_bytes) + ')' : ''];
    cells.forEach((c, i) => tr.appendChild(el('td', { class: i < 3 ? 'l' : '' }, String(c))));
    tb.appendChild(tr);
  }
}

// A sink's value: a table for a list of pairs or records, else JSON.
function renderValue(v) {
  if (Array.isArray(v) && v.length && v.length <= 200 && v.every(x => Array.isArray(x) && x.length === 2)) {
    const t = el('table', { class: 'small' });
    for (const [k, x] of v) {
      const tr = el('tr');
      tr.appendChild(el('td', {}, typeof k === 'string' ? k : JSON.stringify(k)));
      tr.appendChild(el('td', {}, typeof x === 'string' ? x : JSON.stringify(x)));
      t.appendChild(tr);
    }
    return t;
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const t = el('table', { class: 'small' });
    for (const k of Object.keys(v)) {
      const tr = el('tr');
      tr.appendChild(el('td', {}, k));
      tr.appendChild(el('td', {}, JSON.stringify(v[k])));
      t.appendChild(tr);
    }
    return t;
  }
  const s = JSON.stringify(v);
  return el('pre', {}, s.length > 4000 ? s.slice(0, 4000) + ' …' : s);
}

function fillSinks(sinks) {
  const box = $('sinks');
  box.textContent = '';
  for (const s of sinks) {
    const card = el('div', { class: 'sink', 'data-sink': s.name });
    const h = el('h3', {}, s.name);
    h.appendChild(el('span', { class: 'when' }, s.batch === null ? 'nothing yet' : 'batch ' + s.batch));
    card.appendChild(h);
    card.appendChild(s.batch === null ? el('p', { class: 'muted' }, '–') : renderValue(s.value));
    box.appendChild(card);
  }
}

// ----- polling -----

function setState(text, cls) {
  const s = $('state');
  s.textContent = text;
  s.className = 'state ' + cls;
}

async function refresh() {
  let st;
  try {
    st = await getJSON('/api/status');
    state.failures = 0;
  } catch (e) {
    if (++state.failures > 2) setState('streampipe is not answering', 'offline');
    return schedule(2000);
  }
  state.batchMs = st.batch_interval_ms;
  $('pipeline').textContent = st.pipeline;
  document.title = 'streampipe · ' + st.pipeline;
  $('s-batches').textContent = st.batches;
  $('s-interval').textContent = fmtMs(st.batch_interval_ms);
  $('s-records').textContent = fmtNum(st.records_in);
  $('s-proc').textContent = fmtMs(st.processing_ms.avg);
  $('s-sched').textContent = fmtMs(st.scheduling_delay_ms.avg);
  $('s-bad').textContent = st.malformed + ' / ' + st.late;
  const latest = st.latest;
  $('s-rate').textContent = latest ? fmtNum(latest.input_rate, 1) + '/s' : '–';
  $('s-lag').textContent = latest && latest.kafka_lag !== null ? fmtNum(latest.kafka_lag) : '–';
  setState(st.finished ? 'finished' : latest ? 'running' : 'waiting for the first batch', st.finished ? 'finished' : 'running');
  if (latest && latest.batch !== state.latest) {
    state.latest = latest.batch;
    try {
      const [bs, ops, sinks] = await Promise.all([getJSON('/api/batches'), getJSON('/api/operators'), getJSON('/api/sinks')]);
      const batches = bs.batches;
      drawChart($('chart-rate'), batches.map(b => ({ x: b.batch, y: b.input_rate })), { fmt: v => fmtNum(v, 0) });
      drawChart($('chart-processing'), batches.map(b => ({ x: b.batch, y: b.processing_ms })),
        { ref: bs.batch_interval_ms, fmt: v => fmtNum(v, 0) });
      drawChart($('chart-delay'), batches.map(b => ({ x: b.batch, y: b.scheduling_delay_ms })), { fmt: v => fmtNum(v, 0) });
      fillBatches(batches, bs.batch_interval_ms);
      fillOperators(ops.operators);
      annotateDag(ops.operators);
      fillSinks(sinks.sinks);
      document.body.setAttribute('data-batch', String(latest.batch));
    } catch (e) {
      state.latest = -1; // try again
    }
  }
  schedule(st.finished ? 5000 : Math.max(250, Math.min(1000, state.batchMs / 2 || 1000)));
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, ms);
}

for (const id of ['chart-rate', 'chart-processing', 'chart-delay']) drawChart($(id), [], { fmt: String });
loadDag().then(refresh);
