// Rolling out a lane on a real (non-demo) edge: the owner makes a one-time pairing code on the
// phone, a new browser types it and becomes a lane; the code works once; a removed lane stops
// syncing with a clear message and keeps its unsynced sales for a rescue export.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { demoCatalogue, newPage, ownerToday, withTill } from '../harness.mjs';

test('a pairing code pairs one new till once; a removed till stops syncing and keeps its sales', { timeout: 300_000 }, async () => {
  await withTill('pairing', async ({ edge, browser, log }) => {
    // Without demo mode nobody becomes a lane just by opening the till.
    const demo = await fetch(`${edge.base}/api/v1/lanes/demo`, { method: 'POST', body: '{}' });
    assert.equal(demo.status, 403);

    const ownerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const owner = await newPage(ownerContext, log);
    await owner.goto(`${edge.base}/owner`);
    await owner.fill('#email', edge.seeded.email);
    await owner.fill('#password', edge.seeded.password);
    await owner.click('#sign-in');
    await owner.click('#add-till');
    const code = (await owner.locator('.pairing-code-shown').textContent()).trim();
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

    const tillContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const till = await newPage(tillContext, log);
    await till.goto(edge.base);
    await till.locator('.pairing').waitFor({ timeout: 30_000 });
    await till.fill('#pairing-code', 'ZZZZ-ZZZZ');
    await till.click('#pair');
    await till.locator('.pairing .error', { hasText: 'wrong, used or expired' }).waitFor();
    // Typed the way people type it: lower case, no hyphen.
    await till.fill('#pairing-code', code.replace('-', '').toLowerCase());
    await till.click('#pair');
    await till.locator('.lane', { hasText: 'Lane L1' }).waitFor({ timeout: 20_000 });
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 60_000 });
    const [first, second] = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each').slice(50, 52);
    const sell = async (product) => {
      await till.fill('#scan', product.gtin.replace(/^0/, ''));
      await till.press('#scan', 'Enter');
      await till.locator('.cart-line', { hasText: product.name }).waitFor();
      await till.click('.exact');
      await till.locator('#change').waitFor();
      await till.click('#new-sale');
    };
    await sell(first);
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });

    // The same code does not pair a second browser.
    const reuse = await fetch(`${edge.base}/api/v1/lanes/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    assert.equal(reuse.status, 401);
    assert.equal((await reuse.json()).error.code, 'bad_pairing_code');

    // The owner removes the till (a lost tablet).
    await owner.reload();
    await owner.locator('.lane-row[data-lane="L1"] .revoke').click();
    await owner.locator('.lane-row[data-lane="L1"]', { hasText: 'removed' }).waitFor({ timeout: 20_000 });

    // The till's next sale stays on the device; sync stops with a clear message.
    await sell(second);
    await till.locator('.revoked-banner').waitFor({ timeout: 30_000 });
    assert.equal(await till.evaluate(() => document.querySelector('.sync-badge').dataset.unsynced), '1');
    await till.click('.lane-panel summary');
    const [download] = await Promise.all([till.waitForEvent('download'), till.click('#rescue-export')]);
    const file = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(JSON.parse(file.payload).events.length, 1);
    // Only the first sale reached the store.
    const today = await ownerToday(edge.base, edge.seeded);
    assert.equal(today.stores[0].sales, 1);
  }, { demo: false });
});
