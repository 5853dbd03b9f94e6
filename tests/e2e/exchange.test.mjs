// Exchanges on the real till: a customer brings back an item from today's receipt and takes a
// dearer one (pays the difference), then swaps another for a cheaper one (gets the rest back);
// the exchange survives a reload while it is rung up; the store books both halves of each and
// the day's sales move by exactly the difference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, newPage, ownerToday, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

test('an exchange for a dearer item costs the difference; for a cheaper one gives the rest back', { timeout: 240_000 }, async () => {
  await withTill('exchange', async ({ edge, browser, log }) => {
    const each = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each');
    const price = (p) => Number(p.price);
    const a = each.find((p) => price(p) >= 150 && price(p) <= 300);
    const b = each.find((p) => price(p) >= 400 && p.sku !== a.sku);
    const c = each.find((p) => price(p) > price(a) + 50 && price(p) < price(b) && p.sku !== b.sku);
    const d = each.find((p) => price(p) < price(b) - 50 && ![a, b, c].some((q) => q.sku === p.sku));
    const jan = (p) => p.gtin.replace(/^0/, '');
    const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), log);
    await till.goto(edge.base);
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });

    for (const p of [a, b]) {
      await till.fill('#scan', jan(p));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: p.name }).waitFor();
    }
    await till.click('.exact');
    const receiptNo = (await till.locator('.receipt-no').textContent()).trim();
    await till.click('#new-sale');

    const openReceipt = async () => {
      await till.fill('#scan', receiptNo);
      await till.press('#scan', 'Enter');
      const detail = till.locator(`.receipt-detail[data-receipt="${receiptNo}"]`);
      await detail.waitFor();
      return detail;
    };

    // 1. Item a comes back for the dearer c.
    let detail = await openReceipt();
    await detail.locator('.return-line[data-line="0"] .return-qty').fill('1');
    await till.fill('#return-reason', 'wrong flavour');
    await till.click('#exchange-start');
    await till.locator('.exchange-banner', { hasText: `from ${receiptNo} coming back, worth ${yen(price(a))}` }).waitFor();
    // A reload while ringing it up keeps it.
    await till.reload();
    await till.locator('.exchange-banner', { hasText: receiptNo }).waitFor({ timeout: 30_000 });
    await till.fill('#scan', jan(c));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: c.name }).waitFor();
    assert.equal(await till.textContent('#due'), yen(price(c) - price(a)));
    await till.click('.exact');
    await till.locator('#new-sale').waitFor();
    const receipt = (await till.locator('.receipt-preview').innerText()).replace(/\s+/g, ' ');
    assert.ok(receipt.includes(`交換(返品分) ${yen(price(a))}`), receipt);
    // One receipt: what came back first, then the new item.
    const back = receipt.indexOf(`返品 (元レシート ${receiptNo})`);
    assert.ok(back >= 0 && back < receipt.indexOf(a.name) && receipt.indexOf(a.name) < receipt.indexOf(c.name), receipt);
    const exchangeNo = (await till.locator('.receipt-no').textContent()).trim();
    await till.click('#new-sale');
    assert.equal(await till.locator('.exchange-banner').count(), 0);

    // Only what is left can come back: a second exchange of the same a is refused.
    detail = await openReceipt();
    await detail.locator('.return-line[data-line="0"] .left', { hasText: '0 of 1 can come back' }).waitFor();

    // 2. Item b comes back for the cheaper d: nothing to pay, the rest back in cash (as paid).
    await detail.locator('.return-line[data-line="1"] .return-qty').fill('1');
    await till.fill('#return-reason', 'too big');
    await till.click('#exchange-start');
    await till.locator('.exchange-banner', { hasText: yen(price(b)) }).waitFor();
    await till.fill('#scan', jan(d));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: d.name }).waitFor();
    await till.locator('.due', { hasText: `Back to the customer ${yen(price(b) - price(d))}` }).waitFor();
    await till.click('#complete-exchange');
    await till.locator('#new-sale').waitFor();
    const second = (await till.locator('.receipt-preview').innerText()).replace(/\s+/g, ' ');
    assert.ok(second.includes(`返金 (Cash) ${yen(price(b) - price(d))}`), second);
    await till.click('#new-sale');

    // Found again later, the exchange's receipt still shows what came back.
    await till.fill('#scan', exchangeNo);
    await till.press('#scan', 'Enter');
    const again = till.locator(`.receipt-detail[data-receipt="${exchangeNo}"] .receipt-preview`);
    await again.locator('text=元レシート').waitFor();
    assert.ok((await again.innerText()).includes(a.name));
    await till.keyboard.press('Escape');

    // The store booked all five records and refused none; the day moved by the differences.
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), price(c) + price(d));
  });
});
