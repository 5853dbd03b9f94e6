// Loads the demo store's catalogue into a running edge through the owner API, the same path
// the back office uses: sign in as the demo owner, then import products in chunks.
// Idempotent: unchanged products get no new version, so a second run sends lanes nothing.
// Usage: node scripts/seed.mjs <base url> <till-tools binary> [product count]
import { execFileSync } from 'node:child_process';

export async function seedCatalogue(base, toolsBin, count = 2000) {
  const [email, password] = execFileSync(toolsBin, ['demo-credentials']).toString().trim().split(' ');
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`demo owner sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const products = JSON.parse(execFileSync(toolsBin, ['catalogue', String(count)], { maxBuffer: 1 << 30 }));
  let changed = 0;
  for (let i = 0; i < products.length; i += 2000) {
    const res = await fetch(`${base}/api/v1/stores/demo-shibuya/catalogue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ products: products.slice(i, i + 2000) }),
    });
    if (!res.ok) throw new Error(`catalogue import failed: ${res.status} ${await res.text()}`);
    changed += (await res.json()).changed;
  }
  return { email, password, products: products.length, changed, cookie };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base, bin, count] = process.argv.slice(2);
  const r = await seedCatalogue(base, bin, Number(count ?? 2000));
  console.log(`demo catalogue: ${r.products} products (${r.changed} new or changed)`);
}
