// Renders deploy/grafana/connections-dashboard.json to docs/dashboard.png
// without Grafana: a developer script, not run by CI.
//
//   npm run build && node scripts/render-dashboard.mjs
//
// It starts, all on 127.0.0.1 and all its own: a NATS server with JetStream
// (nats-server), a local imitation of Civo's `GET /v2/regions` for the
// verifier, the built all-in-one on a fresh database of the PostgreSQL at
// RENDER_PG_URL (default postgres://postgres@127.0.0.1:5432, dropped at the
// end) and Prometheus scraping its METRICS_PORT every second. It drives a
// mixed load through the Connect protocol (creates, authorizations, pinned
// and new resolves, reads, bad requests) for RENDER_LOAD_SECONDS (75), then
// runs each panel's PromQL from the dashboard JSON against Prometheus's HTTP
// API over the load window, draws the series as SVG line charts on the
// panels' gridPos, and screenshots that page with headless Chromium.
//
// Needs /usr/bin/prometheus, /usr/bin/chromium and nats-server on PATH
// (Debian: apt-get install prometheus chromium nats-server). Binaries can be
// overridden with PROMETHEUS_BIN, CHROMIUM_BIN and NATS_SERVER_BIN.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const root = resolve(import.meta.dirname, "..");
const dashboardPath = join(root, "deploy/grafana/connections-dashboard.json");
const outputPath = join(root, "docs/dashboard.png");
const entry = join(root, "services/all-in-one/dist/src/main.js");
const pgUrl = process.env["RENDER_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432";
const loadSeconds = Number(process.env["RENDER_LOAD_SECONDS"] ?? 75);
const prometheusBin = process.env["PROMETHEUS_BIN"] ?? "/usr/bin/prometheus";
const chromiumBin = process.env["CHROMIUM_BIN"] ?? "/usr/bin/chromium";
const natsBin = process.env["NATS_SERVER_BIN"] ?? "nats-server";
const WIDTH = 1600;
const STEP_SECONDS = 2;
// What Grafana would pick for $__rate_interval with a 1 s scrape interval is
// 4 s; 15 s smooths the short run the way a real dashboard's range would.
const RATE_INTERVAL = "15s";

/** Things to stop, last started first. */
const cleanups = [];
const workDir = await mkdtemp(join(tmpdir(), "render-dashboard-"));
cleanups.push(() => rm(workDir, { recursive: true, force: true }));

async function freePort() {
  const server = createNetServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * Starts a child process with only PATH and HOME of this environment plus
 * `env` (no stray DATABASE_URL or KMS_KEY_ID from the caller's shell),
 * keeping its output for error messages; registers its stop (SIGTERM,
 * SIGKILL after 15 s).
 */
function startProcess(name, command, args, env) {
  const log = [];
  const child = spawn(command, args, { env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (c) => log.push(c.toString()));
  child.stderr.on("data", (c) => log.push(c.toString()));
  child.on("error", (error) => log.push(`${name}: ${command} did not start: ${error.message}`));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  });
  return { child, output: () => log.join("") };
}

async function waitFor(what, check, timeoutMs = 30_000, started = undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    const exited = started && (started.child.exitCode !== null || started.child.signalCode !== null);
    if (exited || Date.now() > deadline) throw new Error(`${exited ? "exited" : "timed out"} waiting for ${what}${started ? `:\n${started.output()}` : ""}`);
    await sleep(200);
  }
}

function psql(sql) {
  const result = spawnSync("psql", [`${pgUrl}/postgres`, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr || result.error}`);
}

/** The Civo region list the verifier reads; an api token starting with "civo-revoked" is refused as Civo does. */
async function startCivoImitation() {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/v2/regions") return void res.writeHead(404).end();
    if ((req.headers.authorization ?? "").startsWith("Bearer civo-revoked")) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: "authentication_failed", reason: "Invalid API key" }));
      return;
    }
    const regions = ["LON1", "FRA1", "NYC1"].map((code) => ({ code, name: code, default: code === "LON1" }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(regions));
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  cleanups.push(() => new Promise((done) => server.close(done)));
  return `http://127.0.0.1:${server.address().port}`;
}

async function startNats() {
  const port = await freePort();
  const nats = startProcess("nats", natsBin, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(workDir, "nats")], {});
  const url = `nats://127.0.0.1:${port}`;
  await waitFor("nats-server", () => Promise.resolve(/Server is ready/.test(nats.output())), 30_000, nats);
  return url;
}

async function startAllInOne(env) {
  const app = startProcess("all-in-one", process.execPath, [entry], {
    HOST: "127.0.0.1",
    PORT: "0",
    GRPC_PORT: "0",
    METRICS_PORT: "0",
    DATA_DIR: join(workDir, "data"),
    LOG_LEVEL: "warn",
    AUTH_JWT_SECRET: "render-dashboard-only-hs256-secret-0123456789",
    ...env,
  });
  const banner = await waitFor(
    "the all-in-one banner",
    () => Promise.resolve(/development token[^\n]*\n\S+\n/.test(app.output()) && app.output()),
    60_000,
    app,
  );
  const url = /Connect \/ gRPC-Web \/ gRPC\s+(\S+)/.exec(banner)[1];
  const metrics = /Prometheus metrics\s+(\S+)/.exec(banner)[1];
  const token = /development token[^\n]*\n(\S+)\n/.exec(banner)[1];
  return { url, metrics: new URL(metrics), token };
}

async function startPrometheus(metrics) {
  const port = await freePort();
  const config = join(workDir, "prometheus.yml");
  await writeFile(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: planton-connect",
      `    metrics_path: ${metrics.pathname}`,
      "    static_configs:",
      `      - targets: ["${metrics.host}"]`,
      "",
    ].join("\n"),
  );
  const server = startProcess("prometheus", prometheusBin, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(workDir, "prometheus")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  const api = `http://127.0.0.1:${port}`;
  await waitFor(
    "Prometheus to scrape the all-in-one",
    async () => {
      const answer = await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent("up")}`)).json();
      return answer.data?.result?.some((r) => r.value[1] === "1");
    },
    30_000,
    server,
  );
  return api;
}

/** A Connect-protocol unary call with a JSON body; resolves with the code ("ok" or the Connect error code). */
function rpcClient(baseUrl, token) {
  return async (method, body, headers = {}) => {
    const response = await fetch(`${baseUrl}/planton.connect.v1.${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    return response.ok ? { code: "ok", answer } : { code: answer.code ?? `http ${response.status}`, answer };
  };
}

/** About loadSeconds of mixed traffic, at a rate that rises and falls so the charts have a shape. */
async function driveLoad(call) {
  const codes = new Map();
  const count = (result) => codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
  const slugs = [];
  let created = 0;
  const createConnection = async (token, region = "LON1") => {
    created += 1;
    const result = await call("ConnectionService/CreateConnection", { name: `civo-${created}`, spec: { civo: { apiToken: token, defaultRegion: region } } });
    count(result);
    const slug = result.answer.connection?.slug;
    if (result.code === "ok" && !token.startsWith("civo-revoked") && region === "LON1") {
      count(await call("EnvironmentAuthorizationService/AuthorizeConnection", { connection: slug, scope: "AUTHORIZATION_SCOPE_ORGANIZATION" }));
      slugs.push(slug);
    }
  };
  await createConnection("civo-render-token-0123456789abcdef-a");
  await createConnection("civo-render-token-0123456789abcdef-b");
  await createConnection("civo-revoked-token-0123456789abcdef");
  await createConnection("civo-render-token-0123456789abcdef-c", "MUM1");
  const pinned = Array.from({ length: 24 }, (_, i) => `deploy-${i}`);
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let fresh = 0;
  // A new connection every 8 s, most of them good; the others fail verification (revoked key, region not offered).
  const variants = [
    ["civo-render-token-0123456789abcdef", "LON1"],
    ["civo-revoked-token-0123456789abcdef", "LON1"],
    ["civo-render-token-0123456789abcdef", "LON1"],
    ["civo-render-token-0123456789abcdef", "MUM1"],
  ];
  let nextCreate = 8;
  const worker = async () => {
    while (elapsed() < loadSeconds) {
      const t = elapsed();
      if (t > nextCreate) {
        nextCreate += 8;
        const [token, region] = variants[created % variants.length];
        await createConnection(`${token}-${created}`, region);
      }
      const pick = Math.random();
      const slug = slugs[Math.floor(Math.random() * slugs.length)];
      if (pick < 0.55) {
        const deploymentId = pinned[Math.floor(Math.random() * pinned.length)];
        count(
          await call("EnvironmentAuthorizationService/ResolveCredentials", {
            deploymentId,
            environment: "prod",
            provider: "PROVIDER_CIVO",
            connection: slugs[0],
          }),
        );
      } else if (pick < 0.65) {
        fresh += 1;
        count(
          await call("EnvironmentAuthorizationService/ResolveCredentials", {
            deploymentId: `new-${fresh}`,
            environment: "staging",
            provider: "PROVIDER_CIVO",
            connection: slug,
          }),
        );
      } else if (pick < 0.77) {
        count(await call("ConnectionService/GetConnection", { connection: slug }));
      } else if (pick < 0.83) {
        count(await call("ConnectionService/ListConnections", {}));
      } else if (pick < 0.87) {
        count(await call("ConnectionService/GetConnection", { connection: "no-such-connection" }));
      } else if (pick < 0.91) {
        count(await call("ConnectionService/CreateConnection", { name: "", spec: { civo: { apiToken: "" } } }));
      } else if (pick < 0.94) {
        count(
          await call("EnvironmentAuthorizationService/ResolveCredentials", { deploymentId: `aws-${fresh}`, environment: "prod", provider: "PROVIDER_AWS" }),
        );
      } else if (pick < 0.96) {
        // Refused before dispatch: a body that is not JSON.
        count(await call("ConnectionService/GetConnection", "{not json"));
      } else {
        count(await call("EnvironmentAuthorizationService/ListAuthorizations", { environment: "prod" }));
      }
      // 40 to 200 ms between calls per worker, on a 30 s wave.
      await sleep(40 + 160 * (0.5 + 0.5 * Math.cos((2 * Math.PI * t) / 30)));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return codes;
}

// ---- rendering ----

const LEGEND_ROWS = 5;
const PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0", "#37872d", "#fade2a", "#ff9830", "#c4162a"];

function substitute(expr) {
  return expr
    .replaceAll("$__rate_interval", RATE_INTERVAL)
    .replaceAll("$__interval", RATE_INTERVAL)
    .replace(/\$\{?(\w+)\}?/g, ".*");
}

// The one package every procedure is in, left out of legends so the method names fit.
const PACKAGE_PREFIX = "/planton.connect.v1.";

function legendName(format, metric) {
  if (!format) return JSON.stringify(metric);
  const name = format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? "").trim() || "value";
  return name.replaceAll(PACKAGE_PREFIX, "");
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  const short = (v, suffix = "") => {
    const a = Math.abs(v);
    const text = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a === 0 ? "0" : v.toPrecision(2);
    return `${text}${suffix}`;
  };
  switch (unit) {
    case "s":
      if (abs === 0) return "0 s";
      if (abs < 1e-3) return short(value * 1e6, " µs");
      if (abs < 1) return short(value * 1e3, " ms");
      return short(value, " s");
    case "bytes":
      if (abs >= 2 ** 30) return short(value / 2 ** 30, " GiB");
      if (abs >= 2 ** 20) return short(value / 2 ** 20, " MiB");
      if (abs >= 2 ** 10) return short(value / 2 ** 10, " KiB");
      return short(value, " B");
    case "reqps":
      return short(value, " req/s");
    case "ops":
      return short(value, " ops/s");
    default:
      if (abs >= 1e6) return short(value / 1e6, "M");
      if (abs >= 1e3) return short(value / 1e3, "K");
      return short(value);
  }
}

const escapeHtml = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

async function queryPanel(prometheus, panel, start, end) {
  const series = [];
  for (const target of panel.targets ?? []) {
    const params = new URLSearchParams({ query: substitute(target.expr), start: String(start), end: String(end), step: String(STEP_SECONDS) });
    const answer = await (await fetch(`${prometheus}/api/v1/query_range?${params}`)).json();
    if (answer.status !== "success") throw new Error(`${panel.title}: ${target.expr}: ${answer.error}`);
    for (const result of answer.data.result) {
      series.push({ name: legendName(target.legendFormat, result.metric), points: result.values.map(([t, v]) => [t, Number(v)]) });
    }
  }
  return series;
}

function niceMax(max) {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * magnitude >= max) return m * magnitude;
  return 10 * magnitude;
}

function chartSvg(series, unit, width, height, start, end) {
  const left = 70;
  const bottom = 18;
  const plotW = width - left - 8;
  const plotH = height - bottom - 6;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const min = Math.min(0, ...values);
  const max = niceMax(Math.max(0, ...values));
  const x = (t) => left + ((t - start) / (end - start)) * plotW;
  const y = (v) => 6 + plotH - ((v - min) / (max - min)) * plotH;
  const parts = [];
  for (let i = 0; i <= 4; i++) {
    const v = min + ((max - min) * i) / 4;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(formatValue(v, unit))}</text>`);
  }
  for (let t = Math.ceil(start / 15) * 15; t <= end; t += 15) {
    const label = new Date(t * 1000).toISOString().slice(11, 19);
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="6" y2="${6 + plotH}" class="grid"/>`);
    parts.push(`<text x="${x(t)}" y="${height - 4}" text-anchor="middle">${label}</text>`);
  }
  series.forEach((s, i) => {
    let d = "";
    let pen = "M";
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = "M";
        continue;
      }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = "L";
    }
    parts.push(`<path d="${d}" stroke="${PALETTE[i % PALETTE.length]}" fill="none" stroke-width="1.5"/>`);
  });
  return `<svg width="${width}" height="${height}">${parts.join("")}</svg>`;
}

