// Sync on the lane against the real edge: one tab pushes for the lane, a crash between payment
// and push loses nothing, and pulls bring price, stock and settings changes to the lane.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoCatalogue, killBrowser, launchPersistent, newPage, withTill } from '../harness.mjs';

const yen = (n) => `¥${Number(n).toLocaleString('en-US')}`;
const products = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each');

async function openTill(context, log, base) {
  const page = await newPage(context, log);
  await page.goto(base);
  await page.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
  // Ready means the lane's state (outbox count included) has been read from IndexedDB.
  await page.locator('main[data-ready="true"]').waitFor();
  return page;
}

async function sell(page, product) {
  await page.fill('#scan', product.gtin.replace(/^0/, ''));
  await page.press('#scan', 'Enter');
  await page.locator('.cart-line', { hasText: product.name }).waitFor();
  await page.click('.exact');
  await page.locator('#change').waitFor();
  await page.click('#new-sale');
}

async function ownerToday(edge) {
  const r = await fetch(`${edge.base}/api/v1/owner/today`, { headers: { cookie: edge.seeded.cookie } });
  return (await r.json()).stores[0];
}

const synced = (page) => page.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });

test('two tabs of one lane: one tab pushes, every sale is pushed once', { timeout: 240_000 }, async () => {
  await withTill('two-tabs', async ({ edge, browser, log }) => {
    const context = await browser.newContext();
    const pushes = [];
    context.on('request', (req) => {
      if (req.url().endsWith('/api/v1/sync/push')) {
        pushes.push({ page: req.frame().page(), ids: JSON.parse(req.postData()).events.map((e) => e.id) });
      }
    });
    const a = await openTill(context, log, edge.base);
    const b = await openTill(context, log, edge.base);
    await sell(a, products[0]);
    await sell(b, products[1]);
    await sell(b, products[2]);
    await synced(a);
    await synced(b);
    const ids = pushes.flatMap((p) => p.ids);
    assert.equal(ids.length, 3, `each sale pushed exactly once: ${JSON.stringify(pushes.map((p) => p.ids))}`);
    assert.equal(new Set(ids).size, 3);
    assert.equal(new Set(pushes.map((p) => p.page)).size, 1, 'only one tab pushes');
    const today = await ownerToday(edge);
    assert.equal(today.sales, 3);
    assert.equal(Number(today.net.amount), [0, 1, 2].reduce((n, i) => n + Number(products[i].price), 0));

    // A price change pulled by the syncing tab reaches the other tab too.
    const changed = products[5];
    const newPrice = String(Number(changed.price) + 50);
    await importProducts(edge, [{ ...changed, price: newPrice }]);
    for (const [name, page] of [['syncing tab', a], ['other tab', b]]) {
      await page.fill('#scan', changed.alt_name);
      await page.locator('.result', { hasText: yen(newPrice) }).first().waitFor({ timeout: 30_000 })
        .catch((e) => { throw new Error(`${name} did not show the new price: ${e.message}`); });
    }
  });
});

