-- Failed sign-in attempts per account and per address, and sign-ups per address, counted in a
-- window: enough to slow guessing without keeping a log of who tried what. Keys are
-- "login:acct:<sha256 of the lower-cased email>", "login:ip:<address>", "signup:ip:<address>".
CREATE TABLE attempts (
  key             TEXT PRIMARY KEY,
  window_start_ms INTEGER NOT NULL,
  failures        INTEGER NOT NULL
);

-- What a lane last told the edge about itself, for the owner's list of tills.
ALTER TABLE lanes ADD COLUMN last_seen_ms INTEGER;
ALTER TABLE lanes ADD COLUMN unsynced INTEGER;
ALTER TABLE lanes ADD COLUMN app_version TEXT;

-- Staff are not here: they live in the store's Durable Object, so they reach lanes by the same
-- change versions as products and settings.
