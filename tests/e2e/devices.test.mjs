// A lane's devices, end to end, on a bench of fake hardware that speaks the real protocols
// (tests/fake-devices.mjs): pair a HID scanner and a serial scanner and scan with them; tell a
// keyboard-wedge scanner from a person typing; print a test page over serial, then swap to a USB
// printer; a cash sale opens the drawer and prints its receipt in Japanese; paper runs out and the
// receipt waits, then prints once, when paper is back; the devices come back after a reload; the
// drawer opens without a sale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCatalogue, newPage, withTill } from '../harness.mjs';
import { fakeDevices } from '../fake-devices.mjs';

const yen = (n) => `¥${n.toLocaleString('en-US')}`;

async function openTill(browser, log, edge) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(fakeDevices);
  const till = await newPage(context, log);
  await till.goto(edge.base);
  await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
  return till;
}

/** Open the device screen, let the chooser return `id`, press `button`; wait for its notice. */
async function pair(till, id, button) {
  if (!(await till.locator('.devices-panel').isVisible())) await till.click('#devices');
  await till.evaluate((id) => window.__fake.choose(id), id);
  await till.click(button);
  await till.locator('.device-notice', { hasText: 'is ready' }).waitFor();
}

const printer = (till, id) => till.evaluate((id) => {
  const p = window.__fake.printer(id);
  return { pages: p.pages, drawer: p.drawer, lostBytes: p.lostBytes, errors: p.errors, events: p.events };
}, id);

