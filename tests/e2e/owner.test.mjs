// The owner's view of what sync could not settle on its own: a day whose report changed after it
// closed (a lane that was offline overnight) says so, and records the store refused are listed
// with the reason — on the phone layout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { TOOLS_BIN, newPage, withTill } from '../harness.mjs';

test('a late sale marks its day as changed after close; refused records are listed with the reason', { timeout: 180_000 }, async () => {
  await withTill('owner-history', async ({ edge, browser, log }) => {
    const post = (path, body, headers = {}) => fetch(`${edge.base}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    }).then((r) => r.json());
    const lane = await post('/api/v1/lanes/demo', {});
    // A sale made two days ago on a lane that was offline since, and a forged one.
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    const [late] = JSON.parse(execFileSync(TOOLS_BIN, ['sale-events', lane.lane_id, '1', '1', String(twoDaysAgo)]));
    const [forged] = JSON.parse(execFileSync(TOOLS_BIN, ['sale-events', lane.lane_id, '2', '1']));
    forged.data.total.amount = '1';
    const pushed = await post('/api/v1/sync/push', { protocol: 1, lane_id: lane.lane_id, events: [late, forged] }, { authorization: `Bearer ${lane.token}` });
    assert.deepEqual(pushed.results.map((r) => r.status), ['applied', 'rejected']);

    const get = (path) => fetch(`${edge.base}${path}`, { headers: { cookie: edge.seeded.cookie } }).then((r) => r.json());
    const { stores } = await get('/api/v1/owner/days?days=7');
    const day = stores[0].days.find((d) => d.business_day === late.data.business_day);
    assert.equal(day.sales, 1);
    assert.equal(day.late, 1);
    assert.ok(day.revised_ms >= twoDaysAgo);
    const { rejected } = await get('/api/v1/stores/demo-shibuya/rejected');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0].lane_code, 'L1');
    assert.match(rejected[0].reason, /total/);
    assert.equal((await fetch(`${edge.base}/api/v1/owner/days?days=0`, { headers: { cookie: edge.seeded.cookie } })).status, 400);
    assert.equal((await fetch(`${edge.base}/api/v1/stores/demo-shibuya/rejected`)).status, 401);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const owner = await newPage(context, log);
    await owner.goto(`${edge.base}/owner`);
    await owner.fill('#email', edge.seeded.email);
    await owner.fill('#password', edge.seeded.password);
    await owner.click('#sign-in');
    const row = owner.locator(`.day[data-day="${late.data.business_day}"]`);
    await row.locator('.revised', { hasText: 'changed after the day closed: 1 late record(s)' }).waitFor({ timeout: 20_000 });
    await owner.locator('.rejected-event', { hasText: 'Lane L1 record 2:' }).waitFor();
    // Readable on the phone: nothing wider than the screen.
    assert.ok(await owner.evaluate(() => document.documentElement.scrollWidth <= 390));
  });
});
