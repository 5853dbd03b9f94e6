// Accessibility: axe-core (run inside the real page) finds no serious or critical violations on
// the till (sell, pay, receipts, return without a receipt, shift, devices, gift cards, locked), the
// owner's page and the customer display, at the
// three sizes the till is made for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage, violations, withTill } from '../harness.mjs';

test('no serious or critical axe violations on the till, its panels, the owner page and the display', { timeout: 300_000 }, async () => {
  await withTill('a11y', async ({ edge, browser, log }) => {
    const found = [];
    for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }, { width: 390, height: 844 }]) {
      const till = await newPage(await browser.newContext({ viewport }), log);
      await till.goto(edge.base);
      await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
      await till.fill('#scan', 'onigiri');
      found.push(...(await violations(till)).map((v) => `till ${viewport.width}: ${v}`));
      await till.click('#open-history');
      found.push(...(await violations(till)).map((v) => `receipts ${viewport.width}: ${v}`));
      await till.keyboard.press('Escape');
      await till.click('#open-history');
      await till.click('#no-receipt');
      found.push(...(await violations(till)).map((v) => `return without receipt ${viewport.width}: ${v}`));
      await till.keyboard.press('Escape');
      await till.click('#shift');
      found.push(...(await violations(till)).map((v) => `shift ${viewport.width}: ${v}`));
      await till.keyboard.press('Escape');
      await till.click('#devices');
      found.push(...(await violations(till)).map((v) => `devices ${viewport.width}: ${v}`));
      await till.keyboard.press('Escape');
      await till.click('#gift-cards');
      found.push(...(await violations(till)).map((v) => `gift cards ${viewport.width}: ${v}`));
      await till.keyboard.press('Escape');
      await till.context().close();
    }
    // The PIN pad: once the store has staff, the till locks until someone signs in.
    const staff = await fetch(`${edge.base}/api/v1/stores/demo-shibuya/staff`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: edge.seeded.cookie },
      body: JSON.stringify({ name: 'Aki', role: 'cashier', pin: '4711' }),
    });
    assert.equal(staff.status, 200);
    const locked = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 } }), log);
    await locked.goto(edge.base);
    await locked.locator('.lock').waitFor({ timeout: 30_000 });
    found.push(...(await violations(locked)).map((v) => `PIN pad: ${v}`));
    const owner = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 } }), log);
    await owner.goto(`${edge.base}/owner`);
    await owner.locator('#email').waitFor();
    found.push(...(await violations(owner)).map((v) => `owner sign-in: ${v}`));
    await owner.fill('#email', edge.seeded.email);
    await owner.fill('#password', edge.seeded.password);
    await owner.click('#sign-in');
    await owner.locator('.store-today').first().waitFor({ timeout: 20_000 });
    await owner.locator('.average-basket, .basket').first().waitFor({ timeout: 20_000 });
    found.push(...(await violations(owner)).map((v) => `owner: ${v}`));
    const display = await newPage(owner.context(), log);
    await display.goto(`${edge.base}/display`);
    await display.locator('.customer-display').waitFor();
    found.push(...(await violations(display)).map((v) => `display: ${v}`));
    assert.deepEqual(found, []);
  });
});
