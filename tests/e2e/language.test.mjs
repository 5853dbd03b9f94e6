// Japanese and English: the till speaks its store's language (the demo store is in Tokyo) until
// the device chooses its own; the choice survives a reload and keeps the open cart. Then every
// screen at the three sizes in both languages is photographed into target/e2e/screens/ for a
// person to look at (artifacts, not committed), and axe checks the Japanese screens too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, demoCatalogue, newPage, violations, withTill } from '../harness.mjs';

const SIZES = [{ width: 1280, height: 800 }, { width: 768, height: 1024 }, { width: 390, height: 844 }];

/** Waits for the till to be ready in `lang`, with the demo catalogue loaded. */
async function ready(till, lang) {
  const loaded = lang === 'ja' ? '2000 商品' : '2000 products';
  await till.waitForFunction(([l, text]) => document.documentElement.lang === l
    && document.querySelector('.catalogue-size')?.textContent === text, [lang, loaded], { timeout: 30_000 });
}

test('the till speaks the store’s language until the device chooses its own', { timeout: 180_000 }, async () => {
  await withTill('language', async ({ edge, browser, log }) => {
    const item = demoCatalogue().find((p) => p.gtin && p.sold_by === 'each');
    // No choice on this device: the store's language (ja), whatever the browser's (en-US).
    const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 }, tillLang: null }), log);
    await till.goto(edge.base);
    await ready(till, 'ja');
    assert.equal((await till.textContent('#pay')).trim(), '現金で会計');
    assert.match(await till.textContent('#open-history'), /^取引履歴 F3$/);

    // Messages are Japanese too, parameters where Japanese puts them.
    await till.fill('#scan', 'zzzz');
    await till.press('#scan', 'Enter');
    await till.locator('.message', { hasText: '「zzzz」に一致する商品はありません' }).waitFor();

    // A sale, paid in cash, in Japanese.
    await till.fill('#scan', item.gtin.replace(/^0/, ''));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: item.name }).waitFor();
    assert.match(await till.textContent('.total'), /^合計 ¥/);

    // This device chooses English: the page starts again in English and the cart is still there.
    await till.click('.lane-panel summary');
    assert.equal(await till.inputValue('#language'), '');
    await Promise.all([till.waitForEvent('load'), till.selectOption('#language', 'en')]);
    await ready(till, 'en');
    await till.locator('.cart-line', { hasText: item.name }).waitFor();
    assert.equal((await till.textContent('#pay')).trim(), 'Pay cash');
    await till.click('.lane-panel summary');
    assert.equal(await till.inputValue('#language'), 'en');

    // Back to the store's language.
    await Promise.all([till.waitForEvent('load'), till.selectOption('#language', '')]);
    await ready(till, 'ja');
    await till.fill('#tendered', '10000');
    await till.click('#pay');
    await till.locator('.paid', { hasText: 'お釣り' }).waitFor();
    assert.equal((await till.textContent('#new-sale')).trim(), '次の会計');
  });
});

test('every screen at three sizes in ja and en, photographed; Japanese screens pass axe', { timeout: 420_000 }, async () => {
  await withTill('screens', async ({ edge, browser, log }) => {
    const dir = path.join(ARTIFACTS, 'screens');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const item = demoCatalogue().find((p) => p.gtin && p.sold_by === 'each');
    const found = [];
    for (const lang of ['ja', 'en']) {
      for (const viewport of SIZES) {
        const till = await newPage(await browser.newContext({ viewport, tillLang: lang }), log);
        await till.goto(edge.base);
        await ready(till, lang);
        const shot = async (screen) => {
          await till.screenshot({ path: path.join(dir, `${lang}-${viewport.width}x${viewport.height}-${screen}.png`), fullPage: true });
          if (lang === 'ja') found.push(...(await violations(till)).map((v) => `${screen} ${viewport.width}: ${v}`));
        };
        const panel = async (button, screen) => {
          await till.click(button);
          await shot(screen);
          await till.keyboard.press('Escape');
        };
        await shot('sell-empty');
        await till.fill('#scan', item.gtin.replace(/^0/, ''));
        await till.press('#scan', 'Enter');
        await till.locator('.cart-line').first().waitFor();
        await shot('sell-cart');
        await till.click('.lane-panel summary');
        await shot('this-till');
        await till.click('.lane-panel summary');
        await panel('#open-history', 'receipts');
        await till.click('#open-history');
        await panel('#no-receipt', 'return-without-receipt');
        await panel('#shift', 'shift');
        await panel('#devices', 'devices');
        await panel('#gift-cards', 'gift-cards');
        await till.fill('#tendered', '10000');
        await till.click('#pay');
        await till.locator('#change').waitFor();
        await shot('paid');
        await till.context().close();
      }
    }
    assert.equal(fs.readdirSync(dir).length, 2 * SIZES.length * 9);
    assert.deepEqual(found, []);
  });
});
