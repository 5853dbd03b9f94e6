// A cashier's shift on the real till: open with a counted float, sell, take cash out with a
// reason, read the X report, reload mid-shift, close with a blind count and get the Z report
// with the shortfall; every shift record reaches the store accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, newPage, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

test('open a shift with a float, cash out, X report, blind count at close shows the shortfall', { timeout: 240_000 }, async () => {
  await withTill('shift', async ({ edge, browser, log }) => {
    const [a] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(90, 91);
    const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });

    await till.click('#shift');
    await till.fill('#open-shift .count-input[data-denomination="5000"]', '1');
    await till.fill('#open-shift .count-input[data-denomination="1000"]', '5');
    await till.locator('#open-shift .count-total', { hasText: yen(10000) }).waitFor();
    await till.click('#open-shift button[type="submit"]');
    await till.locator('.shift-panel h2', { hasText: 'Shift open' }).waitFor();
    await till.keyboard.press('Escape');

    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    await till.press('#scan', 'Enter');
    await till.locator('#change').waitFor();
    await till.screenshot({ path: '/tmp/shift-paid.png' });
    await till.press('#scan', 'Enter');
    await till.locator('#change').waitFor({ state: 'detached' });

    // The shift survives a reload (it is read back from the lane's journal).
    await till.reload();
    await till.locator('.till[data-ready="true"]').waitFor({ timeout: 30_000 });
    await till.locator('#shift', { hasText: /^Shift/ }).waitFor({ timeout: 10_000 });

    await till.click('#shift');
    await till.selectOption('#cash-direction', 'out');
    await till.fill('#cash-amount', '500');
    await till.fill('#cash-reason', 'milk for the café');
    await till.click('#move-cash');
    await till.waitForFunction(() => document.querySelector('#cash-amount')?.value === '');
    const expected = 10000 + Number(a.price) - 500;
    await till.click('#x-report');
    const x = till.locator('.shift-report[data-kind="x"]');
    await x.locator('tr', { hasText: 'Expected in the drawer' }).locator('td', { hasText: yen(expected) }).waitFor();
    await x.locator('tr', { hasText: 'Cash out' }).locator('td', { hasText: yen(500) }).waitFor();

    // Blind count: the drawer is ¥100 short.
    await till.click('#start-close');
    assert.equal(await till.locator('.shift-report').count(), 0, 'nothing expected is shown while counting');
    await till.fill('#close-shift .count-input[data-denomination="1"]', String(expected - 100));
    await till.click('#close-shift button[type="submit"]');
    const z = till.locator('.shift-report[data-kind="z"]');
    await z.locator('.over-short', { hasText: `Short ${yen(100)}` }).waitFor();
    await till.locator('.shift-panel h2', { hasText: 'No shift open' }).waitFor();

    await till.keyboard.press('Escape');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
  });
});
