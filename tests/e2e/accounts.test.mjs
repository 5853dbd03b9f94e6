// Accounts on the real edge: sign-up, stores, sign-in limits, signing out everywhere, staff and
// their PIN verifiers reaching lanes by sync (only for lanes that speak protocol 2), and every
// new endpoint scoped to its tenant.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, startEdge } from '../harness.mjs';

let edge;
before(async () => {
  edge = await startEdge({ seed: false, demo: false });
});
after(async () => edge?.stop());

const call = (method, path, body, headers) => apiCall(edge.base, method, path, body, headers);

/** A new owner with a business of their own; answers their session cookie. */
async function signUp(email, business = 'Shop') {
  const r = await call('POST', '/api/v1/auth/signup', { email, password: 'a long enough secret', business });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.cookie, /^till_session=[0-9a-f]{64}$/);
  return r.cookie;
}

test('sign up, open stores, and see only your own', async () => {
  const bad = [
    [{ email: 'nobody', password: 'a long enough secret', business: 'X' }, 'email'],
    [{ email: 'a@b.jp', password: 'short', business: 'X' }, '10 characters'],
    [{ email: 'a@b.jp', password: 'a long enough secret', business: ' ' }, 'name'],
  ];
  for (const [body, words] of bad) {
    const r = await call('POST', '/api/v1/auth/signup', body);
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, new RegExp(words));
  }
  const cookie = await signUp('mori@cafe.example', 'Café Mori');
  const again = await call('POST', '/api/v1/auth/signup', { email: 'MORI@cafe.example', password: 'another long secret', business: 'Y' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'email_taken');

  assert.deepEqual((await call('GET', '/api/v1/stores', undefined, { cookie })).body.stores, []);
  const refused = await call('POST', '/api/v1/stores', { name: 'Kyoto', country: 'JP', registration_no: 'T8000012050002' }, { cookie });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error.message, /check digit/);
  const jp = await call('POST', '/api/v1/stores', { name: 'Kyoto', country: 'JP', registration_no: 'T7000012050002' }, { cookie });
  assert.equal(jp.status, 200, JSON.stringify(jp.body));
  assert.equal(jp.body.currency, 'JPY');
  const us = await call('POST', '/api/v1/stores', { name: 'Brooklyn', country: 'US', sales_tax_percent: '8.875' }, { cookie });
  assert.equal(us.body.currency, 'USD');
  assert.equal(us.body.tax.mode, 'exclusive');
  const mine = await call('GET', '/api/v1/stores', undefined, { cookie });
  assert.deepEqual(mine.body.stores.map((s) => s.name), ['Kyoto', 'Brooklyn']);
  const today = await call('GET', '/api/v1/owner/today', undefined, { cookie });
  assert.deepEqual(today.body.stores.map((s) => s.name).sort(), ['Brooklyn', 'Kyoto']);

  // Exports: a range of at most 92 days, in order.
  for (const [q, words] of [['from=2026-01-10&to=2026-01-01', 'later'], ['from=2026-01-01&to=2026-06-01', '92 days'], ['from=yesterday', 'YYYY-MM-DD']]) {
    const r = await call('GET', `/api/v1/stores/${jp.body.store_id}/export/journal.csv?${q}`, undefined, { cookie });
    assert.equal(r.status, 400, q);
    assert.match(r.body.error.message, new RegExp(words));
  }
  const empty = await fetch(`${edge.base}/api/v1/stores/${jp.body.store_id}/export/sales.csv`, { headers: { cookie } });
  assert.equal(empty.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(empty.headers.get('content-disposition'), /attachment; filename=".*-sales-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"/);
  // Another business sees none of it and can touch none of it.
  const other = await signUp('other@shop.example');
  assert.deepEqual((await call('GET', '/api/v1/stores', undefined, { cookie: other })).body.stores, []);
  for (const [method, path, body] of [
    ['GET', `/api/v1/stores/${jp.body.store_id}/staff`],
    ['POST', `/api/v1/stores/${jp.body.store_id}/staff`, { name: 'Mallory', role: 'manager', pin: '2580' }],
    ['GET', `/api/v1/stores/${jp.body.store_id}/lanes`],
    ['POST', `/api/v1/stores/${jp.body.store_id}/pairing-codes`, {}],
    ['POST', `/api/v1/stores/${jp.body.store_id}/catalogue`, { products: [] }],
    ['GET', `/api/v1/stores/${jp.body.store_id}/rejected`],
    ['GET', `/api/v1/stores/${jp.body.store_id}/day`],
    ['GET', `/api/v1/stores/${jp.body.store_id}/export/sales.csv`],
    ['GET', `/api/v1/stores/${jp.body.store_id}/export/journal.csv`],
  ]) {
    const r = await call(method, path, body, { cookie: other });
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal((await call(method, path, body)).status, 401, `${method} ${path} signed out`);
  }
});