async function importProducts(edge, list) {
  const r = await fetch(`${edge.base}/api/v1/stores/demo-shibuya/catalogue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: edge.seeded.cookie },
    body: JSON.stringify({ products: list }),
  });
  assert.equal((await r.json()).changed, list.length);
}

test('a browser killed between payment and push loses nothing', { timeout: 240_000 }, async () => {
  await withTill('crash-before-push', async ({ edge, log }) => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'till-profile-'));
    try {
      const first = await launchPersistent(profile);
      // The edge is unreachable for pushes, so the sale stays in the outbox.
      await first.route('**/api/v1/sync/push', (route) => route.abort('connectionrefused'));
      const till = await openTill(first, log, edge.base);
      await sell(till, products[3]);
      await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '1');
      // SIGKILL the whole browser: no unload handlers, nothing flushed after the sale committed.
      killBrowser(profile);
      await first.close().catch(() => {});
      const again = await launchPersistent(profile);
      try {
        const reopened = await openTill(again, log, edge.base);
        await synced(reopened);
        const today = await ownerToday(edge);
        assert.equal(today.sales, 1);
        assert.equal(today.net.amount, products[3].price);
      } finally {
        await again.close();
      }
    } finally {
      killBrowser(profile);
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});

test('a pull brings a price change to the lane', { timeout: 240_000 }, async () => {
  await withTill('price-change', async ({ edge, browser, log }) => {
    const context = await browser.newContext();
    const till = await openTill(context, log, edge.base);
    const product = products[4];
    const newPrice = String(Number(product.price) + 100);
    await importProducts(edge, [{ ...product, price: newPrice }]);
    // The lane pulls on its own (every few seconds); scanning then rings up the new price.
    await till.fill('#scan', product.alt_name);
    await till.locator('.result', { hasText: yen(newPrice) }).first().waitFor({ timeout: 30_000 });
    await till.fill('#scan', product.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: product.name }).waitFor();
    assert.equal(await till.textContent('#total'), yen(newPrice));
  });
});

/** This lane's stock level of `sku` as stored in its IndexedDB. */
const laneStock = (page, sku) => page.evaluate((sku) => new Promise((resolve, reject) => {
  const open = indexedDB.open('till');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('stock').objectStore('stock').get(sku);
    get.onsuccess = () => { resolve(get.result?.qty ?? null); open.result.close(); };
    get.onerror = () => reject(get.error);
  };
}), sku);

test('pulls bring every lane the store-wide stock and the owner\'s settings changes', { timeout: 240_000 }, async () => {
  await withTill('stock-settings', async ({ edge, browser, log }) => {
    const one = await openTill(await browser.newContext(), log, edge.base);
    const two = await openTill(await browser.newContext(), log, edge.base);
    const product = products[5];
    await sell(one, product);
    await sell(one, product);
    // Lane one counted its own sales at once, and after its push the edge's level is the same
    // (its movements are not counted twice).
    assert.equal(Number(await laneStock(one, product.sku)), -2);
    await synced(one);
    // Lane two learns the store's level from a pull.
    const deadline = Date.now() + 30_000;
    while (Number(await laneStock(two, product.sku)) !== -2) {
      assert.ok(Date.now() < deadline, 'lane two did not pull the stock level in 30 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    await sell(two, product);
    await synced(two);
    await synced(one);
    assert.equal(Number(await laneStock(two, product.sku)), -3);

    // The owner renames the store: every lane shows the new name after its next pull.
    edge.d1("UPDATE stores SET settings = json_set(settings, '$.name', 'till 渋谷 本店') WHERE id = 'demo-shibuya'");
    for (const page of [one, two]) {
      await page.locator('.bar h1', { hasText: 'till 渋谷 本店' }).waitFor({ timeout: 30_000 });
    }
    // And keeps it after a reload (offline too: it is stored with the lane).
    await two.reload();
    await two.locator('.bar h1', { hasText: 'till 渋谷 本店' }).waitFor({ timeout: 30_000 });
  });
});

test('a promotion the owner sets reaches the lane, shows its saving on the line and is charged', { timeout: 240_000 }, async () => {
  await withTill('promotion', async ({ edge, browser, log }) => {
    const till = await openTill(await browser.newContext(), log, edge.base);
    const product = products[6];
    const deal = 3 * Number(product.price) - 100;
    const promotion = { id: 'p-3for', name: `3 for ${yen(deal)}`, rule: { multi_buy: { skus: [product.sku], qty: 3, price: String(deal) } } };
    edge.d1(`UPDATE stores SET settings = json_set(settings, '$.promotions', json('${JSON.stringify([promotion])}')) WHERE id = 'demo-shibuya'`);
    // The lane has the promotion once a pull brought the new settings; scanning then applies it.
    const scan = async () => { await till.fill('#scan', product.gtin.replace(/^0/, '')); await till.press('#scan', 'Enter'); };
    const deadline = Date.now() + 30_000;
    for (;;) {
      for (let i = 0; i < 3; i += 1) await scan();
      if (await till.locator('.cart-line .promo').count() > 0) break;
      assert.ok(Date.now() < deadline, 'the promotion did not reach the lane in 30 s');
      await till.click('.cart-line .remove');
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(await till.textContent('.cart-line .promo'), `3 for ${yen(deal)} −¥100`);
    assert.equal(await till.textContent('#total'), yen(deal));
    await till.click('.exact');
    await till.locator('#change').waitFor();
    await synced(till);
    // The edge re-checked the sale with the saving and booked it.
    const today = await ownerToday(edge);
    assert.equal(today.sales, 1);
    assert.equal(Number(today.net.amount), deal);
  });
});

test('labels: a GS1 DataBar weight label and an in-store price label ring up what they say', { timeout: 240_000 }, async () => {
  await withTill('labels', async ({ edge, browser, log }) => {
    const till = await openTill(await browser.newContext(), log, edge.base);
    const base = { alt_name: '', category: '惣菜 量り売り', tax_class: 'reduced', sold_by: 'kilogram', active: true, version: 0 };
    await importProducts(edge, [
      { ...base, sku: '12345', gtin: null, name: '量り売り 唐揚げ', price: '1980' },
      { ...base, sku: 'D-BEEF', gtin: '04912345678904', name: '国産 牛こま', price: '2000' },
    ]);
    // Both arrive with the lane's next pull.
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2002 products', null, { timeout: 30_000 });
    // The store's scale printed "20 12345 00667 c": item 12345, ¥667 (the check digit c by GS1).
    const body = '201234500667';
    const sum = [...body].reverse().reduce((n, d, i) => n + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
    await till.fill('#scan', body + ((10 - (sum % 10)) % 10));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: '量り売り 唐揚げ' }).waitFor();
    assert.equal(await till.textContent('#total'), '¥667');
    // A DataBar label from a supplier, with the scanner's AIM identifier: GTIN + net weight 0.250 kg.
    await till.fill('#scan', ']e001049123456789043103000250');
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: '国産 牛こま' }).waitFor();
    assert.match(await till.textContent('.cart-line:nth-child(2) .qty'), /0\.250 kg/);
    assert.equal(await till.textContent('#total'), '¥1,167');
    // A label whose data is damaged adds nothing and says why.
    await till.fill('#scan', ']e00104912345678905');
    await till.press('#scan', 'Enter');
    await till.locator('.message', { hasText: 'check digit' }).waitFor();
    assert.equal(await till.locator('.cart-line').count(), 2);
  });
});
