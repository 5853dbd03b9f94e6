-- One-time pairing codes: the owner makes one for a store, a new browser types it within its
-- lifetime and becomes a lane. Only a hash of the code is kept; a used code cannot be used again.
CREATE TABLE pairing_codes (
  code_hash  TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  store_id   TEXT NOT NULL REFERENCES stores(id),
  expires_ms INTEGER NOT NULL,
  used_ms    INTEGER,
  lane_id    TEXT
);
CREATE INDEX pairing_codes_store ON pairing_codes(store_id);
