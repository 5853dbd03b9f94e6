// The thin slice, end to end: open the till → demo catalogue → scan a JAN and search by name →
// the lines appear → the open cart survives a reload → pay cash with change → the sale is in
// IndexedDB and pushed to the edge → the owner's page shows today's total.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, demoCatalogue, newPage, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

test('a sale rung up on the till lands at the edge and shows on /owner', { timeout: 240_000 }, async () => {
  await withTill('sale-to-owner', async ({ edge, browser, log }) => {
    const catalogue = demoCatalogue();
    const scanned = catalogue.find((p) => p.gtin && p.sold_by === 'each');
    const searched = catalogue.find((p) => p.gtin && p.sold_by === 'each' && p.sku !== scanned.sku && p.category === 'カップ麺');

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const till = await newPage(context, log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
    await till.screenshot({ path: path.join(ARTIFACTS, 'till-1280x800.png') });

    // Scan: a JAN typed into the scan field (as a keyboard-wedge scanner does), then Enter.
    const jan = scanned.gtin.replace(/^0/, '');
    await till.fill('#scan', jan);
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: scanned.name }).waitFor();
    assert.equal(await till.inputValue('#scan'), '', 'the scan field is cleared for the next scan');

    // A misread code is refused with a reason and adds nothing.
    await till.fill('#scan', jan.slice(0, 12) + String((Number(jan[12]) + 1) % 10));
    await till.press('#scan', 'Enter');
    await till.locator('.message', { hasText: 'check digit' }).waitFor();
    assert.equal(await till.locator('.cart-line').count(), 1);

    // Search by name (its English reading), pick the result.
    await till.fill('#scan', searched.alt_name);
    await till.locator('.result', { hasText: searched.name }).first().click();
    await till.locator('.cart-line', { hasText: searched.name }).waitFor();

    const expected = Number(scanned.price) + Number(searched.price);
    assert.equal(await till.textContent('#total'), yen(expected));

    // The open cart survives a reload.
    await till.reload();
    await till.locator('.cart-line', { hasText: searched.name }).waitFor({ timeout: 30_000 });
    assert.equal(await till.locator('.cart-line').count(), 2);
    assert.equal(await till.textContent('#total'), yen(expected));

    // Pay cash: ¥10,000 tendered, change shown.
    await till.fill('#tendered', '10000');
    await till.click('#pay');
    await till.locator('#change').waitFor();
    assert.equal(await till.textContent('#change'), yen(10000 - expected));

    // Durable on the device: the sale is in IndexedDB.
    const stored = await till.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('till');
      open.onsuccess = () => {
        const req = open.result.transaction('sales').objectStore('sales').getAll();
        req.onsuccess = () => resolve(req.result.map((s) => ({ total: s.total.amount, receipt: s.receipt_no })));
        req.onerror = () => reject(req.error);
      };
      open.onerror = () => reject(open.error);
    }));
    assert.deepEqual(stored, [{ total: String(expected), receipt: 'L1-000001' }]);

    // Pushed: the outbox drains.
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });

    // The owner signs in on a phone-sized page and sees today's total.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const owner = await newPage(phone, log);
    await owner.goto(`${edge.base}/owner`);
    await owner.fill('#email', edge.seeded.email);
    await owner.fill('#password', edge.seeded.password);
    await owner.click('#sign-in');
    await owner.locator('.net-amount', { hasText: yen(expected) }).waitFor({ timeout: 30_000 });
    assert.equal(await owner.textContent('.sales-count'), '1');
    await owner.screenshot({ path: path.join(ARTIFACTS, 'owner-390x844.png') });
  });
});
