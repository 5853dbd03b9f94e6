// The edge's API against hostile and foreign input, on the real Worker (workerd via wrangler dev):
// clear JSON errors, never a crash; sync is idempotent; a bad event is rejected without blocking
// the lane; every call is scoped to its tenant and store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { apiCall, startEdge, TOOLS_BIN } from '../harness.mjs';

let edge;
let lane;
before(async () => {
  // A second tenant with its own store, to prove scoping.
  edge = await startEdge({
    extraSql: `INSERT INTO tenants (id, name, created_ms) VALUES ('tenant-b', 'B', 0);
               INSERT INTO stores (id, tenant_id, settings, created_ms)
                 SELECT 'store-b', 'tenant-b', settings, 0 FROM stores WHERE id = 'demo-shibuya';`,
  });
  lane = await call('POST', '/api/v1/lanes/demo', {});
  assert.equal(lane.status, 200);
  lane = lane.body;
});
after(async () => edge?.stop());

const call = (method, path, body, headers) => apiCall(edge.base, method, path, body, headers);
const auth = () => ({ authorization: `Bearer ${lane.token}` });
const events = (first, count, laneId = lane.lane_id) =>
  JSON.parse(execFileSync(TOOLS_BIN, ['sale-events', laneId, String(first), String(count)]));
const push = (evs, laneId = lane.lane_id, headers = auth()) =>
  call('POST', '/api/v1/sync/push', { protocol: 1, lane_id: laneId, events: evs }, headers);

test('health answers', async () => {
  const r = await call('GET', '/api/health');
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  assert.equal(r.body.protocol, 3);
});