test('wrong passwords are limited per account; the right one works again after', async () => {
  await signUp('limit@shop.example');
  for (let i = 0; i < 5; i++) {
    const r = await call('POST', '/api/v1/auth/login', { email: 'limit@shop.example', password: `wrong ${i}` });
    assert.equal(r.status, 401);
  }
  // Now even the right password waits: a guesser learns nothing from the answer.
  const limited = await call('POST', '/api/v1/auth/login', { email: 'limit@shop.example', password: 'a long enough secret' });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'too_many_attempts');
  assert.match(limited.body.error.message, /try again in 15 minute/);
  // Another account from the same address is not locked by it.
  await signUp('fine@shop.example');
  const fine = await call('POST', '/api/v1/auth/login', { email: 'fine@shop.example', password: 'a long enough secret' });
  assert.equal(fine.status, 200);
  // The window passes (moved back in D1 rather than waiting 15 minutes).
  edge.d1("UPDATE attempts SET window_start_ms = window_start_ms - 900000 WHERE key LIKE 'login:acct:%'");
  const after = await call('POST', '/api/v1/auth/login', { email: 'limit@shop.example', password: 'a long enough secret' });
  assert.equal(after.status, 200);
});

test('signing out everywhere ends every session of the owner', async () => {
  const first = await signUp('phone@shop.example');
  const second = (await call('POST', '/api/v1/auth/login', { email: 'phone@shop.example', password: 'a long enough secret' })).cookie;
  const other = await signUp('bystander@shop.example');
  assert.equal((await call('GET', '/api/v1/stores', undefined, { cookie: second })).status, 200);
  assert.equal((await call('POST', '/api/v1/auth/logout-everywhere', {}, { cookie: first })).status, 200);
  assert.equal((await call('GET', '/api/v1/stores', undefined, { cookie: first })).status, 401);
  assert.equal((await call('GET', '/api/v1/stores', undefined, { cookie: second })).status, 401);
  assert.equal((await call('GET', '/api/v1/stores', undefined, { cookie: other })).status, 200, "another owner's session lives on");
});

