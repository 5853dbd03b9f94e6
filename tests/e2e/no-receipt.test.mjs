// A return without a receipt: the store has staff, so a cashier signs in; the item is scanned
// and refunded at today's price in cash — refused without a manager's PIN and with a cashier's,
// done with a manager's; the store books it (its own checks pass) and the day's sales drop by it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, demoCatalogue, newPage, ownerToday, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

test('a return without a receipt needs a manager and refunds today’s price in cash', { timeout: 240_000 }, async () => {
  await withTill('no-receipt', async ({ edge, browser, log }) => {
    const a = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each')[40];
    const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });

    for (const [name, role, pin] of [['Aki', 'cashier', '4711'], ['Ben', 'manager', '8080']]) {
      const r = await apiCall(edge.base, 'POST', '/api/v1/stores/demo-shibuya/staff', { name, role, pin, active: true }, { cookie: edge.seeded.cookie });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    // The staff reach the lane by sync; from then on someone signs in.
    await till.reload();
    await till.locator('.lock').waitFor({ timeout: 30_000 });
    await till.fill('#pin', '4711');
    await till.click('#sign-in');
    await till.locator('.cashier', { hasText: 'Aki' }).waitFor();

    await till.click('#open-history');
    await till.click('#no-receipt');
    await till.fill('#nr-scan', '4900000000000'.slice(0, 12) + '0');
    await till.press('#nr-scan', 'Enter');
    await till.locator('.no-receipt-return .error', { hasText: /No product|check digit/ }).waitFor();
    await till.fill('#nr-scan', a.gtin.replace(/^0/, ''));
    await till.press('#nr-scan', 'Enter');
    await till.locator('.nr-line', { hasText: a.name }).waitFor();
    await till.fill('#nr-reason', 'broken at home');

    await till.click('#nr-submit');
    await till.locator('.no-receipt-return .error', { hasText: "needs a manager's PIN" }).waitFor();
    await till.fill('#nr-pin', '4711');
    await till.click('#nr-submit');
    await till.locator('.no-receipt-return .error', { hasText: 'cannot approve' }).waitFor();
    await till.fill('#nr-pin', '8080');
    await till.click('#nr-submit');
    await till.locator('.refund-done', { hasText: `${yen(Number(a.price))} back in cash` }).waitFor();
    assert.equal(await till.locator('.nr-line').count(), 0);

    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), -Number(a.price));
  });
});