function panelHtml(panel, series, box, start, end) {
  if (panel.type === "row") {
    return `<div class="row" style="left:${box.left}px;top:${box.top}px;width:${box.width}px">${escapeHtml(panel.title)}</div>`;
  }
  const unit = panel.fieldConfig?.defaults?.unit;
  // One column (name, max, last) while it fits; two (name, last) for more series.
  const columns = series.length > LEGEND_ROWS ? 2 : 1;
  const legendRows = Math.min(Math.ceil(series.length / columns), LEGEND_ROWS);
  const legendH = series.length === 0 ? 0 : legendRows * 16 + 4;
  const shown = series.length > 2 * LEGEND_ROWS ? 2 * LEGEND_ROWS - 1 : series.length;
  const chartH = box.height - 30 - legendH;
  let body;
  if (panel.type === "stat") {
    const last = series[0]?.points.findLast(([, v]) => Number.isFinite(v))?.[1];
    body = `<div class="stat">${escapeHtml(formatValue(last ?? NaN, unit))}</div>`;
  } else if (series.length === 0) {
    body = `<div class="nodata" style="height:${chartH}px">No data</div>`;
  } else {
    body = chartSvg(series, unit, box.width - 12, chartH, start, end);
  }
  const legend = series
    .slice(0, shown)
    .map((s, i) => {
      const finite = s.points.map(([, v]) => v).filter(Number.isFinite);
      const last = finite.at(-1);
      const max = finite.length ? Math.max(...finite) : NaN;
      const color = PALETTE[i % PALETTE.length];
      return `<div class="item"><span class="swatch" style="background:${color}"></span><span class="name">${escapeHtml(s.name)}</span>${columns === 1 ? `<span class="num">max ${escapeHtml(formatValue(max, unit))}</span>` : ""}<span class="num">last ${escapeHtml(formatValue(last ?? NaN, unit))}</span></div>`;
    })
    .join("")
    .concat(shown < series.length ? `<div class="item more">+${series.length - shown} more series</div>` : "");
  return `<div class="panel" style="left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px">
<div class="title">${escapeHtml(panel.title)}</div>${body}<div class="legend" style="height:${legendH}px;grid-template-columns:repeat(${columns},1fr)">${legend}</div></div>`;
}

