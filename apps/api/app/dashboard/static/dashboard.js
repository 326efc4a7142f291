// Dashboard page: reads /api/v1/analytics/* with the API key kept in sessionStorage only.
"use strict";

const KEY_SLOT = "swa_api_key";
const LIVE_MS = 4000;      // running campaigns' progress (live from the messages table)
const REFRESH_MS = 60000;  // everything else (rollups, refreshed by the workers)
const COLOURS = {
  sent: "#2563eb", delivered: "#16a34a", read: "#0d9488", replied: "#7c3aed",
  failed: "#dc2626", skipped: "#d97706", received: "#ea580c", pending: "#9aa5b1",
};
const nf = new Intl.NumberFormat();
const $ = (sel) => document.querySelector(sel);
const state = { days: 14, funnelId: null, timers: [], campaigns: [] };

function key() { return sessionStorage.getItem(KEY_SLOT); }

class Refused extends Error {}

async function api(path, options = {}) {
  const headers = { Authorization: "Bearer " + key(), ...(options.headers || {}) };
  const res = await fetch("/api/v1" + path, { ...options, headers, cache: "no-store" });
  if (res.status === 401) throw new Refused("refused");
  if (!res.ok) throw new Error(path + " → " + res.status);
  const type = res.headers.get("content-type") || "";
  return type.includes("json") ? res.json() : res.text();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

const pct = (v) => (Math.round(v * 10) / 10).toLocaleString(undefined, { maximumFractionDigits: 1 }) + "%";

function showSignIn(message) {
  state.timers.forEach(clearInterval);
  state.timers = [];
  $("#app").hidden = true;
  $("#meta").hidden = true;
  $("#signin").hidden = false;
  const err = $("#signin-error");
  err.hidden = !message;
  err.textContent = message || "";
}

function signOut(message) {
  sessionStorage.removeItem(KEY_SLOT);
  showSignIn(message);
}

// --- KPI tiles ------------------------------------------------------------------------------
function tile(id, label, value, sub, accent) {
  return el("div", { class: "kpi", style: `--accent:${accent}`, "data-kpi": id },
    el("div", { class: "label", text: label }),
    el("div", { class: "value", text: value }),
    el("div", { class: "sub", text: sub || "" }));
}

function renderKpis(d, inbox) {
  // A rate over nothing is not 0%: it is "no data yet".
  const rate = (v, whole) => (whole ? pct(v) : "—");
  const tiles = [
    tile("total_messages_sent", "Messages sent", nf.format(d.total_messages_sent),
      `${nf.format(d.today_messages)} today · ${nf.format(d.this_week_messages)} this week`, COLOURS.sent),
    tile("delivery_rate", "Delivered", rate(d.delivery_rate, d.attempted),
      `of ${nf.format(d.attempted)} attempted · reach ${rate(d.reach_rate, d.recipients)} of recipients`, COLOURS.delivered),
    tile("read_rate", "Read", rate(d.read_rate, d.attempted), `${nf.format(d.read)} messages read`, COLOURS.read),
    tile("response_rate", "Replied", rate(d.response_rate, d.attempted),
      `${nf.format(d.replied)} messages answered · campaign average ${rate(d.avg_response_rate, d.attempted)}`,
      COLOURS.replied),
    tile("total_messages_received", "Received", nf.format(d.total_messages_received),
      `${nf.format(d.today_received)} today`, COLOURS.received),
    tile("failed", "Failed · skipped", `${nf.format(d.failed)} · ${nf.format(d.skipped)}`,
      topReason(d.skipped_by_reason), COLOURS.failed),
    tile("active_campaigns", "Active campaigns", nf.format(d.active_campaigns),
      `${nf.format(d.total_campaigns)} in all · ${nf.format(d.total_contacts)} contacts`, COLOURS.pending),
  ];
  if (inbox !== null) {
    tiles.push(tile("review_inbox", "Review inbox", nf.format(inbox), "replies waiting for a person", COLOURS.skipped));
  }
  $("#kpis").replaceChildren(...tiles);
}

function topReason(reasons) {
  const first = Object.entries(reasons || {})[0];
  return first ? `most skipped: ${first[0].replaceAll("_", " ")} (${nf.format(first[1])})` : "none skipped";
}

// --- charts ---------------------------------------------------------------------------------
const LAYOUT = {
  margin: { t: 8, r: 8, b: 36, l: 44 }, font: { family: "system-ui, sans-serif", size: 12, color: "#3e4c59" },
  legend: { orientation: "h", y: -0.18 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  xaxis: { gridcolor: "#f0f2f5" }, yaxis: { gridcolor: "#f0f2f5", rangemode: "tozero" },
};
const CONFIG = { displayModeBar: false, responsive: true };

function renderTimeline(series) {
  const x = series.map((p) => p.date);
  const line = (m) => ({ x, y: series.map((p) => p[m]), name: m, type: "scatter", mode: "lines+markers",
    line: { color: COLOURS[m], width: 2 }, marker: { size: 5 } });
  const traces = [
    { x, y: series.map((p) => p.sent), name: "sent", type: "bar", marker: { color: COLOURS.sent, opacity: 0.25 } },
    line("delivered"), line("read"), line("replied"), line("failed"), line("received"),
  ];
  Plotly.react("timeline-chart", traces, { ...LAYOUT, barmode: "overlay" }, CONFIG);
}

function renderFunnel(body) {
  const stages = body.funnel.filter((s) => s.stage !== "attempted");
  const colours = { recipients: COLOURS.pending, sent: COLOURS.sent, delivered: COLOURS.delivered,
    read: COLOURS.read, replied: COLOURS.replied };
  Plotly.react("funnel-chart", [{
    type: "funnel", y: stages.map((s) => s.stage), x: stages.map((s) => s.count),
    textinfo: "value+percent initial", marker: { color: stages.map((s) => colours[s.stage]) },
  }], {
    margin: { t: 8, r: 8, b: 8, l: 84 }, font: LAYOUT.font, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    yaxis: { type: "category", automargin: true }, xaxis: { visible: false }, showlegend: false,
  }, CONFIG);
  const parts = [];
  const skipped = Object.entries(body.skipped_by_reason);
  if (skipped.length) parts.push("Not reached: " + skipped.map(([r, n]) => `${nf.format(n)} ${r.replaceAll("_", " ")}`).join(", "));
  const failed = Object.entries(body.failed_by_code);
  if (failed.length) parts.push("Failed: " + failed.map(([c, n]) => `${nf.format(n)} × ${c}`).join(", "));
  const p50 = body.time_to_first_reply.p50_within_seconds;
  if (p50) parts.push(`Half the replies came within ${duration(p50)}`);
  $("#funnel-note").textContent = parts.join(" · ") || "No recipient has been skipped or failed.";
}

function duration(s) {
  if (s < 3600) return Math.round(s / 60) + " min";
  if (s < 86400) return Math.round(s / 3600) + " h";
  return Math.round(s / 86400) + " days";
}

// --- tables and lists -----------------------------------------------------------------------
function progressBar(id, p, status) {
  // Live progress for running/paused campaigns; others are done (completed) or not started.
  const done = status === "completed";
  const percent = p ? p.percent : done ? 100 : 0;
  return el("div", { class: "progress", "data-progress": String(id) },
    el("div", { class: "bar" + (done ? " green" : "") }, el("span", { style: `width:${percent}%` })),
    el("span", { class: "pct", text: p ? pct(p.percent) : done ? "done" : "—" }));
}

function renderCampaigns(rows) {
  const body = $("#campaigns tbody");
  if (!rows.length) {
    body.replaceChildren(el("tr", {}, el("td", { class: "muted", colspan: "8",
      text: "No campaigns yet. Create one with POST /api/v1/campaigns." })));
    return;
  }
  body.replaceChildren(...rows.map((r) => el("tr", { "data-campaign": String(r.campaign_id) },
    el("td", { text: r.campaign_name }),
    el("td", {}, el("span", { class: "pill " + r.status, text: r.status })),
    el("td", {}, progressBar(r.campaign_id, r.progress, r.status)),
    el("td", { class: "n", text: nf.format(r.recipients) }),
    el("td", { class: "n", text: pct(r.analytics.delivery_rate) }),
    el("td", { class: "n", text: pct(r.analytics.read_rate) }),
    el("td", { class: "n", text: pct(r.analytics.response_rate) }),
    el("td", { class: "n", text: pct(r.analytics.reach_rate) }))));
}

function renderFunnelChoices(rows) {
  const select = $("#funnel-campaign");
  const keep = state.funnelId && rows.some((r) => r.campaign_id === state.funnelId);
  state.funnelId = keep ? state.funnelId : (rows.find((r) => r.status === "running") || rows[0] || {}).campaign_id || null;
  select.replaceChildren(...rows.map((r) => el("option", { value: String(r.campaign_id), text: r.campaign_name })));
  if (state.funnelId) select.value = String(state.funnelId);
  select.hidden = !rows.length;
}

function renderLeads(leads) {
  const list = $("#leads");
  if (!leads.length) {
    list.replaceChildren(el("li", { class: "muted-line", text: "No scored contacts yet: lead scores appear once contacts reply." }));
    return;
  }
  list.replaceChildren(...leads.map((l) => el("li", {},
    el("div", {}, el("div", { class: "who", text: l.name || l.phone }), el("div", { class: "phone", text: l.phone })),
    el("span", { class: "score " + (l.lead_tier || ""), text: String(l.lead_score) }))));
}

function renderSenders(senders) {
  const box = $("#senders");
  if (!senders.length) {
    box.replaceChildren(el("div", { class: "muted-line", text: "No sender number yet: add one with POST /api/v1/phone-numbers." }));
    return;
  }
  box.replaceChildren(...senders.map((s) => {
    const w = s.warmup;
    const warm = w.enabled ? `day ${w.day} of ${w.days}` : "no warm-up";
    const use = s.caps.daily_use_percent;
    const codes = Object.entries(s.failed_by_code).slice(0, 3).map(([c, n]) => `${c}×${n}`).join(" ");
    return el("div", { class: "sender", "data-sender": String(s.sender_id) },
      el("div", { class: "row" }, el("span", { class: "name", text: s.name }),
        el("span", { class: "pill " + s.status, text: s.status })),
      el("div", { class: "facts", text: `quality ${s.quality_rating} · ${s.messaging_tier.replace("TIER_", "tier ")}` +
        ` · delivered ${pct(s.delivery_rate)}` + (s.risk_level ? ` · risk ${s.risk_level}` : "") + (codes ? ` · failures ${codes}` : "") }),
      el("div", { class: "bars" },
        el("span", { text: "Warm-up" }),
        el("div", { class: "bar green" }, el("span", { style: `width:${w.percent}%` })),
        el("span", { text: warm }),
        el("span", { text: "Cap used (24 h)" }),
        el("div", { class: "bar " + (use >= 90 ? "red" : use >= 70 ? "amber" : "") }, el("span", { style: `width:${Math.min(use, 100)}%` })),
        el("span", { text: `${nf.format(s.caps.sent_last_24h)}/${nf.format(s.caps.daily_cap)}` })));
  }));
}

// --- live progress --------------------------------------------------------------------------
async function refreshLive() {
  const live = await api("/analytics/live");
  const names = Object.fromEntries(state.campaigns.map((c) => [String(c.campaign_id), c.campaign_name]));
  const rows = Object.entries(live).filter(([, p]) => p.total > 0);
  $("#running-card").hidden = !rows.length;
  $("#running").replaceChildren(...rows.map(([id, p]) => el("div", { class: "running-row", "data-running": id },
    el("strong", { text: names[id] || `Campaign ${id}` }), progressBar(id, p),
    el("span", { class: "count", text: `${nf.format(p.done)} / ${nf.format(p.total)} done` }))));
  for (const [id, p] of Object.entries(live)) {
    for (const node of document.querySelectorAll(`#campaigns [data-progress="${id}"]`)) {
      node.querySelector(".bar > span").style.width = p.percent + "%";
      node.querySelector(".pct").textContent = pct(p.percent);
    }
  }
}

// --- loading --------------------------------------------------------------------------------
async function inboxCount() {
  // The review inbox is its own API; the tile shows only where that route answers.
  try {
    const body = await api("/inbox?limit=1");
    if (typeof body.total === "number") return body.total;
    if (typeof body.count === "number") return body.count;
    if (Array.isArray(body)) return body.length;
  } catch (e) {
    if (e instanceof Refused) throw e;
  }
  return null;
}

async function loadFunnel() {
  if (!state.funnelId) {
    Plotly.purge("funnel-chart");
    $("#funnel-note").textContent = "The funnel of a campaign appears once one exists.";
    return;
  }
  renderFunnel(await api(`/analytics/campaigns/${state.funnelId}`));
}

async function loadAll() {
  const [ws, d, campaigns, series, leads, senders, inbox] = await Promise.all([
    api("/workspace"), api("/analytics/dashboard"), api("/analytics/campaigns"),
    api(`/analytics/messages/timeline?days=${state.days}`), api("/analytics/hot-leads"),
    api("/analytics/senders"), inboxCount(),
  ]);
  $("#ws-name").textContent = ws.name;
  $("#ws-zone").textContent = ws.timezone;
  $("#as-of").textContent = d.as_of ? "figures as of " + new Date(d.as_of).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "figures not computed yet";
  $("#empty").hidden = d.attempted + d.total_messages_received + d.skipped + d.pending > 0 || campaigns.length > 0;
  state.campaigns = campaigns;
  renderKpis(d, inbox);
  renderTimeline(series);
  renderCampaigns(campaigns);
  renderFunnelChoices(campaigns);
  renderLeads(leads);
  renderSenders(senders);
  await Promise.all([loadFunnel(), refreshLive()]);
}

function guard(fn) {
  return () => fn().catch((e) => {
    if (e instanceof Refused) signOut("That API key was refused. Check it and sign in again.");
    else console.error(e);
  });
}

async function start() {
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#meta").hidden = false;
  await guard(loadAll)();
  if (!key()) return;
  state.timers.push(setInterval(guard(refreshLive), LIVE_MS), setInterval(guard(loadAll), REFRESH_MS));
  document.body.dataset.ready = "1";
}

async function printReport() {
  const made = await api("/analytics/daily-reports", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  const html = await api(`/analytics/daily-reports/${made.report_date}?format=html`);
  const win = window.open("", "_blank");
  if (win) { win.document.open(); win.document.write(html); win.document.close(); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#api-key").value.trim();
    $("#api-key").value = "";
    if (!value) return;
    sessionStorage.setItem(KEY_SLOT, value);
    start();
  });
  $("#sign-out").addEventListener("click", () => signOut(""));
  $("#print-report").addEventListener("click", guard(printReport));
  $("#funnel-campaign").addEventListener("change", (e) => { state.funnelId = Number(e.target.value); guard(loadFunnel)(); });
  for (const b of document.querySelectorAll(".seg button")) {
    b.addEventListener("click", () => {
      document.querySelectorAll(".seg button").forEach((x) => x.classList.toggle("on", x === b));
      state.days = Number(b.dataset.days);
      guard(async () => renderTimeline(await api(`/analytics/messages/timeline?days=${state.days}`)))();
    });
  }
  if (key()) start(); else showSignIn("");
});
