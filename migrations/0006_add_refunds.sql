-- Refunds (SPEC §10, §6): a paid order's tickets back to the deposit,
-- exactly once. 0001–0005 stay as they were.

-- What was refunded of an order: written by the refund batch with its
-- tickets. The order's own status stays 'paid' (the CHECK pairs it with its
-- payment); a partner reads partially_refunded / refunded from these.
ALTER TABLE orders ADD COLUMN refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0);
ALTER TABLE orders ADD COLUMN refunded_units INTEGER NOT NULL DEFAULT 0 CHECK (refunded_units >= 0);

-- A refunded ticket names its refund (the AccountDO intent that credited it).
ALTER TABLE tickets ADD COLUMN refund_id TEXT;
ALTER TABLE tickets ADD COLUMN refunded_at_ms INTEGER;

-- {allowed, deadline: before_visit_day | visit_day_end, feePercent}; NULL: the default policy.
ALTER TABLE products ADD COLUMN refund_json TEXT;

-- The decision record of every refund attempt, as `payments` is of pays: the
-- refund batch inserts it first ('commit' only while the order is paid, its
-- tickets valid and the refund number unused); recovery inserts 'void' when
-- it finds none, which fences out a late batch. Committed rows are D1's copy
-- of the posted credits.
CREATE TABLE refunds (
  intent_id      TEXT PRIMARY KEY,
  dwid           TEXT NOT NULL,
  -- the partner's refundid (or the operator's), unique per customer among commits
  refund_no      TEXT NOT NULL CHECK (length(refund_no) BETWEEN 1 AND 50),
  order_id       TEXT NOT NULL,
  amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
  fee_fen        INTEGER NOT NULL CHECK (fee_fen >= 0),
  -- sorted JSON array of ticket codes
  tickets_json   TEXT NOT NULL,
  reason         TEXT,
  requested_by   TEXT NOT NULL CHECK (requested_by IN ('partner','operator')),
  outcome        TEXT NOT NULL CHECK (outcome IN ('commit','void')),
  decided_at_ms  INTEGER NOT NULL
);
CREATE UNIQUE INDEX refunds_one_commit_per_number ON refunds (dwid, refund_no) WHERE outcome = 'commit';
CREATE INDEX refunds_by_order ON refunds (order_id, decided_at_ms);
CREATE INDEX refunds_by_customer ON refunds (dwid, decided_at_ms);
CREATE INDEX refunds_by_time ON refunds (decided_at_ms, intent_id);

-- The outbox learns the kind 'order_refunded' (SPEC §10 notifications). SQLite
-- cannot change a CHECK: the table is rebuilt, its rows and indexes kept;
-- outbox_deliveries' reference follows the name (foreign keys are checked at
-- the end of the migration).
PRAGMA defer_foreign_keys = true;
CREATE TABLE outbox_new (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('order_paid','bill_paid','order_refunded')),
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
