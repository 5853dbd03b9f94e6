// When a lane cannot sync: its unsynced sales go to a signed rescue file, the owner uploads it,
// the edge takes each sale once (however often the file is uploaded and even if the lane syncs
// later), and an edited file is refused. A full disk refuses the sale but keeps the cart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { demoCatalogue, newPage, ownerToday, startEdge, withTill } from '../harness.mjs';

const catalogueLoaded = () => document.querySelector('.catalogue-size')?.textContent === '2000 products';

async function sell(till, product) {
  await till.fill('#scan', product.gtin.replace(/^0/, ''));
  await till.press('#scan', 'Enter');
  await till.locator('.cart-line', { hasText: product.name }).waitFor();
  await till.click('.exact');
  await till.locator('#change').waitFor();
  await till.click('#new-sale');
}

test('a rescue file of unsynced sales is accepted once by the owner upload, refused when edited', { timeout: 300_000 }, async () => {
  await withTill('rescue', async ({ edge, browser, log }) => {
    const sold = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(30, 32);
    const laneContext = await browser.newContext();
    const till = await newPage(laneContext, log);
    await till.goto(edge.base);
    await till.waitForFunction(catalogueLoaded, null, { timeout: 30_000 });
    // The lane loses its connection for good; it keeps selling.
    await laneContext.setOffline(true);
    for (const p of sold) await sell(till, p);
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '2', null, { timeout: 10_000 });

    await till.click('.lane-panel summary');
    assert.match(await till.textContent('.lane-panel .storage'), /^Storage: .+ used of .+/);
    const [download] = await Promise.all([till.waitForEvent('download'), till.click('#rescue-export')]);
    assert.match(download.suggestedFilename(), /^till-rescue-demo-shibuya-L1-\d{4}-\d{2}-\d{2}-2\.json$/);
    const file = fs.readFileSync(await download.path(), 'utf8');
    const payload = JSON.parse(JSON.parse(file).payload);
    assert.equal(payload.events.length, 2);

    // The owner, elsewhere, uploads it from the dashboard.
    const ownerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const owner = await newPage(ownerContext, log);
    await owner.goto(`${edge.base}/owner`);
    await owner.fill('#email', edge.seeded.email);
    await owner.fill('#password', edge.seeded.password);
    await owner.click('#sign-in');
    await owner.locator('#rescue-file').waitFor();
    await owner.setInputFiles('#rescue-file', await download.path());
    await owner.click('#rescue-upload');
    await owner.locator('.rescue-outcome', { hasText: 'Lane L1: 2 records received, 0 were already here, 0 refused' }).waitFor({ timeout: 20_000 });
    let today = await ownerToday(edge.base, edge.seeded);
    assert.equal(today.stores[0].sales, 2);

    // Uploading it again changes nothing.
    await owner.click('#rescue-upload');
    await owner.locator('.rescue-outcome', { hasText: '0 records received, 2 were already here' }).waitFor({ timeout: 20_000 });

    // An edited file (a sale's amount changed) is refused as a whole.
    const cookies = await ownerContext.cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const tampered = JSON.parse(file);
    tampered.payload = tampered.payload.replace(/"lane_seq":2/, '"lane_seq":3');
    const refused = await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rescue`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(tampered),
    });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error.message, /changed after it was exported/);
    // Without a session, or for a store that is not the owner's, nothing is read.
    const anon = await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rescue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: file });
    assert.equal(anon.status, 401);
    const other = await fetch(`${edge.base}/api/v1/stores/someone-elses/rescue`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: file });
    assert.equal(other.status, 404);

    // The lane comes back and pushes the same sales: acknowledged as duplicates, counted once.
    await laneContext.setOffline(false);
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 60_000 });
    today = await ownerToday(edge.base, edge.seeded);
    assert.equal(today.stores[0].sales, 2);
    assert.equal(Number(today.stores[0].net.amount), sold.reduce((n, p) => n + Number(p.price), 0));
  });
});

test('a full disk refuses the sale with a clear message, keeps the cart, and the sale goes through once there is space', { timeout: 180_000 }, async () => {
  await withTill('quota', async ({ edge, browser, log }) => {
    const [product] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(40, 41);
    const context = await browser.newContext();
    const till = await newPage(context, log);
    // A small device: 30 MB for the till's origin (the catalogue and app shell need a few).
    const cdp = await context.newCDPSession(till);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: edge.base, quotaSize: 30 * 1024 * 1024 });
    await till.goto(edge.base);
    await till.waitForFunction(catalogueLoaded, null, { timeout: 30_000 });
    await till.fill('#scan', product.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: product.name }).waitFor();

    // Something else on the device fills the rest of the space.
    const filled = await till.evaluate(async () => {
      const db = await new Promise((res, rej) => {
        const o = indexedDB.open('filler', 1);
        o.onupgradeneeded = () => o.result.createObjectStore('junk');
        o.onsuccess = () => res(o.result);
        o.onerror = () => rej(o.error);
      });
      let n = 0;
      for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8]) {
        for (;;) {
          const ok = await new Promise((res) => {
            const tx = db.transaction('junk', 'readwrite');
            // Random bytes, so nothing compresses them away.
            const junk = new Uint8Array(size);
            for (let i = 0; i < size; i += 65536) crypto.getRandomValues(junk.subarray(i, i + 65536));
            tx.objectStore('junk').put(junk, n);
            tx.oncomplete = () => res(true);
            tx.onabort = () => res(false);
          });
          if (!ok) break;
          n += 1;
        }
      }
      db.close();
      return n;
    });
    assert.ok(filled > 0);

    await till.click('.exact');
    await till.locator('.pay .error', { hasText: 'storage is full' }).waitFor({ timeout: 10_000 });
    assert.equal(await till.locator('.cart-line').count(), 1, 'the cart is kept');
    assert.equal(await till.locator('#change').count(), 0, 'the screen never says paid');
    assert.equal(await till.evaluate(() => document.querySelector('.sync-badge').dataset.unsynced), '0');

    // Space again: the same cart is paid, once.
    await till.evaluate(() => new Promise((res) => { const r = indexedDB.deleteDatabase('filler'); r.onsuccess = r.onerror = res; }));
    await till.click('.exact');
    await till.locator('#change').waitFor({ timeout: 10_000 });
    await till.click('#new-sale');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(today.stores[0].sales, 1);
  });
});
