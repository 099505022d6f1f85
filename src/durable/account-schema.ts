/**
 * AccountDO's own SQLite schema (one object per customer). The object checks
 * `schema_version` on wake and applies what is missing. Documented with
 * example rows in docs/storage.md.
 */
export const ACCOUNT_SCHEMA_VERSION = 5;

export const ACCOUNT_SCHEMA_V1 = [
  `CREATE TABLE profile (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     dwid             TEXT NOT NULL,
     dwlx             TEXT NOT NULL,
     login_md5_sealed TEXT NOT NULL,
     pay_md5_sealed   TEXT,
     updated_at_ms    INTEGER NOT NULL)`,
  // Running totals of the ledger and the holds; CHECKs are the last guard of
  // "available never negative" (SPEC §6).
  `CREATE TABLE totals (
     singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
     balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0),
     held_fen    INTEGER NOT NULL CHECK (held_fen >= 0),
     CHECK (held_fen <= balance_fen))`,
  `INSERT INTO totals (singleton, balance_fen, held_fen) VALUES (1, 0, 0)`,
  // Append-only (version 2 drops `copied`: no row ever changes).
  `CREATE TABLE ledger (
     seq               INTEGER PRIMARY KEY AUTOINCREMENT,
     kind              TEXT NOT NULL CHECK (kind IN ('deposit','debit','refund')),
     amount_fen        INTEGER NOT NULL CHECK (amount_fen >= 0),
     balance_after_fen INTEGER NOT NULL CHECK (balance_after_fen >= 0),
     reference         TEXT NOT NULL,
     target            TEXT,
     created_at_ms     INTEGER NOT NULL,
     copied            INTEGER NOT NULL DEFAULT 0 CHECK (copied IN (0,1)),
     UNIQUE (kind, reference))`,
  `CREATE INDEX ledger_uncopied ON ledger (seq) WHERE copied = 0`,
  // Two-phase debits (SPEC §6): pending holds money; posted wrote a debit;
  // voided released it. One live intent per target at most.
  `CREATE TABLE intents (
     intent_id     TEXT PRIMARY KEY,
     target_kind   TEXT NOT NULL CHECK (target_kind IN ('order','bill')),
     target_id     TEXT NOT NULL,
     amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
     state         TEXT NOT NULL CHECK (state IN ('pending','posted','voided')),
     -- the Worker request that placed it: a retry of that request after a
     -- crash recognises its own payment (answered "paid now", not "earlier")
     request_id    TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     decided_at_ms INTEGER)`,
  `CREATE UNIQUE INDEX intents_one_live_per_target ON intents (target_kind, target_id)
     WHERE state IN ('pending','posted')`,
  `CREATE INDEX intents_pending ON intents (created_at_ms) WHERE state = 'pending'`,
  `CREATE TABLE sessions (
     token_sha256    TEXT PRIMARY KEY,
     session_key     TEXT NOT NULL,
     created_at_ms   INTEGER NOT NULL,
     last_seen_at_ms INTEGER NOT NULL)`,
  `CREATE TABLE pay_failures (at_ms INTEGER NOT NULL)`,
];

/**
 * Version 2 (the reliability issue):
 *  - an intent keeps the view its answer shows once paid (`detail_json`: the
 *    order's stock, the bill's pickup code drawn before the hold) and the
 *    other name the request used (`alias`: a bill's SenderBillNum), so a
 *    request's retry, or a pay whose D1 read fails, is answered from the
 *    object alone; intents are found by the request that placed them;
 *  - money rows are immutable: the ledger copy to D1 keeps a cursor
 *    (`ledger_copy_cursor`) instead of marking ledger rows copied.
 */
export const ACCOUNT_SCHEMA_V2 = [
  `ALTER TABLE intents ADD COLUMN detail_json TEXT`,
  `ALTER TABLE intents ADD COLUMN alias TEXT`,
  `CREATE INDEX intents_by_request ON intents (request_id)`,
  `CREATE INDEX intents_live_by_alias ON intents (target_kind, alias) WHERE state IN ('pending','posted') AND alias IS NOT NULL`,
  `CREATE TABLE ledger_copy_cursor (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     copied_through   INTEGER NOT NULL CHECK (copied_through >= 0))`,
  `INSERT INTO ledger_copy_cursor (singleton, copied_through)
     SELECT 1, coalesce((SELECT min(seq) - 1 FROM ledger WHERE copied = 0), (SELECT max(seq) FROM ledger), 0)`,
  `DROP INDEX ledger_uncopied`,
  `ALTER TABLE ledger DROP COLUMN copied`,
];

/**
 * Version 3 (SPEC §11): suspension and a credentials version in the profile.
 * A session remembers the version it was opened under and is valid only
 * while the profile still has it; a change of password material or a
 * suspension moves the version on, which ends every session at once. Wrong
 * logins are counted for the per-dwid lockout. Existing profiles and
 * sessions start at version 1 together, so an upgrade ends nobody's session.
 */
