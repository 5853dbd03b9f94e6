// The customer display: a second window at /display follows the till's cart over a
// BroadcastChannel — lines with savings, total, paid and change, thank you — offline too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, newPage, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

test('the customer display follows the cart, the payment and the thank-you, with no network', { timeout: 240_000 }, async () => {
  await withTill('display', async ({ edge, browser, log }) => {
    const a = demoCatalogue().find((p) => p.gtin && p.sold_by === 'each' && Number(p.price) < 500);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const till = await newPage(context, log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
    const display = await newPage(context, log);
    await display.goto(`${edge.base}/display`);
    // A display that opens later asks the till what is on screen.
    await display.locator('.customer-display[data-phase="idle"] .greeting', { hasText: 'いらっしゃいませ' }).waitFor({ timeout: 20_000 });

    await context.setOffline(true);
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    const price = Number(a.price);
    await display.locator('.display-line', { hasText: a.name }).locator('.qty', { hasText: '× 2' }).waitFor();
    await display.locator('.display-total', { hasText: yen(2 * price) }).waitFor();

    await till.click('.note >> nth=0');
    await till.locator('#change').waitFor();
    await display.locator('.customer-display[data-phase="paid"] .greeting', { hasText: 'Thank you' }).waitFor();
    await display.locator('.display-change', { hasText: yen(1000 - 2 * price) }).waitFor();
    await till.click('#new-sale');
    await display.locator('.customer-display[data-phase="idle"]').waitFor();
    assert.equal(await display.locator('.display-line').count(), 0);
  });
});