test('staff and PIN verifiers: kept hashed, checked for duplicates, pulled by protocol-2 lanes only', async () => {
  const cookie = await signUp('staff@shop.example');
  const store = (await call('POST', '/api/v1/stores', { name: 'Staffed', country: 'JP' }, { cookie })).body;
  const path = `/api/v1/stores/${store.store_id}/staff`;
  for (const [body, words] of [
    [{ name: 'Aki', role: 'cashier', pin: '1234' }, 'too easy'],
    [{ name: 'Aki', role: 'cashier', pin: '12a4' }, '4 to 8 digits'],
    [{ name: 'Aki', role: 'cashier' }, 'needs a PIN'],
    [{ name: '', role: 'cashier', pin: '4711' }, 'name'],
    [{ name: 'Boss', role: 'owner', pin: '4711' }, 'managers or cashiers'],
  ]) {
    const r = await call('POST', path, body, { cookie });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.body.error.message, new RegExp(words));
  }
  const aki = await call('POST', path, { name: 'Aki', role: 'cashier', pin: '4711' }, { cookie });
  assert.equal(aki.status, 200);
  assert.equal(JSON.stringify(aki.body).includes('4711'), false);
  const dup = await call('POST', path, { name: 'Ben', role: 'manager', pin: '4711' }, { cookie });
  assert.match(dup.body.error.message, /another member of staff has that PIN/);
  await call('POST', path, { name: 'Ben', role: 'manager', pin: '8080' }, { cookie });
  const list = await call('GET', path, undefined, { cookie });
  assert.deepEqual(list.body.staff.map((m) => [m.name, m.role, m.active]).sort(), [['Aki', 'cashier', true], ['Ben', 'manager', true]]);
  assert.equal(JSON.stringify(list.body).includes('pbkdf2'), false, 'the owner sees no verifiers');

  // A lane of the store pulls the verifiers (never the PINs); an old lane is not sent them.
  const code = (await call('POST', `/api/v1/stores/${store.store_id}/pairing-codes`, {}, { cookie })).body.code;
  const lane = (await call('POST', '/api/v1/lanes/pair', { code })).body;
  const bearer = { authorization: `Bearer ${lane.token}` };
  const pulled = await call('GET', '/api/v1/sync/pull?cursor=0&protocol=2&unsynced=3&app=9.9.9', undefined, bearer);
  const staff = pulled.body.changes.filter((c) => c.kind === 'staff').map((c) => c.data);
  assert.deepEqual(staff.map((m) => m.name).sort(), ['Aki', 'Ben']);
  for (const m of staff) assert.match(m.pin, /^pbkdf2-sha256\$10000\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
  assert.equal(JSON.stringify(pulled.body).includes('4711'), false);
  const old = await call('GET', '/api/v1/sync/pull?cursor=0', undefined, bearer);
  assert.equal(old.body.changes.some((c) => c.kind === 'staff'), false);

  // What the lane reported shows in the owner's list of tills.
  const lanes = (await call('GET', `/api/v1/stores/${store.store_id}/lanes`, undefined, { cookie })).body.lanes;
  assert.equal(lanes[0].unsynced, 3);
  assert.equal(lanes[0].app_version, '9.9.9');
  assert.ok(lanes[0].last_seen_ms > 0);

  // Deactivating keeps the verifier (old receipts name the person) and reaches the lane.
  const akiId = aki.body.id;
  const off = await call('POST', path, { id: akiId, name: 'Aki', role: 'cashier', active: false }, { cookie });
  assert.equal(off.body.active, false);
  const next = await call('GET', `/api/v1/sync/pull?cursor=${pulled.body.cursor}&protocol=2`, undefined, bearer);
  assert.deepEqual(next.body.changes.map((c) => [c.kind, c.data.name, c.data.active]), [['staff', 'Aki', false]]);
  // Aki's PIN is free again for someone active.
  assert.equal((await call('POST', path, { name: 'Chie', role: 'cashier', pin: '4711' }, { cookie })).status, 200);
});

test('two tills pairing at once get different receipt prefixes; guessing pairing codes is cut off', async () => {
  const cookie = await signUp('pairs@shop.example');
  const store = (await call('POST', '/api/v1/stores', { name: 'Pairs', country: 'JP' }, { cookie })).body;
  const codes = await Promise.all([1, 2, 3].map(async () => (await call('POST', `/api/v1/stores/${store.store_id}/pairing-codes`, {}, { cookie })).body.code));
  const lanes = await Promise.all(codes.map((code) => call('POST', '/api/v1/lanes/pair', { code })));
  assert.deepEqual(lanes.map((l) => l.status), [200, 200, 200]);
  assert.deepEqual(lanes.map((l) => l.body.lane_code).sort(), ['L1', 'L2', 'L3']);
  let last;
  for (let i = 0; i < 21; i++) last = await call('POST', '/api/v1/lanes/pair', { code: `ZZZZ-ZZ${String(i).padStart(2, '0')}` });
  assert.equal(last.status, 429);
  assert.equal(last.body.error.code, 'too_many_attempts');
});
