// The thin slice, end to end: open the till → demo catalogue → scan a JAN and search by name →
// the lines appear → the open cart survives a reload → pay cash with change → the sale is in
// IndexedDB and pushed to the edge → the owner's page shows today's total.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, demoCatalogue, newPage, openTill, ownerToday, withTill } from '../harness.mjs';

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

test('park a cart, serve someone else, recall it and pay; a voided cart is recorded, not sold', { timeout: 240_000 }, async () => {
  await withTill('park-void', async ({ edge, browser, log }) => {
    const [a, b, c] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(60, 63);
    const till = await openTill(browser, log, edge);
    const scan = async (p) => {
      await till.fill('#scan', p.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: p.name }).waitFor();
    };
    await scan(a);
    await till.click('#park');
    await till.locator('.recall', { hasText: a.name }).waitFor();
    assert.equal(await till.locator('.cart-line').count(), 0);
    // The parked cart survives a reload (it is stored on the device).
    await till.reload();
    await till.locator('.recall', { hasText: a.name }).waitFor({ timeout: 30_000 });

    // The next customer buys b and pays.
    await scan(b);
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await till.click('#new-sale');

    // A third customer changes their mind: the cart is voided with a reason.
    await scan(c);
    await till.click('#void-cart');
    await till.fill('#void-reason', 'customer left');
    await till.click('#void-confirm');
    await till.waitForFunction(() => document.querySelectorAll('.cart-line').length === 0);

    // The first customer is back: recall and pay.
    await till.click('.recall');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    assert.equal(await till.locator('.recall').count(), 0);
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await till.click('#new-sale');

    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(today.stores[0].sales, 2, 'two sales; the voided cart is not a sale');
    // The void reached the store as an accepted audit event, not a refused one.
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
    assert.equal(Number(today.stores[0].net.amount), Number(a.price) + Number(b.price));
  });
});

test('a split payment: part by card on the terminal (never a card number), the rest in cash with change', { timeout: 240_000 }, async () => {
  await withTill('split-tender', async ({ edge, browser, log }) => {
    const products = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each' && Number(p.price) > 300).slice(0, 2);
    const till = await openTill(browser, log, edge);
    for (const p of products) {
      await till.fill('#scan', p.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: p.name }).waitFor();
    }
    const total = products.reduce((n, p) => n + Number(p.price), 0);
    await till.click('.card-form summary');
    // A whole card number typed by mistake is refused and not kept anywhere.
    await till.fill('#card-last4', '1234');
    await till.fill('#card-approval', '4111111111111111');
    await till.click('#add-card');
    await till.locator('.pay .error', { hasText: 'never stores card numbers' }).waitFor();
    assert.equal(await till.locator('.tender-line').count(), 0);
    // The terminal took ¥300 on a JCB card; the rest is paid in cash with a ¥10,000 note.
    await till.fill('#card-approval', 'A1B2C3');
    await till.fill('#card-amount', '300');
    await till.selectOption('#card-brand', 'JCB');
    await till.click('#add-card');
    await till.locator('.tender-line', { hasText: 'JCB ****1234 ¥300' }).waitFor();
    assert.equal(await till.textContent('#due'), yen(total - 300));
    await till.fill('#tendered', '10000');
    await till.click('#pay');
    await till.locator('#change').waitFor();
    assert.equal(await till.textContent('#change'), yen(10000 - (total - 300)));
    const receipt = await till.locator('.receipt').innerText();
    assert.match(receipt, /JCB \*\*\*\*1234/);
    assert.doesNotMatch(receipt, /4111111111111111/);
    await till.click('#new-sale');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), total);
  });
});

test("a return against today's receipt: found by scanning its number, limited to what is left, refunded once", { timeout: 240_000 }, async () => {
  await withTill('return', async ({ edge, browser, log }) => {
    const [a, b] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(70, 72);
    const till = await openTill(browser, log, edge);
    for (const p of [a, a, b]) {
      await till.fill('#scan', p.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
    }
    await till.locator('.cart-line', { hasText: b.name }).waitFor();
    await till.click('.exact');
    const receiptNo = (await till.locator('.receipt-no').textContent()).trim();
    await till.click('#new-sale');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });

    // Today's receipts show it, sent to the store.
    await till.click('#open-history');
    await till.locator(`.receipt-row[data-receipt="${receiptNo}"] .sync-state.synced`).waitFor({ timeout: 10_000 });
    await till.click('#close-history');

    // The customer comes back with the receipt: scanning its barcode opens it.
    await till.fill('#scan', receiptNo);
    await till.press('#scan', 'Enter');
    const detail = till.locator(`.receipt-detail[data-receipt="${receiptNo}"]`);
    await detail.waitFor();
    await till.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
    await till.click('#reprint');
    assert.equal(await till.evaluate(() => window.__printed), 1);
    await detail.locator('.return-line[data-line="0"] .return-qty').fill('1');
    await till.fill('#return-reason', 'changed mind');
    await till.click('#return-submit');
    await till.locator('.refund-done', { hasText: `${yen(Number(a.price))} back (Cash ${yen(Number(a.price))})` }).waitFor();
    await detail.locator('.return-line[data-line="0"] .left', { hasText: '1 of 2 can come back' }).waitFor();
    // Never more than was sold minus what came back already.
    await detail.locator('.return-line[data-line="0"] .return-qty').fill('2');
    await till.click('#return-submit');
    await till.locator('.return-form .error', { hasText: 'only 1' }).waitFor();

    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), Number(a.price) + Number(b.price));
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
  });
});