export const ACCOUNT_SCHEMA_V3 = [
  `ALTER TABLE profile ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1))`,
  `ALTER TABLE profile ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 1 CHECK (credentials_version >= 1)`,
  `ALTER TABLE sessions ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 1`,
  `CREATE TABLE login_failures (at_ms INTEGER NOT NULL)`,
];

/**
 * Version 4 (SPEC §10): refunds. A refund intent is the credit's two phases,
 * as an intent is the debit's: 'pending' while its D1 batch runs (nothing is
 * credited yet, nothing held), 'posted' once D1 committed it (the ledger's
 * refund entry, balance += amount), 'voided' when D1 refused it. One live
 * refund per refund number (the partner's refundid), one pending refund per
 * order; `stock_returned` says its units are back in their product-days.
 */
export const ACCOUNT_SCHEMA_V4 = [
  `CREATE TABLE refund_intents (
     intent_id      TEXT PRIMARY KEY,
     refund_no      TEXT NOT NULL,
     order_id       TEXT NOT NULL,
     effect_date    TEXT NOT NULL,
     amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
     fee_fen        INTEGER NOT NULL CHECK (fee_fen >= 0),
     -- sorted JSON array of ticket codes; JSON [{productId, units}] going back to stock
     tickets_json   TEXT NOT NULL,
     stock_json     TEXT NOT NULL,
     reason         TEXT,
     requested_by   TEXT NOT NULL CHECK (requested_by IN ('partner','operator')),
     state          TEXT NOT NULL CHECK (state IN ('pending','posted','voided')),
     stock_returned INTEGER NOT NULL DEFAULT 0 CHECK (stock_returned IN (0, 1)),
     request_id     TEXT NOT NULL,
     created_at_ms  INTEGER NOT NULL,
     decided_at_ms  INTEGER,
     -- the answer's view: the order's senderid, status after, when it was refunded
     detail_json    TEXT)`,
  `CREATE UNIQUE INDEX refund_intents_live_per_number ON refund_intents (refund_no) WHERE state IN ('pending','posted')`,
  `CREATE UNIQUE INDEX refund_intents_pending_per_order ON refund_intents (order_id) WHERE state = 'pending'`,
  `CREATE INDEX refund_intents_by_request ON refund_intents (request_id)`,
  `CREATE INDEX refund_intents_open ON refund_intents (created_at_ms) WHERE state = 'pending' OR (state = 'posted' AND stock_returned = 0)`,
];

/**
 * Version 5 (SPEC §12): statements and the low-balance alert.
 *  - statements cut a period by the first entry stamped on or after each
 *    midnight (domain/statements.ts): an index on (created_at_ms, seq);
 *  - the operator's threshold (`low_balance_fen`, null: no alert) and
 *    whether the current crossing below it was already announced
 *    (`low_balance_alerted`), decided in the transaction that moves the money
 *    (durable/balance-watch.ts);
 *  - `balance_alerts`: each announcement, recorded in that same transaction;
 *    `written_at_ms` once D1's outbox has its row (the alarm retries until then).
 */
export const ACCOUNT_SCHEMA_V5 = [
  `CREATE INDEX ledger_by_time ON ledger (created_at_ms, seq)`,
  `ALTER TABLE profile ADD COLUMN low_balance_fen INTEGER CHECK (low_balance_fen IS NULL OR low_balance_fen >= 0)`,
  `ALTER TABLE profile ADD COLUMN low_balance_alerted INTEGER NOT NULL DEFAULT 0 CHECK (low_balance_alerted IN (0, 1))`,
  `CREATE TABLE balance_alerts (
     alert_seq      INTEGER PRIMARY KEY AUTOINCREMENT,
     cause          TEXT NOT NULL CHECK (cause IN ('debit','threshold')),
     -- the debit that crossed (null: the operator's new threshold)
     ledger_seq     INTEGER,
     balance_fen    INTEGER NOT NULL CHECK (balance_fen >= 0),
     available_fen  INTEGER NOT NULL CHECK (available_fen >= 0),
     threshold_fen  INTEGER NOT NULL CHECK (threshold_fen > available_fen),
     at_ms          INTEGER NOT NULL,
     written_at_ms  INTEGER)`,
  `CREATE INDEX balance_alerts_unwritten ON balance_alerts (alert_seq) WHERE written_at_ms IS NULL`,
];

/** Each version's statements, applied in order on wake from the stored version on. */
export const ACCOUNT_MIGRATIONS: readonly (readonly string[])[] = [ACCOUNT_SCHEMA_V1, ACCOUNT_SCHEMA_V2, ACCOUNT_SCHEMA_V3, ACCOUNT_SCHEMA_V4, ACCOUNT_SCHEMA_V5];