test('hostile bodies get clear JSON errors', async () => {
  for (const [body, status] of [['not json', 400], ['{"protocol":1}', 400], ['{"protocol":1,"lane_id":"x","events":{}}', 400], ['[]', 400]]) {
    const r = await call('POST', '/api/v1/sync/push', body, auth());
    assert.equal(r.status, status, body);
    assert.equal(r.body.error.code, 'bad_request');
    assert.equal(typeof r.body.error.message, 'string');
  }
  const unknown = await call('GET', '/api/v1/nothing-here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
});

test('sync needs a valid device token and only for its own lane', async () => {
  assert.equal((await push(events(1, 1), lane.lane_id, {})).body.error.code, 'bad_device_token');
  assert.equal((await push(events(1, 1), lane.lane_id, { authorization: 'Bearer nope' })).status, 401);
  const other = await push(events(1, 1, 'lane-someone-else'), 'lane-someone-else');
  assert.equal(other.status, 403);
  assert.equal((await call('GET', '/api/v1/sync/pull?cursor=0')).status, 401);
});

test('pushes are idempotent, gaps wait, bad events are rejected without blocking the lane', async () => {
  const [e1, e2, e3, e4] = events(1, 4);
  const forged = structuredClone(e2);
  forged.data.total.amount = '1';
  let r = await push([e1, forged]);
  assert.equal(r.status, 200);
  assert.equal(r.body.acked_through, 2);
  assert.deepEqual(r.body.results.map((x) => x.status), ['applied', 'rejected']);
  assert.match(r.body.results[1].reason, /total/);

  r = await push([e1, e2, e4]); // a retry of 1 and 2, and 4 before 3
  assert.deepEqual(r.body.results.map((x) => x.status), ['duplicate', 'duplicate', 'gap']);
  assert.equal(r.body.acked_through, 2);
  r = await push([e3, e4]);
  assert.deepEqual(r.body.results.map((x) => x.status), ['applied', 'applied']);
  assert.equal(r.body.acked_through, 4);

  // Booked once each: the roll-up holds sales 1, 3 and 4 (2 was rejected).
  const login = await call('POST', '/api/v1/auth/login', { email: edge.seeded.email, password: edge.seeded.password });
  const cookie = edge.seeded.cookie;
  assert.equal(login.status, 200);
  const today = await call('GET', '/api/v1/owner/today', undefined, { cookie });
  const demo = today.body.stores.find((s) => s.store_id === 'demo-shibuya');
  const expected = [e1, e3, e4].reduce((n, e) => n + Number(e.data.total.amount), 0);
  assert.equal(demo.sales, 3);
  assert.equal(Number(demo.net.amount), expected);
});

test('a refund is booked once against its sale; the same refund made on another lane is rejected', async () => {
  const [sale] = events(5, 1);
  const refund = (seq, seed) => JSON.parse(execFileSync(TOOLS_BIN, ['refund-event', lane.lane_id, String(seq), JSON.stringify(sale), '0', '1', seed]));
  const before = (await call('GET', '/api/v1/owner/today', undefined, { cookie: edge.seeded.cookie })).body.stores[0];
  let r = await push([sale, refund(6, 'a')]);
  assert.deepEqual(r.body.results.map((x) => x.status), ['applied', 'applied']);
  // The same items refunded again (as a second lane offline would): reported, never booked.
  r = await push([refund(7, 'b')]);
  assert.equal(r.body.results[0].status, 'rejected');
  assert.match(r.body.results[0].reason, /can still be returned/);
  assert.equal(r.body.acked_through, 7);
  const after = (await call('GET', '/api/v1/owner/today', undefined, { cookie: edge.seeded.cookie })).body.stores[0];
  const line = sale.data.lines[0];
  const refunded = Number(line.amount.amount) * 1 / Number(line.qty); // one unit of the first line
  assert.equal(after.sales, before.sales + 1);
  assert.equal(Number(after.net.amount), Number(before.net.amount) + Number(sale.data.total.amount) - Math.floor(refunded));
});

test('pull pages every change — products, stock levels, settings — by one cursor', async () => {
  const first = await call('GET', '/api/v1/sync/pull?cursor=0&limit=500', undefined, auth());
  assert.equal(first.status, 200);
  assert.equal(first.body.changes.length, 500);
  assert.equal(first.body.more, true);
  const kinds = { product: 0, stock: 0, settings: 0 };
  let { cursor } = first.body;
  let seen = first.body.changes;
  for (let page = first.body; page.more;) {
    page = (await call('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=700`, undefined, auth())).body;
    assert.ok(page.cursor > cursor, 'the cursor only moves forward');
    cursor = page.cursor;
    seen = seen.concat(page.changes);
  }
  for (const c of seen) kinds[c.kind] += 1;
  assert.equal(seen.length, first.body.total);
  assert.equal(kinds.product, 2000);
  assert.equal(kinds.settings, 1);
  // The sales pushed by the tests above moved stock; levels travel as decimal strings.
  assert.ok(kinds.stock > 0);
  for (const c of seen.filter((c) => c.kind === 'stock')) assert.match(c.data.qty, /^-?\d+(\.\d+)?$/);
  const done = await call('GET', `/api/v1/sync/pull?cursor=${cursor}`, undefined, auth());
  assert.deepEqual([done.body.changes.length, done.body.more], [0, false]);
  assert.equal((await call('GET', '/api/v1/sync/pull?cursor=abc', undefined, auth())).status, 400);
});

/** Every change a lane would pull from the start. */
async function pullAll() {
  let cursor = 0;
  const changes = [];
  for (let more = true; more;) {
    const page = (await call('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=5000`, undefined, auth())).body;
    changes.push(...page.changes);
    ({ cursor, more } = page);
  }
  return changes;
}
const levelOf = (changes, sku) => Number(changes.filter((c) => c.kind === 'stock' && c.data.sku === sku).at(-1)?.data.qty ?? 0);

test('a void takes its sale out of the day once; stock adjustments and customers reach the other lanes', async () => {
  const other = (await call('POST', '/api/v1/lanes/demo', {})).body;
  const otherAuth = { authorization: `Bearer ${other.token}` };
  const seq0 = (await call('GET', '/api/v1/owner/today', undefined, { cookie: edge.seeded.cookie })).body.stores[0];
  const [sale] = JSON.parse(execFileSync(TOOLS_BIN, ['sale-events', other.lane_id, '1', '1']));
  const uuid = (n) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const ev = (seq, type, data) => ({ id: uuid(seq), lane_id: other.lane_id, lane_seq: seq, at_ms: Date.now(), v: 1, type, data });
  const voidData = {
    sale_id: sale.data.id, store_id: sale.data.store_id, receipt_no: sale.data.receipt_no, business_day: sale.data.business_day,
    total: sale.data.total, lines: sale.data.lines.map((l) => ({ sku: l.sku, qty: l.qty })), reason: 'customer changed mind', approved_by: 'm1',
  };
  const sku = sale.data.lines[0].sku;
  const before = levelOf(await pullAll(), sku);
  const r = await push([
    sale,
    ev(2, 'sale_voided', voidData),
    ev(3, 'sale_voided', voidData),
    ev(4, 'stock_adjusted', { sku, delta: '12', reason: 'received', note: 'delivery' }),
    ev(5, 'stock_adjusted', { sku, delta: '-3', reason: 'received' }),
    ev(6, 'customer_created', { id: uuid(99), name: '山田 花子', phone: '090-1234-5678' }),
    ev(7, 'customer_created', { id: uuid(98), name: ' ' }),
  ], other.lane_id, otherAuth);
  assert.deepEqual(r.body.results.map((x) => x.status), ['applied', 'applied', 'rejected', 'applied', 'rejected', 'applied', 'rejected']);
  assert.match(r.body.results[2].reason, /already voided/);
  assert.match(r.body.results[4].reason, /add to/);
  assert.match(r.body.results[6].reason, /name/);
  // The voided sale is out of the day: count and net as before it.
  const after = (await call('GET', '/api/v1/owner/today', undefined, { cookie: edge.seeded.cookie })).body.stores[0];
  assert.equal(after.sales, seq0.sales);
  assert.equal(after.net.amount, seq0.net.amount);
  // Another lane pulls the customer and the stock level (sold 1, voided back, received 12).
  const changes = await pullAll();
  assert.equal(changes.find((c) => c.kind === 'customer').data.name, '山田 花子');
  assert.equal(levelOf(changes, sku), before + 12);
});

test("owners see and change only their own tenant's stores", async () => {
  assert.equal((await call('GET', '/api/v1/owner/today')).status, 401);
  assert.equal((await call('POST', '/api/v1/auth/login', { email: edge.seeded.email, password: 'wrong' })).body.error.code, 'bad_credentials');
  const cookie = edge.seeded.cookie;
  const today = await call('GET', '/api/v1/owner/today', undefined, { cookie });
  assert.deepEqual(today.body.stores.map((s) => s.store_id), ['demo-shibuya']);
  const foreign = await call('POST', '/api/v1/stores/store-b/catalogue', { products: [] }, { cookie });
  assert.equal(foreign.status, 404);
  const anonymous = await call('POST', '/api/v1/stores/demo-shibuya/catalogue', { products: [] });
  assert.equal(anonymous.status, 401);
  // Sign-out ends the session on the server.
  assert.equal((await call('POST', '/api/v1/auth/logout', undefined, { cookie })).status, 200);
  assert.equal((await call('GET', '/api/v1/owner/today', undefined, { cookie })).status, 401);
});
