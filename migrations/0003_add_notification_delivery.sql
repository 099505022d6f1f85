-- Notifications issue (#6): the partner callback's signing secret, and the
-- delivery state of every outbox row per channel. 0001 and 0002 stay as
-- they were.

-- HMAC-SHA256 key of the partner callback ("whsec_" + 43 base64url chars),
-- sealed with PASSWORD_KEY (AES-GCM, context "customer:<dwid>:callback-secret").
-- Generated when a callback URL is first set; shown to the operator once.
ALTER TABLE customers ADD COLUMN callback_secret_sealed TEXT;
ALTER TABLE customers ADD COLUMN callback_secret_set_at_ms INTEGER;

-- One row per outbox row and channel, written by the queue consumer: a retry
-- of the message skips every channel that is already done (sent, logged or
-- skipped), so a guest never gets the SMS twice because the partner's
-- callback failed.
CREATE TABLE outbox_deliveries (
  outbox_id     TEXT NOT NULL REFERENCES outbox (id),
  channel       TEXT NOT NULL CHECK (channel IN ('callback','sms')),
  status        TEXT NOT NULL CHECK (status IN ('sent','logged','skipped','failed')),
  attempts      INTEGER NOT NULL CHECK (attempts >= 1),
  -- the callback URL, or the masked mobile
  target        TEXT,
  last_error    TEXT,
  updated_at_ms INTEGER NOT NULL,
  sent_at_ms    INTEGER,
  CHECK ((status IN ('sent','logged')) = (sent_at_ms IS NOT NULL)),
  PRIMARY KEY (outbox_id, channel)
);

-- The sweep's second question: rows enqueued long ago and never settled.
CREATE INDEX outbox_by_status_updated ON outbox (status, updated_at_ms);
-- The operators' list, newest first, with or without a status filter.
CREATE INDEX outbox_by_created ON outbox (created_at_ms, id);
