// The Hivestream console: polls /api/state every second and renders it. No framework, no network
// beyond this server.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.entries(props || {}).forEach(([key, value]) => {
    if (value === null || value === undefined) return;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  });
  children.flat().forEach((child) => {
    if (child === null || child === undefined) return;
    node.append(child instanceof Node ? child : String(child));
  });
  return node;
}

function cost(usd) { return "$" + Number(usd).toFixed(6); }
function percent(ratio) { return ratio === null || ratio === undefined ? "–" : (100 * ratio).toFixed(1) + " %"; }
function millis(ms) { return ms === null || ms === undefined ? "–" : Math.round(ms) + " ms"; }
function time(epochMillis) { return epochMillis ? new Date(epochMillis).toISOString().substring(11, 19) : "–"; }
function slug(text) { return String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-"); }

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function renderTotals(s) {
  document.getElementById("total-results").textContent = s.results;
  document.getElementById("total-calls").textContent = s.calls;
  document.getElementById("total-cost").textContent = cost(s.costUsd);
  document.getElementById("total-dlq").textContent = s.deadLetters;
  const parts = Object.entries(s.resultsByStatus).map(([status, n]) => status.toLowerCase() + " " + n);
  Object.entries(s.undecodable).forEach(([topic, n]) => parts.push(n + " unreadable on " + topic));
  document.getElementById("statuses").textContent = parts.join(", ");
}

function renderAgents(s) {
  fill(document.querySelector("#agents tbody"), s.agents.map((a) => el("tr", { "data-agent": a.agentId },
    el("td", { class: "agent" }, a.agentId),
    el("td", { class: "status status-" + slug(a.status) }, a.status),
    el("td", { class: "tier" }, a.tier || "–"),
    el("td", { class: "runtime" }, a.runtime || "–"),
    el("td", { class: "calls num" }, a.calls),
    el("td", { class: "success num" }, percent(a.successRate)),
    el("td", { class: "latency num" }, millis(a.meanLatencyMs)),
    el("td", { class: "cost num" }, cost(a.costUsd)),
    el("td", { class: "recent num" }, percent(a.recentFailureRate)),
    el("td", { class: "breaker" }, a.breaker
      ? el("span", { class: "breaker-" + a.breaker, title: a.breakerRejections + " calls refused by the breaker" }, a.breaker)
      : "–"))));
}

function renderTenants(s) {
  fill(document.querySelector("#tenants tbody"), s.tenants.map((t) => el("tr", { "data-tenant": t.tenant },
    el("td", { class: "tenant" }, t.tenant),
    el("td", { class: "calls num" }, t.calls),
    el("td", { class: "spend num" }, cost(t.costUsd)))));
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  return node;
}

function renderCharts(s) {
  const buckets = s.buckets;
  const seconds = s.bucketMillis / 1000;
  document.getElementById("bucket-width").textContent =
    "(" + seconds + " s buckets, the last " + Math.round(s.windowBuckets * seconds / 60) + " min)";
  const width = 600, height = 160, pad = 18;
  // The window's slots from left to right; the buckets fill the right-most ones.
  const step = (width - pad) / s.windowBuckets;
  const x = (i) => pad + (s.windowBuckets - buckets.length + i) * step;
  const throughput = document.getElementById("throughput");
  const maxRate = Math.max(1e-9, ...buckets.map((b) => b.perSecond));
  const bars = buckets.map((b, i) => {
    const h = (height - pad) * b.perSecond / maxRate;
    const bar = svgEl("rect", { class: "bar", x: x(i) + 1, y: height - pad - h, width: Math.max(1, step - 2), height: h });
    const title = svgEl("title", {});
    title.textContent = time(b.startMillis) + ": " + b.results + " results, " + b.perSecond.toFixed(2) + "/s";
    bar.append(title);
    return bar;
  });
  throughput.replaceChildren(...bars, label(2, 12, buckets.length ? maxRate.toFixed(2) + "/s" : "no results yet"),
    ...axis(buckets, x, step, height));
  const latency = document.getElementById("latency");
  const maxMs = Math.max(1, ...buckets.map((b) => b.p99Ms || 0));
  const y = (ms) => (height - pad - (height - pad - 14) * ms / maxMs).toFixed(1);
  const series = ["p50Ms", "p95Ms", "p99Ms"].flatMap((key) => {
    const points = buckets.map((b, i) => b[key] === null ? null : [(x(i) + step / 2).toFixed(1), y(b[key])])
      .filter((p) => p !== null);
    const cls = key.substring(0, 3);
    return [svgEl("polyline", { class: cls, points: points.map((p) => p.join(",")).join(" ") }),
      ...points.map((p) => svgEl("circle", { class: cls, cx: p[0], cy: p[1], r: 2.5 }))];
  });
  latency.replaceChildren(...series, label(2, 12, buckets.length ? maxMs + " ms" : "no results yet"),
    ...axis(buckets, x, step, height));
}

function axis(buckets, x, step, height) {
  if (!buckets.length) return [];
  const last = buckets.length - 1;
  return [label(x(0), height - 4, time(buckets[0].startMillis)),
    label(Math.min(x(last), 600 - 48), height - 4, time(buckets[last].startMillis))].slice(last ? 0 : 1);
}

function label(x, y, text) {
  const node = svgEl("text", { x: x, y: y });
  node.textContent = text;
  return node;
}

function renderResults(s) {
  const list = document.getElementById("results");
  list.replaceChildren(...s.recentResults.map((r) => {
    const ok = r.status === "COMPLETED";
    const node = el("div", { class: "result", "data-task": r.taskId },
      el("div", { class: "head" },
        el("span", { class: "task" }, r.taskId),
        el("span", { class: "status" + (ok ? "" : " bad") }, r.status),
        el("span", { class: "muted" }, [r.kind, r.strategy.toLowerCase(), r.tier, "tenant " + r.tenant].filter(Boolean).join(" · ")),
        el("span", { class: "agents muted" }, r.agents.length ? "by " + r.agents.join(", ") : ""),
        el("span", { class: "muted" }, millis(r.latencyMs) + " · " + cost(r.costUsd) + " · " + time(r.completedAt))),
      r.output !== null ? el("div", { class: "output" }, r.output) : null,
      r.error !== null ? el("div", { class: "error" }, r.error) : null);
    if (r.agreement !== null) {
      const dissent = r.answers.filter((a) => a.agreed === false).map((a) => a.agentId);
      node.append(el("div", { class: "vote" },
        "vote (" + (r.vote || "?") + "): agreement ", el("b", { class: "agreement" }, percent(r.agreement)),
        ", agreeing: ", el("span", { class: "agreeing" }, r.agreeing.join(", ") || "none"),
        dissent.length ? ", dissenting: " + dissent.join(", ") : ""));
    }
    if (r.subtasks.length) {
      node.append(el("div", { class: "plan" }, "plan of " + r.subtasks.length + " subtasks:",
        el("ol", {}, r.subtasks.map((t) => el("li", { "data-step": t.step },
          el("b", {}, t.step), " (" + t.role + ") ", el("span", { class: "subtask-status" }, t.status || "not run"),
          t.agents.length ? " by " + t.agents.join(", ") : "",
          t.output !== null ? ": " + t.output : "",
          t.error !== null ? ": " + t.error : "")))));
    }
    return node;
  }));
  if (!s.recentResults.length) list.append(el("p", { class: "muted" }, "no results yet"));
}

function renderDeadLetters(s) {
  fill(document.querySelector("#dlq tbody"), s.recentDeadLetters.map((d) => el("tr", { "data-source": d.topic + "/" + d.partition + "/" + d.offset },
    el("td", { class: "source" }, d.topic + " " + d.partition + "/" + d.offset),
    el("td", { class: "stage" }, d.stage),
    el("td", { class: "reason" }, d.reason),
    el("td", { class: "value" }, d.value === null ? "–" : d.value),
    el("td", { class: "failed" }, time(d.failedAt)))));
}

let last = null;

async function refresh() {
  const connection = document.getElementById("connection");
  try {
    const response = await fetch("api/state", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const body = await response.text();
    connection.textContent = "updated " + new Date().toISOString().substring(11, 19) + " UTC";
    if (body === last) return; // nothing new: leave the page as it is
    last = body;
    const s = JSON.parse(body);
    renderTotals(s);
    renderAgents(s);
    renderTenants(s);
    renderCharts(s);
    renderResults(s);
    renderDeadLetters(s);
  } catch (e) {
    connection.textContent = "cannot reach the console server (" + e.message + "); retrying every second";
  }
}

refresh();
setInterval(refresh, 1000);
