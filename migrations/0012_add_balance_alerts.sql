-- The low-balance alert (SPEC §12): a threshold per customer, an SMS to the
-- agency's own contact mobile and the partner's callback when available
-- falls below it. 0001–0011 stay as they were.

-- The agency's own mobile (11 digits), to which the balance_low SMS goes.
-- It lives in D1 only: the notification consumer reads it at delivery.
ALTER TABLE customers ADD COLUMN contact_mobile TEXT
  CHECK (contact_mobile IS NULL OR (length(contact_mobile) = 11 AND substr(contact_mobile, 1, 1) = '1' AND contact_mobile NOT GLOB '*[^0-9]*'));
-- A copy of the threshold the customer's AccountDO decides by (its profile's
-- low_balance_fen), written by the same PUT, for the customer lists; the
-- object alone decides when an alert is due.
ALTER TABLE customers ADD COLUMN low_balance_fen INTEGER CHECK (low_balance_fen IS NULL OR low_balance_fen >= 0);

-- The outbox learns 'balance_low': id 'balance-low:<dwid>:<the object's
-- alert seq>', target_id the dwid, payload {balanceFen, availableFen,
-- thresholdFen, atMs, cause, ledgerSeq} as the object recorded the crossing;
-- written by the AccountDO (INSERT OR IGNORE), delivered like every
-- notification. Rebuilt as 0007 and 0008 did, every index kept.
PRAGMA defer_foreign_keys = true;
CREATE TABLE outbox_new (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('order_paid','bill_paid','order_refunded','order_resent','ticket_used','balance_low')),
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
