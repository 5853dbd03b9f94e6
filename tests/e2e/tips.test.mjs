// Tips in a US café: the owner opens a store that suggests 15/18/20%; the customer picks 18%
// (taken before tax), pays on the card terminal; the receipt shows the tip and what was paid in
// all; the edge accepts the sale (it re-checks the tip); the day's sales leave the tip out and
// the shift's X report shows it for the staff. A tip above the total is refused as a typo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCall, newPage, withTill } from '../harness.mjs';

test('a customer adds a tip when paying; it is on the receipt and the shift report, not in sales', { timeout: 240_000 }, async () => {
  await withTill('tips', async ({ edge, browser, log }) => {
    const call = (method, path, body, headers) => apiCall(edge.base, method, path, body, headers);
    const signup = await call('POST', '/api/v1/auth/signup', { email: 'ada@brew.example', password: 'a long enough secret', business: 'Brew' });
    assert.equal(signup.status, 200, JSON.stringify(signup.body));
    const cookie = { cookie: signup.cookie };
    const refused = await call('POST', '/api/v1/stores', { name: 'Brew', country: 'US', sales_tax_percent: '8.875', tip_percents: '15, 180' }, cookie);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /suggested tips/);
    const store = await call('POST', '/api/v1/stores', { name: 'Brew Brooklyn', country: 'US', sales_tax_percent: '8.875', tip_percents: '15, 18, 20' }, cookie);
    assert.equal(store.status, 200, JSON.stringify(store.body));
    const id = store.body.store_id;
    const latte = { sku: 'LATTE', gtin: null, name: 'Oat latte', alt_name: 'oat latte', category: 'Coffee', price: '17.73', tax_class: 'standard', sold_by: 'each', active: true, version: 0, reorder_level: null };
    const imported = await call('POST', `/api/v1/stores/${id}/catalogue`, { products: [latte] }, cookie);
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const code = (await call('POST', `/api/v1/stores/${id}/pairing-codes`, {}, cookie)).body.code;

    const till = await newPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), log);
    await till.goto(edge.base);
    await till.fill('#pairing-code', code);
    await till.click('#pair');
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '1 products', null, { timeout: 30_000 });

    // A shift with a $100 float.
    await till.click('#shift');
    await till.fill('#open-shift .count-input[data-denomination="20.00"]', '5');
    await till.locator('#open-shift .count-total', { hasText: '$100.00' }).waitFor();
    await till.click('#open-shift button[type="submit"]');
    await till.locator('.shift-panel h2', { hasText: 'Shift open' }).waitFor();
    // Esc closes the panel even though the form's button it had the focus on is gone.
    await till.keyboard.press('Escape');
    await till.locator('.shift-panel').waitFor({ state: 'detached' });

    await till.fill('#scan', 'oat latte');
    await till.locator('.result', { hasText: 'Oat latte' }).first().click();
    // $17.73 + 8.875% tax ($1.57) = $19.30.
    await till.locator('#total', { hasText: '$19.30' }).waitFor();
    const options = await till.locator('.tip-option').allTextContents();
    assert.deepEqual(options.map((o) => o.trim()), ['15% · $2.66', '18% · $3.19', '20% · $3.55'], 'percentages of the total before tax');

    // A tip above the total is a typo, refused with the reason; nothing changes.
    await till.fill('#tip-custom', '193');
    await till.press('#tip-custom', 'Tab');
    await till.locator('.pay .error', { hasText: 'more than the sale' }).waitFor();
    assert.equal(await till.textContent('#due'), '$19.30');
    await till.fill('#tip-custom', '');
    await till.press('#tip-custom', 'Tab');

    await till.locator('.tip-option', { hasText: '18%' }).click();
    assert.equal(await till.getAttribute('.tip-option:has-text("18%")', 'aria-pressed'), 'true');
    assert.equal(await till.textContent('#due'), '$22.49');

    // The card terminal takes everything due, tip included.
    await till.click('.card-form summary');
    await till.fill('#card-last4', '4242');
    await till.fill('#card-approval', 'A7Q2');
    await till.click('#add-card');
    await till.click('#complete');
    const receipt = till.locator('.receipt-preview');
    await receipt.waitFor();
    const text = (await receipt.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Total \$19\.30 Tip \$3\.19 Total with tip \$22\.49/);
    assert.match(text, /VISA \*\*\*\*4242 .*\$22\.49/);

    // The edge re-checked and took the sale; its day counts sales, not tips.
    await till.waitForFunction(() => document.querySelector('.sync-badge')?.dataset.unsynced === '0', null, { timeout: 30_000 });
    const rejected = await call('GET', `/api/v1/stores/${id}/rejected`, undefined, cookie);
    assert.deepEqual(rejected.body.rejected, [], JSON.stringify(rejected.body));
    const today = await call('GET', '/api/v1/owner/today', undefined, cookie);
    const day = JSON.stringify(today.body);
    assert.ok(day.includes('"19.30"') || day.includes('"19.3"'), day);
    assert.ok(!day.includes('22.49'), 'the tip is not in sales');

    // The X report shows the tip for the staff; the card batch includes it, the drawer does not.
    await till.click('#new-sale');
    await till.click('#shift');
    await till.click('#x-report');
    const x = till.locator('.shift-report[data-kind="x"]');
    await x.locator('tr', { hasText: 'Tips (for the staff)' }).locator('td', { hasText: '$3.19' }).waitFor();
    await x.locator('tr', { hasText: 'Sales (1)' }).locator('td', { hasText: '$19.30' }).waitFor();
    await x.locator('tr', { hasText: 'Card VISA' }).locator('td', { hasText: '$22.49' }).waitFor();
    await x.locator('tr', { hasText: 'Expected in the drawer' }).locator('td', { hasText: '$100.00' }).waitFor();
  }, { seed: false, demo: false });
});
