-- Resending an order's ticket codes by SMS (SPEC §10 Resend). 0001–0006
-- stay as they were.

-- The outbox learns the kind 'order_resent': one row per resend, id
-- 'order-resent:<orderid>:<n>', target_id the order, payload {mobile}; it is
-- delivered by SMS only. These rows are also the resend counter: a resend is
-- inserted only while fewer than 3 of the order's are younger than an hour
-- (db/resends.ts). SQLite cannot change a CHECK: the table is rebuilt as in
-- 0006, its rows and indexes kept; outbox_deliveries' reference follows the
-- name (foreign keys are checked at the end of the migration).
PRAGMA defer_foreign_keys = true;
CREATE TABLE outbox_new (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('order_paid','bill_paid','order_refunded','order_resent')),
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
-- An order's resends in the last hour, counted inside the guarded insert.
CREATE INDEX outbox_by_kind_target ON outbox (kind, target_id, created_at_ms);
