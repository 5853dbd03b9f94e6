// The till as an installed app: Chromium finds nothing stopping installation, and a new version
// downloads in the background but switches in only between sales, losing neither cart nor sale.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, ROOT, demoCatalogue, killBrowser, launchPersistent, newPage, ownerToday, startEdge } from '../harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const catalogueLoaded = () => document.querySelector('.catalogue-size')?.textContent === '2000 products';

/** Run `body` with a persistent browser profile (installability is never reported for incognito). */
async function withProfile(name, edges, body) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'till-profile-'));
  const log = [];
  const context = await launchPersistent(profile);
  try {
    await body({ context, log });
  } catch (err) {
    let n = 0;
    for (const p of context.pages()) await p.screenshot({ path: path.join(ARTIFACTS, `${name}-${n++}.png`) }).catch(() => {});
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.console.log`), log.join('\n'));
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.edge.log`), edges.flatMap((e) => e.logs).join(''));
    throw err;
  } finally {
    await context.close().catch(() => {});
    killBrowser(profile);
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

test('Chromium reports no installability errors and the manifest icons are real PNGs of their sizes', { timeout: 180_000 }, async () => {
  const edge = await startEdge({ seed: false });
  try {
    await withProfile('pwa-install', [edge], async ({ context, log }) => {
      const page = await newPage(context, log);
      await page.goto(edge.base);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      assert.deepEqual(manifest.errors, [], 'the manifest parses without errors');
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, []);

      const parsed = JSON.parse(manifest.data);
      assert.equal(parsed.display, 'standalone');
      assert.ok(parsed.icons.some((i) => i.purpose === 'maskable'));
      for (const icon of parsed.icons) {
        const r = await fetch(new URL(icon.src, edge.base));
        assert.equal(r.headers.get('content-type'), 'image/png', icon.src);
        const png = Buffer.from(await r.arrayBuffer());
        const [w, h] = icon.sizes.split('x').map(Number);
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [w, h], `${icon.src} is ${icon.sizes}`);
      }
      // The service worker precached them, so an installed till shows its icon offline too.
      const cached = await page.evaluate(async () => {
        const name = (await caches.keys()).find((k) => k.startsWith('till-shell-'));
        return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      });
      for (const f of ['/manifest.webmanifest', '/icons/icon-192.png', '/icons/maskable-512.png']) assert.ok(cached.includes(f), f);
    });
  } finally {
    await edge.stop();
  }
});

/** A copy of dist/ (version A) and the same build with a visible marker and a new sw.js (version B). */
function twoVersions() {
  const dist = path.join(ROOT, 'dist');
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'till-dist-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'till-dist-b-'));
  fs.cpSync(dist, a, { recursive: true });
  fs.cpSync(dist, b, { recursive: true });
  const html = path.join(b, 'index.html');
  fs.writeFileSync(html, fs.readFileSync(html, 'utf8').replace('<head>', '<head>\n    <meta name="till-build" content="B" />'));
  // A new build's sw.js carries a new version (its caches' name); the browser sees a new worker.
  const sw = path.join(b, 'sw.js');
  const text = fs.readFileSync(sw, 'utf8');
  const version = text.match(/wasm_bindgen\.start\("([0-9a-f]+)"/)[1];
  fs.writeFileSync(sw, text.replaceAll(version, `${version}b`));
  return { a, b, versionB: `${version}b`, cleanup: () => { fs.rmSync(a, { recursive: true, force: true }); fs.rmSync(b, { recursive: true, force: true }); } };
}

test('a new version waits for an empty cart, keeps the open cart through a reload, and switches after the sale', { timeout: 300_000 }, async () => {
  const [first, second] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(20, 22);
  const versions = twoVersions();
  const edges = [];
  try {
    const edge = await startEdge({ assets: versions.a });
    edges.push(edge);
    await withProfile('pwa-update', edges, async ({ context, log }) => {
      const till = await newPage(context, log);
      await till.goto(edge.base);
      await till.waitForFunction(catalogueLoaded, null, { timeout: 30_000 });
      await till.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
      for (const p of [first, second]) {
        await till.fill('#scan', p.gtin.replace(/^0/, ''));
        await till.press('#scan', 'Enter');
        await till.locator('.cart-line', { hasText: p.name }).waitFor();
      }

      // Deploy version B: the same edge state and address, new static assets.
      await edge.stop({ keepState: true });
      const next = await startEdge({ dir: edge.dir, port: edge.port, assets: versions.b });
      edges.push(next);
      await till.evaluate(() => { window.sameDocument = true; });
      await till.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
      await till.locator('.update-banner').waitFor({ timeout: 30_000 });

      // It waits: no reload while the cart has lines, and the cart is intact.
      await sleep(2_000);
      assert.equal(await till.evaluate(() => window.sameDocument), true, 'the till did not reload with a cart open');
      assert.equal(await till.locator('.cart-line').count(), 2);
      // Even a reload by hand keeps the cart, and the update still waits.
      await till.reload();
      await till.waitForFunction(catalogueLoaded, null, { timeout: 30_000 });
      assert.equal(await till.locator('.cart-line').count(), 2);
      // (Navigations are network-first, so the page itself may already be B's; the worker that
      // controls it is still A's until the switch.)
      await till.locator('.update-banner').waitFor({ timeout: 30_000 });

      // Pay; while the change is on screen the switch still waits.
      await till.evaluate(() => { window.sameDocument = true; });
      await till.click('.exact');
      await till.locator('#change').waitFor();
      await sleep(1_500);
      assert.equal(await till.evaluate(() => window.sameDocument), true, 'no reload while the change is shown');

      // "New sale" empties the screen: now version B takes over.
      await till.click('#new-sale');
      await till.waitForFunction(() => window.sameDocument === undefined, null, { timeout: 30_000 });
      await till.waitForFunction(catalogueLoaded, null, { timeout: 30_000 });
      assert.equal(await till.locator('meta[name="till-build"]').getAttribute('content'), 'B');
      assert.equal(await till.locator('.update-banner').count(), 0);
      const shells = await till.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('till-shell-')));
      assert.deepEqual(shells, [`till-shell-${versions.versionB}`], 'the old version cache is gone');
      // Nothing lost: the sale made under A syncs from B, exactly once.
      await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 60_000 });
      const today = await ownerToday(next.base, edge.seeded);
      assert.equal(today.stores[0].sales, 1);
      assert.equal(Number(today.stores[0].net.amount), Number(first.price) + Number(second.price));
    });
  } finally {
    for (const e of edges) await e.stop({ keepState: true }).catch(() => {});
    if (edges[0]) fs.rmSync(edges[0].dir, { recursive: true, force: true });
    versions.cleanup();
  }
});
