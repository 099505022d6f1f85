-- The gate (SPEC §10 核销): gate devices, a ticket's use, and the
-- ticket_used notification. 0001–0007 stay as they were.

-- A gate device an operator registered; its bearer token is kept only as a
-- SHA-256 (shown once, when issued); a new token ends the old one.
CREATE TABLE gates (
  gate_id         TEXT PRIMARY KEY CHECK (length(gate_id) BETWEEN 1 AND 36),
  name            TEXT NOT NULL,
  -- JSON array of product ids it admits; NULL: every product
  products_json   TEXT,
  token_sha256    TEXT NOT NULL UNIQUE,
  token_set_at_ms INTEGER NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);

-- A used ticket says when, at which gate and by which scan: the check's
-- guarded UPDATE (status 'valid' → 'used') is the decision, and the scan's
-- id (the device's checkid) makes a retry of the same scan find it again.
ALTER TABLE tickets ADD COLUMN used_at_ms INTEGER;
ALTER TABLE tickets ADD COLUMN used_gate_id TEXT;
ALTER TABLE tickets ADD COLUMN check_id TEXT;
CREATE UNIQUE INDEX tickets_by_check ON tickets (used_gate_id, check_id) WHERE check_id IS NOT NULL;
-- Check-ins per day and gate for the operators (the console's check-in page).
CREATE INDEX tickets_by_use ON tickets (used_at_ms) WHERE used_at_ms IS NOT NULL;

-- The outbox learns 'ticket_used' (the partner's callback per admitted ticket),
-- rebuilt as 0006 did.
PRAGMA defer_foreign_keys = true;
CREATE TABLE outbox_new (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('order_paid','bill_paid','order_refunded','order_resent','ticket_used')),
  dwid            TEXT NOT NULL,
  target_id       TEXT NOT NULL,
  payload_json    TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending','enqueued','sent','failed','dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);
INSERT INTO outbox_new (id, kind, dwid, target_id, payload_json, status, attempts, last_error, created_at_ms, updated_at_ms)
  SELECT id, kind, dwid, target_id, payload_json, status, attempts, last_error, created_at_ms, updated_at_ms FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_by_status ON outbox (status, created_at_ms);
CREATE INDEX outbox_by_status_updated ON outbox (status, updated_at_ms);
CREATE INDEX outbox_by_created ON outbox (created_at_ms, id);
-- 0007's: the resend limit counts an order's order_resent rows of the last hour.
CREATE INDEX outbox_by_kind_target ON outbox (kind, target_id, created_at_ms);