function noDataNote(boxes) {
  const empty = boxes.filter((b) => b.panel.type !== "row" && b.series.length === 0).map((b) => b.panel.title);
  if (empty.length === 0) return "";
  // planton_kms_circuit_state exists only with AWS KMS (README, Metrics); this run uses local keys.
  const why = empty.some((t) => /circuit/i.test(t)) ? " (the KMS circuit exists only with AWS KMS; this run uses the local key provider)" : "";
  return ` No data: ${empty.map(escapeHtml).join(", ")}${why}.`;
}

async function renderPage(dashboard, prometheus, start, end) {
  const margin = 8;
  const unitH = 40;
  const colW = (WIDTH - margin) / 24;
  const header = 52;
  const boxes = [];
  let bottom = 0;
  for (const panel of dashboard.panels) {
    const g = panel.gridPos;
    const box = { left: margin + g.x * colW, top: header + g.y * unitH, width: g.w * colW - margin, height: g.h * unitH - margin };
    const series = panel.type === "row" ? [] : await queryPanel(prometheus, panel, start, end);
    boxes.push({ panel, series, html: panelHtml(panel, series, box, start, end) });
    bottom = Math.max(bottom, box.top + box.height);
  }
  const height = Math.ceil(bottom + 48);
  const from = new Date(start * 1000).toISOString().replace("T", " ").slice(0, 19);
  const to = new Date(end * 1000).toISOString().slice(11, 19);
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px/1.3 "DejaVu Sans",sans-serif;width:${WIDTH}px;height:${height}px;position:relative;overflow:hidden}
h1{font-size:17px;font-weight:500;margin:0;position:absolute;left:${margin}px;top:14px;color:#e6e6f0}
h1 small{font-size:12px;color:#8e8ea0;margin-left:12px}
.row{position:absolute;height:24px;font-size:14px;font-weight:500;color:#e6e6f0;border-bottom:1px solid #2a2c33}
.panel{position:absolute;box-sizing:border-box;background:#181b1f;border:1px solid #24262b;border-radius:3px;padding:4px 6px;overflow:hidden}
.title{font-size:13px;font-weight:500;height:22px;color:#e6e6f0}
svg text{fill:#8e8ea0;font-size:10px}svg .grid{stroke:#2a2c33;stroke-width:1}
.legend{overflow:hidden;display:grid;column-gap:16px;margin-top:2px}
.item{height:16px;white-space:nowrap;display:flex;align-items:center;gap:6px;min-width:0}
.swatch{width:12px;height:3px;flex:none}.name{overflow:hidden;text-overflow:ellipsis;flex:1 1 auto;min-width:0}.num{color:#8e8ea0;flex:none}.more{color:#8e8ea0}
.nodata{display:flex;align-items:center;justify-content:center;color:#8e8ea0}
.stat{font-size:40px;text-align:center;padding-top:20px}
footer{position:absolute;left:${margin}px;bottom:12px;color:#8e8ea0;font-size:12px}
</style></head><body>
<h1>${escapeHtml(dashboard.title)}<small>${from} – ${to} UTC, job=.*, $__rate_interval=${RATE_INTERVAL}</small></h1>
${boxes.map((b) => b.html).join("\n")}
<footer>Rendered by scripts/render-dashboard.mjs, not by Grafana: each panel's PromQL from deploy/grafana/connections-dashboard.json, run against Prometheus scraping an all-in-one process under a ${loadSeconds} s synthetic load (layout from the panels' gridPos; "${PACKAGE_PREFIX}" left out of procedure names).${noDataNote(boxes)}</footer>
</body></html>`;
  return { html, height, boxes };
}

async function screenshot(htmlPath, height) {
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    `--user-data-dir=${join(workDir, "chromium")}`,
    `--window-size=${WIDTH},${height}`,
    `--screenshot=${outputPath}`,
    `file://${htmlPath}`,
  ];
  const chromium = startProcess("chromium", chromiumBin, args, {});
  const code = await new Promise((done) => chromium.child.once("exit", done));
  if (code !== 0) throw new Error(`chromium exited with ${code}:\n${chromium.output()}`);
}

async function main() {
  const dashboard = JSON.parse(await readFile(dashboardPath, "utf8"));
  const database = `render_dashboard_${process.pid}`;
  psql(`CREATE DATABASE ${database}`);
  cleanups.push(async () => psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const civo = await startCivoImitation();
  const natsUrl = await startNats();
  const app = await startAllInOne({ DATABASE_URL: `${pgUrl}/${database}`, NATS_URL: natsUrl, CIVO_API_URL: civo });
  console.log(`all-in-one at ${app.url}, metrics at ${app.metrics}`);
  const prometheus = await startPrometheus(app.metrics);
  console.log(`Prometheus at ${prometheus}; driving load for ${loadSeconds} s`);
  const start = Math.floor(Date.now() / 1000);
  const codes = await driveLoad(rpcClient(app.url, app.token));
  console.log("calls by code:", Object.fromEntries(codes));
  // A few more scrapes, so the last seconds of load are in the charts.
  await sleep(8_000);
  const end = Math.floor(Date.now() / 1000);
  const { html, height, boxes } = await renderPage(dashboard, prometheus, start, end);
  for (const { panel, series } of boxes) if (panel.type !== "row" && series.length === 0) console.log(`no data: ${panel.title}`);
  const htmlPath = join(workDir, "dashboard.html");
  await writeFile(htmlPath, html);
  await screenshot(htmlPath, height);
  console.log(`wrote ${outputPath} (${WIDTH}x${height})`);
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(`cleanup: ${error.message}`));
}
