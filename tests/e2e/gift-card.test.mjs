// Gift cards: a card is sold for cash on one lane; it pays for a sale there and cannot pay more
// than it holds; the store books the load (not as a sale) and the payment; another lane of the
// store, freshly set up, sees the card's balance from the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, openTill, ownerToday, withTill } from '../harness.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;


test('a gift card sold on one lane pays on it, only up to its balance, and the other lanes see the balance', { timeout: 240_000 }, async () => {
  await withTill('gift-card', async ({ edge, browser, log }) => {
    const each = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each');
    const a = each.find((p) => Number(p.price) >= 300 && Number(p.price) < 2000);
    const till = await openTill(browser, log, edge);

    await till.click('#gift-cards');
    // A bank card number is never taken for a gift card.
    await till.fill('#card-code', '4111 1111 1111 1111');
    await till.click('#card-check');
    await till.locator('.gift-panel .error', { hasText: 'bank card' }).waitFor();
    await till.fill('#card-code', 'gc-2026-0001');
    await till.fill('#load-amount', '5000');
    await till.fill('#load-tendered', '10000');
    await till.click('#load-cash');
    await till.locator('.card-said', { hasText: `Loaded ${yen(5000)} on GC20260001: balance ${yen(5000)} · change ${yen(5000)}` }).waitFor();
    // Topped up on the card terminal.
    await till.selectOption('#load-by', 'card');
    await till.fill('#load-amount', '1000');
    await till.fill('#load-last4', '4242');
    await till.fill('#load-approval', 'A1B2');
    await till.click('#load-cash');
    await till.locator('.card-said', { hasText: `Loaded ${yen(1000)} on GC20260001: balance ${yen(6000)}` }).waitFor();
    await till.click('#close-gift');

    // The card pays for a sale (what is due, when no amount is typed).
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    await till.click('.gift-form summary');
    await till.fill('#gift-code', 'GC20260001');
    await till.click('#add-gift');
    await till.locator('.gift-balance', { hasText: `${yen(6000 - Number(a.price))} left after this` }).waitFor();
    await till.click('#complete');
    await till.locator('#new-sale').waitFor();
    await till.click('#new-sale');

    // It cannot pay more than it holds.
    await till.fill('#scan', a.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: a.name }).waitFor();
    await till.click('.gift-form summary');
    await till.fill('#gift-code', 'GC20260001');
    await till.fill('#gift-amount', '6000');
    await till.click('#add-gift');
    await till.locator('.pay .error', { hasText: `the card has ${yen(6000 - Number(a.price))} on it` }).waitFor();
    assert.equal(await till.locator('.tender-line').count(), 0);

    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const { rejected } = await (await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`, { headers: { cookie: edge.seeded.cookie } })).json();
    assert.deepEqual(rejected, []);
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(Number(today.stores[0].net.amount), Number(a.price), 'the card sold is not a sale; the sale paid by card is');

    // A second lane of the store knows the balance from the store.
    const other = await openTill(browser, log, edge);
    await other.click('#gift-cards');
    await other.fill('#card-code', 'GC20260001');
    await other.click('#card-check');
    await other.locator('.card-said', { hasText: `Card GC20260001 has ${yen(6000 - Number(a.price))}` }).waitFor();
  });
});
