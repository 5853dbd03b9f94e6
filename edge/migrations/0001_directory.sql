-- The tenant directory and what spans stores. Per-store events, stock and catalogue live in the
-- store's Durable Object; D1 holds who owns what and the daily roll-ups the owner reads.
-- Money is stored as INTEGER minor units (JS-safe, |x| <= 2^53-1), never REAL.

CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);

CREATE TABLE stores (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  -- core's StoreSettings as JSON: currency, tax policy, time zone offset, registration number.
  settings   TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX stores_tenant ON stores(tenant_id);

CREATE TABLE owners (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants(id),
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  -- "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>": never the password.
  password_hash TEXT NOT NULL,
  created_ms    INTEGER NOT NULL
);

CREATE TABLE sessions (
  -- SHA-256 of the cookie's token: a leaked table does not give a usable session.
  token_hash TEXT PRIMARY KEY,
  owner_id   TEXT NOT NULL REFERENCES owners(id),
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  expires_ms INTEGER NOT NULL
);

CREATE TABLE lanes (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  store_id   TEXT NOT NULL REFERENCES stores(id),
  -- Receipt number prefix, unique within the store ("L1", "L2", ...).
  code       TEXT NOT NULL,
  -- SHA-256 of the device token.
  token_hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  revoked_ms INTEGER,
  UNIQUE (store_id, code)
);

CREATE TABLE daily_sales (
  store_id     TEXT NOT NULL REFERENCES stores(id),
  business_day TEXT NOT NULL,
  net_minor    INTEGER NOT NULL,
  sales        INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL,
  PRIMARY KEY (store_id, business_day)
);