test('keyboard first: Enter pays exact and starts the next sale, F4 parks, F3 and Esc open and close receipts', { timeout: 240_000 }, async () => {
  await withTill('keyboard', async ({ edge, browser, log }) => {
    const [a, b] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(80, 82);
    const till = await openTill(browser, log, edge);
    await till.locator('.exact kbd', { hasText: 'Enter' }).waitFor();
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.keyboard.press('Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    // Focus is back in the scan field, now empty: Enter pays the exact amount…
    await till.keyboard.press('Enter');
    await till.locator('#change', { hasText: '¥0' }).waitFor();
    // …and Enter again starts the next sale.
    await till.keyboard.press('Enter');
    await till.locator('#change').waitFor({ state: 'detached' });
    await till.fill('#scan', b.gtin.replace(/^0/, ''));
    await till.keyboard.press('Enter');
    await till.locator('.cart-line', { hasText: b.name }).waitFor();
    await till.keyboard.press('F4');
    await till.locator('.recall', { hasText: b.name }).waitFor();
    assert.equal(await till.locator('.cart-line').count(), 0);
    await till.keyboard.press('F3');
    await till.locator('.history .receipt-row').first().waitFor();
    await till.keyboard.press('Escape');
    await till.locator('.history').waitFor({ state: 'detached' });
    assert.equal(await till.evaluate(() => document.activeElement?.id), 'scan');
  });
});

test('quantities with + and −, a line discount and a cart discount (a shop without staff needs no approval)', { timeout: 240_000 }, async () => {
  await withTill('discounts', async ({ edge, browser, log }) => {
    const a = demoCatalogue().find((p) => p.gtin && p.sold_by === 'each' && Number(p.price) % 10 === 0 && Number(p.price) >= 200);
    const till = await openTill(browser, log, edge);
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    await till.click(`.qty-more[aria-label="One more ${a.name}"]`);
    await till.click(`.qty-more[aria-label="One more ${a.name}"]`);
    await till.click(`.qty-less[aria-label="One fewer ${a.name}"]`);
    await till.locator('.cart-line .qty', { hasText: '× 2' }).waitFor();
    const price = Number(a.price);
    await till.click(`.discount-edit[aria-label="Discount ${a.name}"]`);
    await till.fill('#line-discount-value', '10%');
    await till.click('#line-discount-apply');
    await till.locator('.cart-line .line-discount', { hasText: 'discount 10%' }).waitFor();
    assert.equal(await till.textContent('#total'), yen(2 * price - price / 5));
    await till.click('#cart-discount-open');
    await till.fill('#cart-discount-value', '100');
    await till.click('#cart-discount-apply');
    await till.locator('.cart-discount', { hasText: 'Cart discount 100' }).waitFor();
    const total = 2 * price - price / 5 - 100;
    assert.equal(await till.textContent('#total'), yen(total));
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await till.click('#new-sale');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), total, 'the edge re-prices the discounted sale to the same total');
  });
});

test('paid by a QR wallet on the shop\'s own terminal: named on the receipt and in the day\'s payment mix', { timeout: 240_000 }, async () => {
  await withTill('qr-payment', async ({ edge, browser, log }) => {
    const a = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each')[95];
    const till = await openTill(browser, log, edge);
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    await till.click('.other-form summary');
    await till.selectOption('#other-name', 'PayPay');
    await till.click('#add-other');
    await till.locator('.tender-line', { hasText: 'PayPay' }).waitFor();
    await till.click('#complete');
    await till.locator('#change', { hasText: '¥0' }).waitFor();
    await till.locator('.receipt-preview', { hasText: 'PayPay' }).waitFor();
    await till.click('#new-sale');
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const day = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/day`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(day.day.tenders.map(([k, m]) => [k, Number(m.amount)]), [['PayPay', Number(a.price)]]);
  });
});
