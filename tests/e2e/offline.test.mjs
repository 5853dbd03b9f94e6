// Offline: with the edge stopped and the browser offline, the till boots from the service
// worker's cache and sells from IndexedDB; when the edge is back, the sale arrives exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, newPage, ownerToday, startEdge, withTill } from '../harness.mjs';

test('the till boots and sells 3 sales with no network, and they sync once the edge is back', { timeout: 300_000 }, async () => {
  await withTill('offline-sale', async ({ edge, browser, log }) => {
    const sold = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(10, 13);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const till = await newPage(context, log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
    // The service worker has installed the shell and controls the page.
    await till.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    const caches = await till.evaluate(() => caches.keys());
    assert.equal(caches.filter((c) => c.startsWith('till-shell-')).length, 1);

    // No network at all: the edge is stopped and the browser is offline.
    await edge.stop({ keepState: true });
    await context.setOffline(true);
    await till.reload();
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
    for (const product of sold) {
      await till.fill('#scan', product.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: product.name }).waitFor();
      await till.click('.exact');
      await till.locator('#change').waitFor();
      assert.equal(await till.textContent('#change'), '¥0');
      // The receipt prints through the browser (no printer attached, no network): in print
      // media only the 80 mm receipt shows, with what a Japanese receipt must carry.
      await till.click('#print-receipt');
      await till.emulateMedia({ media: 'print' });
      const receipt = till.locator('.receipt');
      assert.ok(await receipt.isVisible());
      assert.equal(await till.locator('#scan').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
      const text = await receipt.innerText();
      assert.match(text, /登録番号 T7123456789012/);
      assert.match(text, new RegExp(product.name));
      assert.match(text, /合計\s*¥/);
      await till.emulateMedia({ media: 'screen' });
      await till.click('#new-sale');
    }
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '3', null, { timeout: 10_000 });
    assert.match(await till.textContent('.sync-badge'), /offline/);
    await till.locator('.offline-banner').waitFor();
    // The till asked the browser to wake it when connectivity returns (Background Sync).
    await till.waitForFunction(async () => (await (await navigator.serviceWorker.ready).sync.getTags()).includes('till-outbox'), null, { timeout: 10_000, polling: 250 });

    // The edge comes back on the same state and address; the network returns.
    const again = await startEdge({ dir: edge.dir, port: edge.port });
    try {
      await context.setOffline(false);
      // What the browser does when the network is back: fire the sync event at the worker,
      // which tells the till to push now.
      const cdp = await context.newCDPSession(till);
      const registration = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const r = registrations.find((x) => x.scopeURL.startsWith(edge.base) && !x.isDeleted);
        if (r) resolve(r.registrationId);
      }));
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: edge.base, registrationId: await registration, tag: 'till-outbox', lastChance: false });
      await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 60_000 });
      // Exactly once: the owner's roll-up counts the three sales.
      const today = await ownerToday(again.base, edge.seeded);
      assert.equal(today.stores[0].sales, 3);
      assert.equal(Number(today.stores[0].net.amount), sold.reduce((n, p) => n + Number(p.price), 0));
    } finally {
      await again.stop({ keepState: true });
    }
  });
});
