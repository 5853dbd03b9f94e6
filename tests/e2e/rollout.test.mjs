// A new business rolls till out from a phone (390×844): sign up, open a store, add staff, make a
// pairing code; a new browser becomes the store's till, a cashier signs in with a PIN (offline
// too), a manager approves a price change, the owner's page shows the sales without a reload,
// and a removed till is told so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { demoCatalogue, newPage, withTill } from '../harness.mjs';

test('sign up on a phone, open a store, add staff and a till; PIN sign-in, approval, live dashboard, revoke', { timeout: 360_000 }, async () => {
  await withTill('rollout', async ({ edge, browser, log }) => {
    const ownerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const owner = await newPage(ownerContext, log);
    await owner.goto(`${edge.base}/owner`);
    await owner.click('#show-signup');
    await owner.fill('#signup-business', 'Café Mori');
    await owner.fill('#signup-email', 'mori@cafe.example');
    await owner.fill('#signup-password', 'a long enough secret');
    await owner.click('#signup');
    await owner.locator('text=Open your first store').waitFor({ timeout: 20_000 });
    await owner.fill('#store-name', 'Mori Kyoto');
    await owner.click('#create-store');
    const store = owner.locator('.store-today', { hasText: 'Mori Kyoto' });
    await store.waitFor({ timeout: 20_000 });
    const storeId = await store.getAttribute('data-store');

    // Staff: a cashier and a manager, each with a PIN (only verifiers leave the edge).
    for (const [name, role, pin] of [['Aki', 'cashier', '4711'], ['Ben', 'manager', '8080']]) {
      await store.locator('#staff-name').fill(name);
      await store.locator('#staff-role').selectOption(role);
      await store.locator('#staff-pin').fill(pin);
      await store.locator('#add-staff').click();
      await store.locator(`.staff-row[data-staff="${name}"]`).waitFor();
    }

    // The store's catalogue (the back office's import, with the owner's session).
    const cookie = (await ownerContext.cookies()).find((c) => c.name === 'till_session');
    const products = demoCatalogue(200).filter((p) => p.gtin && p.sold_by === 'each').slice(0, 20);
    const imported = await fetch(`${edge.base}/api/v1/stores/${storeId}/catalogue`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: `${cookie.name}=${cookie.value}` },
      body: JSON.stringify({ products }),
    });
    assert.equal(imported.status, 200, await imported.clone().text());

    await store.locator('#add-till').click();
    const code = (await store.locator('.pairing-code-shown').textContent()).trim();

    // A new browser becomes the till and is locked until someone signs in.
    const tillContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const till = await newPage(tillContext, log);
    await till.goto(edge.base);
    await till.fill('#pairing-code', code);
    await till.click('#pair');
    await till.locator('.lock').waitFor({ timeout: 30_000 });
    await till.fill('#pin', '1357');
    await till.click('#sign-in');
    await till.locator('.pin-error', { hasText: 'not right' }).waitFor();
    await till.fill('#pin', '4711');
    await till.click('#sign-in');
    await till.locator('.cashier', { hasText: 'Aki' }).waitFor();
    await till.waitForFunction((n) => document.querySelector('.catalogue-size')?.textContent === `${n} products`, products.length, { timeout: 30_000 });

    const scan = async (p) => {
      await till.fill('#scan', p.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: p.name }).waitFor();
    };
    // A price change beyond the store's threshold needs the manager's PIN; a cashier's will not do.
    const [a, b] = products;
    await scan(a);
    await till.click(`.price-edit[aria-label="Change the price of ${a.name}"]`);
    const half = String(Math.floor(Number(a.price) / 2));
    await till.fill('#override-price', half);
    await till.fill('#override-reason', 'damaged box');
    await till.click('#override-apply');
    await till.locator('#approver-pin').waitFor();
    await till.fill('#approver-pin', '4711');
    await till.click('#override-apply');
    await till.locator('.override-form .error', { hasText: "manager's PIN" }).waitFor();
    await till.fill('#approver-pin', '8080');
    await till.click('#override-apply');
    await till.locator('.cart-line .override', { hasText: 'damaged box' }).waitFor();
    const yen = (n) => `¥${Number(n).toLocaleString('en-US')}`;
    assert.equal(await till.textContent('#total'), yen(half));
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await till.click('#new-sale');

    // Offline: the PIN still works (verifiers are on the device) and the sale waits.
    await till.click('#lock');
    await till.locator('.lock').waitFor();
    await tillContext.setOffline(true);
    await till.fill('#pin', '4711');
    await till.click('#sign-in');
    await till.locator('.cashier', { hasText: 'Aki' }).waitFor();
    await scan(b);
    // Half off the cart is above the store's 20% limit: Ben (a manager) approves it.
    await till.click('#cart-discount-open');
    await till.fill('#cart-discount-value', '50%');
    await till.click('#cart-discount-apply');
    await till.locator('#cart-discount-pin').waitFor();
    await till.fill('#cart-discount-pin', '8080');
    await till.click('#cart-discount-apply');
    await till.locator('.cart-discount', { hasText: 'Cart discount 50%' }).waitFor();
    const bTotal = Number((await till.textContent('#total')).replace(/[^0-9]/g, ''));
    assert.ok(bTotal < Number(b.price) && bTotal >= Math.floor(Number(b.price) / 2), `half of ${b.price} is ${bTotal}`);
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await till.click('#new-sale');
    await tillContext.setOffline(false);
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 60_000 });

    // The owner's phone shows both sales without a reload.
    await store.locator('.sales-count', { hasText: /^2$/ }).waitFor({ timeout: 20_000 });
    assert.equal(await store.locator('.net-amount').textContent(), yen(Number(half) + bTotal));
    // The day in detail, from roll-ups: average basket, payment mix, the till, best sellers,
    // sales by hour (24 bars) and the last 30 days.
    const total = Number(half) + bTotal;
    await store.locator('.average-basket', { hasText: yen(Math.round(total / 2)) }).waitFor({ timeout: 20_000 });
    await store.locator('.tender-mix[data-kind="Cash"]', { hasText: yen(total) }).waitFor();
    await store.locator('.lane-day[data-lane="L1"]', { hasText: '2 sale(s)' }).waitFor();
    assert.equal(await store.locator('.top-product').count(), 2);
    assert.equal(await store.locator('figure.chart').nth(0).locator('rect').count(), 24);
    assert.equal(await store.locator('figure.chart').nth(1).locator('rect').count(), 30);
    // Compared with the same weekday a week earlier (its roll-up put in place here).
    const dayApi = async () => (await (await fetch(`${edge.base}/api/v1/stores/${storeId}/day`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).json()).day;
    const today = await dayApi();
    assert.equal(today.sales, 2);
    assert.equal(today.hourly.length, 24);
    edge.d1(`INSERT INTO daily_sales (store_id, business_day, net_minor, sales, updated_ms) VALUES ('${storeId}', '${today.last_week.business_day}', ${total * 2}, 4, 0)`);
    assert.equal((await dayApi()).last_week.change_percent, '-50.0');
    await store.locator('.week-change', { hasText: '-50.0%' }).waitFor({ timeout: 20_000 });
    // Low stock: every tracked product is below its level (nothing was received), what sold is
    // oversold, and each has an order suggested.
    const tracked = products.filter((p) => p.reorder_level);
    const low = (await (await fetch(`${edge.base}/api/v1/stores/${storeId}/low-stock`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).json()).items;
    assert.ok(tracked.length > 0);
    assert.deepEqual(low.filter((i) => !i.oversold || tracked.some((p) => p.sku === i.sku)).map((i) => i.sku).sort(), tracked.map((p) => p.sku).sort());
    for (const i of low) assert.ok(Number(i.suggested) >= Number(i.reorder_level) - Number(i.level), i.sku);
    for (const sold of [a, b]) assert.equal(low.find((i) => i.sku === sold.sku)?.oversold, true, `${sold.sku} sold below zero`);
    await store.locator('.low-stock-row[data-oversold="true"]').first().waitFor({ timeout: 20_000 });
    // The day's CSVs from the owner's page: every line, and a journal whose debits equal its credits.
    const download = async (selector) => {
      const [file] = await Promise.all([owner.waitForEvent('download'), store.locator(selector).click()]);
      return fs.readFileSync(await file.path(), 'utf8');
    };
    const salesCsv = (await download('.export-sales')).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(salesCsv[0].split(',')[0], 'date');
    assert.equal(salesCsv.length, 3, 'a header and one line per item sold');
    assert.ok(salesCsv.some((r) => r.includes(a.sku)) && salesCsv.some((r) => r.includes(b.sku)));
    const journal = (await download('.export-journal')).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((r) => r.split(','));
    const sum = (i) => journal.reduce((n, r) => n + Number(r[i]), 0);
    assert.equal(sum(3), sum(4), 'debits equal credits');
    assert.equal(journal.filter((r) => r[2] === 'Cash').reduce((n, r) => n + Number(r[3]), 0), total);
    // The approval reached the store as an accepted record, not a refused one.
    const rejected = await (await fetch(`${edge.base}/api/v1/stores/${storeId}/rejected`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).json();
    assert.deepEqual(rejected.rejected, []);

    // The store locks idle tills after the time the owner set.
    edge.d1(`UPDATE stores SET settings = json_set(settings, '$.idle_lock_seconds', 3) WHERE id = '${storeId}'`);
    await till.locator('.lock').waitFor({ timeout: 30_000 });

    // The owner removes the till: its next sync is refused and it says so.
    await owner.reload();
    await owner.locator('.lane-row[data-lane="L1"] .revoke').click();
    await owner.locator('.lane-row[data-lane="L1"]', { hasText: 'removed' }).waitFor({ timeout: 20_000 });
    await till.locator('.revoked-banner').waitFor({ timeout: 30_000 });
  }, { seed: false, demo: false });
});
