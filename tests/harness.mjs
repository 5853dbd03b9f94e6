// The browser test harness: real Chromium (Debian's, headless) against the real edge (wrangler
// dev on local workerd, fresh D1 + Durable Object state per edge). Everything it starts it stops,
// even when a test fails; a failing test leaves a screenshot and the console log in target/e2e/.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { seedCatalogue } from '../scripts/seed.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EDGE_DIR = path.join(ROOT, 'edge');
const WRANGLER = path.join(EDGE_DIR, 'node_modules/.bin/wrangler');
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache/till/target');
export const TOOLS_BIN = path.join(TARGET, 'debug/till-tools');
export const ARTIFACTS = path.join(ROOT, 'target/e2e');

const QUIET_ENV = {
  ...process.env,
  TILL_SKIP_BUILD: '1',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Edges still running: killed if the test process exits or is interrupted, so no workerd outlives a run.
const running = new Set();
const killAll = () => { for (const pid of running) { try { process.kill(-pid, 'SIGKILL'); } catch {} } };
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130); });

/** The demo catalogue exactly as the edge was seeded with it. */
export function demoCatalogue(count = 2000) {
  return JSON.parse(execFileSync(TOOLS_BIN, ['catalogue', String(count)], { maxBuffer: 1 << 30 }));
}

/**
 * Start the edge on a free port with its own state directory, migrate, seed the demo store.
 * Pass `dir` (and `port`) from an earlier edge to restart it on the same data; `assets` serves
 * another build of the till than dist/ (a "deploy" of a new version).
 */
export async function startEdge({ dir, port, seed = true, extraSql = '', assets, demo = true } = {}) {
  const fresh = !dir;
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'till-edge-'));
  port ??= await freePort();
  const inspector = await freePort();
  const run = (args) => execFileSync(WRANGLER, args, { cwd: EDGE_DIR, env: QUIET_ENV, stdio: 'pipe', timeout: 60_000 });
  if (fresh) {
    run(['d1', 'migrations', 'apply', 'till', '--local', '--persist-to', dir]);
    const sql = path.join(dir, 'demo.sql');
    fs.writeFileSync(sql, Buffer.concat([execFileSync(TOOLS_BIN, ['demo-sql']), Buffer.from(`\n${extraSql}\n`)]));
    run(['d1', 'execute', 'till', '--local', '--persist-to', dir, '--file', sql]);
  }
  const proc = spawn(
    WRANGLER,
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', dir,
      '--var', `DEMO_MODE:${demo ? 'on' : 'off'}`, '--log-level', 'warn', '--show-interactive-dev-session=false',
      ...(assets ? ['--assets', assets] : [])],
    { cwd: EDGE_DIR, env: QUIET_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(proc.pid);
  const logs = [];
  proc.stdout.on('data', (d) => logs.push(d.toString()));
  proc.stderr.on('data', (d) => logs.push(d.toString()));
  let exited = false;
  const exit = new Promise((resolve) => proc.on('exit', () => { exited = true; running.delete(proc.pid); resolve(); }));
  const base = `http://127.0.0.1:${port}`;
  const edge = {
    base, dir, port, logs, proc,
    /** Run SQL on the edge's local D1 (as the back office would change the directory). */
    d1(sql) { return run(['d1', 'execute', 'till', '--local', '--persist-to', dir, '--command', sql]).toString(); },
    /** Stop wrangler and workerd (SIGTERM to the process group, SIGKILL after 10 s). */
    async stop({ keepState = false } = {}) {
      if (!exited) {
        try { process.kill(-proc.pid, 'SIGTERM'); } catch {}
        await Promise.race([exit, sleep(10_000)]);
        if (!exited) { try { process.kill(-proc.pid, 'SIGKILL'); } catch {} await exit; }
      }
      if (!keepState) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited before it was ready:\n${logs.join('')}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) { await edge.stop(); throw new Error(`the edge did not answer /api/health in 90 s:\n${logs.join('')}`); }
    await sleep(250);
  }
  if (fresh && seed) edge.seeded = await seedCatalogue(base, TOOLS_BIN, 2000);
  return edge;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const newContext = browser.newContext.bind(browser);
  // The tests read the till in English: each context is a device whose own choice is English
  // (the demo store speaks Japanese). `{ tillLang: 'ja' }` chooses Japanese, `null` follows the store.
  browser.newContext = async ({ tillLang = 'en', ...options } = {}) => {
    const context = await newContext(options);
    if (tillLang) await chooseLanguage(context, tillLang);
    return context;
  };
  return browser;
}

/** A browser with an on-disk profile in `dir`, so its IndexedDB outlives the browser process. */
export async function launchPersistent(dir) {
  const context = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  await chooseLanguage(context, 'en');
  return context;
}

/** This device's language, set the way the till's own picker sets it, before any page runs. */
async function chooseLanguage(context, lang) {
  await context.addInitScript((l) => {
    try {
      if (!localStorage.getItem('till.lang')) localStorage.setItem('till.lang', l);
    } catch {
      // about:blank and opaque origins have no storage.
    }
  }, lang);
}

/** Kill every Chromium process using profile `dir` with SIGKILL: nothing is flushed or unloaded. */
export function killBrowser(dir) {
  try { execFileSync('pkill', ['-KILL', '-f', '--', `--user-data-dir=${dir}`]); } catch {}
}

/** A till at 1280×800 on `edge` (a demo lane), with the demo catalogue loaded. */
export async function openTill(browser, log, edge) {
  const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), log);
  await till.goto(edge.base);
  await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
  return till;
}

/** A page whose console and errors are recorded, for the failure artifacts. */
export async function newPage(context, log) {
  const page = await context.newPage();
  page.on('console', (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
  return page;
}

/**
 * Run `body` with a fresh edge and browser; on failure save a screenshot of every open page, the
 * browser console and the edge's log under target/e2e/<name>*; always stop everything.
 */
export async function withTill(name, body, edgeOptions = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const log = [];
  const edge = await startEdge(edgeOptions);
  const browser = await launchBrowser();
  const ctx = { edge, browser, log, pages: [] };
  try {
    await body(ctx);
  } catch (err) {
    const contexts = browser.contexts();
    let n = 0;
    for (const c of contexts) for (const p of c.pages()) {
      await p.screenshot({ path: path.join(ARTIFACTS, `${name}-${n++}.png`), fullPage: true }).catch(() => {});
    }
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.console.log`), log.join('\n'));
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.edge.log`), edge.logs.join(''));
    throw err;
  } finally {
    await browser.close().catch(() => {});
    await edge.stop();
  }
}

/** The owner's "today" roll-up on the edge at `base`, signed in as the seeded demo owner. */
export async function ownerToday(base, { email, password }) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`owner login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  return (await fetch(`${base}/api/v1/owner/today`, { headers: { cookie } })).json();
}

/** Call the edge's API at `base`: JSON in, `{ status, body, cookie }` out (body parsed if JSON). */
export async function apiCall(base, method, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, body: json, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

/** Serious and critical axe-core violations on the page as it is now, as readable lines. */
export async function violations(page) {
  await page.evaluate(fs.readFileSync(path.join(ROOT, 'tests/node_modules/axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