test('scanners, the receipt printer and the drawer on a lane', { timeout: 240_000 }, async () => {
  await withTill('devices', async ({ edge, browser, log }) => {
    const catalogue = demoCatalogue().filter((p) => p.gtin && p.sold_by === 'each');
    const [a, b, c] = catalogue;
    const jan = (p) => p.gtin.replace(/^0/, '');
    const till = await openTill(browser, log, edge);

    // No chooser answer: the cashier cancelled, nothing is paired and nothing is said.
    await till.click('#devices');
    await till.click('#pair-hid-scanner');
    assert.equal(await till.locator('.device').count(), 0);

    // A HID POS scanner: its report carries the AIM id (]E0, EAN-13) and the code.
    await pair(till, 'hs', '#pair-hid-scanner');
    await till.locator('.device', { hasText: 'HID scanner' }).locator('.state', { hasText: 'connected' }).waitFor();
    await till.keyboard.press('Escape');
    assert.equal(await till.evaluate((code) => window.__fake.hidScan('hs', code), jan(a)), true);
    await till.locator('.cart-line', { hasText: a.name }).waitFor();

    // A serial scanner set up to send a "*" before each code: a line in two pieces is one
    // scan, the prefix is taken off, and scanning again adds one more.
    await pair(till, 'ss', '#pair-serial-scanner');
    const ssRow = till.locator('.device', { hasText: 'serial scanner' });
    await ssRow.locator('.prefix').fill('*');
    await ssRow.locator('.prefix').press('Tab');
    await till.locator('.device-notice', { hasText: 'Saved' }).waitFor();
    await till.keyboard.press('Escape');
    await till.evaluate((code) => window.__fake.serialScan('ss', `*${code}`), jan(a));
    await till.waitForFunction((name) => [...document.querySelectorAll('.cart-line')].some((l) => l.textContent.includes(name) && l.querySelector('.qty')?.textContent === '× 2'), a.name);

    // A keyboard-wedge scanner types fast and ends with Enter — even into the tendered field,
    // whose amount it leaves alone. A person typing the same digits slowly is just typing.
    await till.fill('#tendered', '5000');
    await till.focus('#tendered');
    await till.keyboard.type(jan(b), { delay: 4 });
    await till.keyboard.press('Enter');
    await till.locator('.cart-line', { hasText: b.name }).waitFor();
    assert.equal(await till.inputValue('#tendered'), '5000', 'the scan was taken back out of the tendered field');
    assert.equal(await till.locator('#change').count(), 0, 'the scan’s Enter did not pay');
    await till.focus('#scan');
    await till.keyboard.type(jan(c).slice(0, 6), { delay: 120 });
    assert.equal(await till.inputValue('#scan'), jan(c).slice(0, 6), 'slow typing stays in the field');
    await till.fill('#scan', '');
    assert.equal(await till.locator('.cart-line').count(), 2);

    // A serial receipt printer: the test page comes out in Japanese, in one piece.
    await pair(till, 'sp', '#pair-serial-printer');
    assert.equal(await till.evaluate(() => window.__fake.port('sp').opened.baudRate), 9600);
    await till.locator('.device', { hasText: 'serial receipt printer' }).locator('.test-print').click();
    await till.waitForFunction(() => window.__fake.printer('sp').pages.length === 1);
    let sp = await printer(till, 'sp');
    assert.deepEqual(sp.errors, [], 'every byte sent was a command the printer knows');
    assert.match(sp.pages[0], /テスト印字 ¥1,000 税込 軽減税率/);
    assert.ok(sp.pages[0].includes('123456789012345678901234567890123456789012\n'), 'a ruler as wide as the 80 mm head: 42 columns');

    // Swap it for a USB printer: forget the serial one (its permission goes too).
    await till.locator('.device', { hasText: 'serial receipt printer' }).locator('.forget').click();
    await till.locator('.device', { hasText: 'serial receipt printer' }).waitFor({ state: 'detached' });
    await pair(till, 'up', '#pair-usb-printer');
    const usbRow = till.locator('.device', { hasText: 'USB receipt printer' });
    await usbRow.locator('.device-name').fill('Front counter');
    await usbRow.locator('.device-name').press('Tab');
    await till.locator('.printer-state', { hasText: 'Printer: Front counter' }).waitFor();
    await usbRow.locator('.paper').selectOption('mm58');
    await till.locator('.device-notice', { hasText: 'Saved' }).waitFor();

    // A pole display by the counter: the last item and the total, in half-width katakana.
    await pair(till, 'pd', '#pair-pole-display');
    await till.keyboard.press('Escape');
    await till.waitForFunction(() => window.__fake.pole('pd')[1].startsWith('ｺﾞｳｹｲ'));

    // A cash sale: the drawer opens first, then the receipt prints.
    const total = 2 * Number(a.price) + Number(b.price);
    assert.equal(await till.textContent('#total'), yen(total));
    await till.fill('#tendered', '10000');
    await till.click('#pay');
    await till.locator('#change').waitFor();
    await till.waitForFunction(() => window.__fake.printer('up').pages.length === 1, null, { timeout: 15_000 });
    let up = await printer(till, 'up');
    assert.deepEqual(up.errors, []);
    assert.deepEqual(up.events, ['drawer', 'cut']);
    const pole = await till.evaluate(() => window.__fake.pole('pd'));
    assert.match(pole[0], new RegExp(`^ｵｱｽﾞｶﾘ +¥10,000$`));
    assert.match(pole[1], new RegExp(`^ｵﾂﾘ +${yen(10000 - total)}$`));
    const receipt = up.pages[0];
    const columns = (line) => [...line].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x80 || ch === '¥' || (ch >= '\uff61' && ch <= '\uff9f') ? 1 : 2), 0);
    const widest = Math.max(...receipt.split('\n').filter((l) => !l.startsWith('[')).map(columns));
    assert.ok(widest <= 32 && widest > 24, `set to 58 mm paper, the receipt is 32 columns wide (widest line ${widest}):\n${receipt}`);
    assert.match(receipt, /L1-000001/);
    assert.ok(receipt.includes(a.name.slice(0, 6)), `the receipt names ${a.name}:\n${receipt}`);
    assert.ok(receipt.includes(yen(total)), `the receipt shows the total ${yen(total)}:\n${receipt}`);
    assert.ok(receipt.includes(yen(10000 - total)), 'and the change');
    assert.match(receipt, /\[qr\]|\[barcode L1-000001\]/, 'and a code to find the sale by for returns');
    await till.click('#new-sale');

    // Paper runs out: the next receipt waits with the cashier's next step, and nothing is lost.
    await till.evaluate(() => { window.__fake.printer('up').paper = false; });
    await till.fill('#scan', jan(c));
    await till.press('#scan', 'Enter');
    await till.locator('.cart-line', { hasText: c.name }).waitFor();
    await till.fill('#tendered', '5000');
    await till.click('#pay');
    await till.locator('#change').waitFor();
    await till.locator('.printer-banner', { hasText: 'Printer out of paper' }).waitFor({ timeout: 15_000 });
    await till.waitForFunction(() => window.__fake.printer('up').drawer === 2, null, { timeout: 15_000 });
    up = await printer(till, 'up');
    assert.equal(up.pages.length, 1, 'the drawer opened for the change; the receipt waits for paper');
    assert.equal(up.lostBytes, 0, 'nothing was sent to a printer that could not print it');
    await till.evaluate(() => { window.__fake.printer('up').paper = true; });
    await till.waitForFunction(() => window.__fake.printer('up').pages.length === 2, null, { timeout: 15_000 });
    await till.locator('.printer-banner').waitFor({ state: 'detached' });
    up = await printer(till, 'up');
    assert.match(up.pages[1], /L1-000002/);
    assert.equal(up.drawer, 2, 'and the drawer did not open again');
    await till.click('#new-sale');

    // After a reload every device is back, connected, under its name; the printer still prints.
    await till.reload();
    await till.waitForFunction(() => document.querySelector('.catalogue-size')?.textContent === '2000 products', null, { timeout: 30_000 });
    await till.click('#devices');
    await till.locator('.device .state', { hasText: /^connected$/ }).nth(3).waitFor();
    assert.equal(await till.locator('.device').count(), 4);
    assert.equal(await till.locator('.device-name').nth(2).inputValue(), 'Front counter');
    await till.keyboard.press('Escape');
    assert.equal(await till.evaluate((code) => window.__fake.hidScan('hs', code), jan(c)), true);
    await till.locator('.cart-line', { hasText: c.name }).waitFor();
    await till.click('#devices');
    assert.equal(await till.locator('.print-queue .job').count(), 0, 'nothing left in the queue, nothing printed twice');

    // No sale: the drawer opens on its own (recorded as an approval event).
    if (await till.locator('#no-sale-pin').isVisible()) await till.fill('#no-sale-pin', '1357');
    await till.click('#no-sale');
    await till.locator('.device-notice', { hasText: 'Drawer opened' }).waitFor();
    await till.waitForFunction(() => window.__fake.printer('up').drawer === 1);
    up = await printer(till, 'up');
    assert.equal(up.pages.length, 0, 'a drawer pulse prints nothing');
  });
});
