/**
 * InventoryDO's own SQLite schema (one object per product and day). The
 * object checks `schema_version` on wake and applies what is missing.
 *
 * Example rows, object "T-GATE:20261201":
 *   day_config (1, 'T-GATE', '20261201', 100, 1764547200123)
 *   slots      (1, 540, 660, 60)             -- 09:00–11:00, 60 units
 *   holds      ('20261126804215739906', 2, 1, 'held', 1764140400000, 1764138600000, NULL)
 *   seats      (1, 'A-12', '20261126804215739906')
 *   usage_totals ('held', 1, 2)                 -- v2: 2 units held in slot 1
 *   hold_buyers ('mobile', '13800138000', '20261126804215739906', 2)   -- v3
 *   hold_buyers ('id', '110101199003074477', '20261126804215739906', 2)
 *   hold_returns ('6f1c…-refund-intent', '20261126804215739906', 1, 1764200000000)  -- v4
 *   holds      ('20261126804215739906.9f3a61c2', 2, 1, 'sold', …, '20261201', '20261126804215739906', 'done')  -- v5:
 *              the order moved here from 20261201 (Order/ChangeDate); its hold there is released
 *   pending_configs ('c0a8…-bulk-token', 'T-GATE', '20261201', 80, NULL, 1764547300456, 1764547360456)  -- v6:
 *              a calendar-in-bulk call reserved stock 80 here; applied once D1 records its decision
 */

export const INVENTORY_SCHEMA_V1 = [
  // The day's configuration as last written by the operator (PUT calendar);
  // `version` is product_days.updated_at_ms, and only a newer one replaces it.
  `CREATE TABLE day_config (
     singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
     product_id TEXT NOT NULL,
     day        TEXT NOT NULL CHECK (length(day) = 8),
     stock      INTEGER NOT NULL CHECK (stock >= 0),
     version    INTEGER NOT NULL)`,
  `CREATE TABLE slots (
     slot_index   INTEGER PRIMARY KEY,
     start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
     end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
     capacity     INTEGER NOT NULL CHECK (capacity >= 0),
     CHECK (start_minute < end_minute))`,
  // One row per order: 'held' until paid (→ 'sold') or expired/cancelled
  // (→ 'released'). Held and sold rows are the day's usage; a held row past
  // `expires_at_ms` still counts until D1 says what became of its order.
  `CREATE TABLE holds (
     order_id      TEXT PRIMARY KEY,
     quantity      INTEGER NOT NULL CHECK (quantity >= 1),
     slot_index    INTEGER,
     state         TEXT NOT NULL CHECK (state IN ('held','sold','released')),
     expires_at_ms INTEGER NOT NULL,
     created_at_ms INTEGER NOT NULL,
     decided_at_ms INTEGER,
     CHECK ((state = 'held') = (decided_at_ms IS NULL)))`,
  `CREATE INDEX holds_usage ON holds (state, slot_index, quantity)`,
  `CREATE INDEX holds_by_expiry ON holds (expires_at_ms) WHERE state = 'held'`,
  // Seats of live (held or sold) holds only; the primary key is the last
  // guard against selling a seat twice. slot_key = slot index, 0 without slots.
  `CREATE TABLE seats (
     slot_key INTEGER NOT NULL,
     seat_id  TEXT NOT NULL,
     order_id TEXT NOT NULL REFERENCES holds (order_id),
     PRIMARY KEY (slot_key, seat_id))`,
  `CREATE INDEX seats_by_order ON seats (order_id)`,
];

// Version 2: running totals of held and sold units per slot, kept in the
// same transaction as every hold change, so a stock decision reads a few
// rows instead of summing every hold of the day (issue 7: a day with 30,000
// orders made every check scan 30,000 rows). slot_key = slot index, -1 for
// holds without a slot.
export const INVENTORY_SCHEMA_V2 = [
  `CREATE TABLE usage_totals (
     state    TEXT NOT NULL CHECK (state IN ('held','sold')),
     slot_key INTEGER NOT NULL,
     units    INTEGER NOT NULL CHECK (units >= 0),
     PRIMARY KEY (state, slot_key))`,
  `INSERT INTO usage_totals (state, slot_key, units)
     SELECT state, coalesce(slot_index, -1), SUM(quantity) FROM holds WHERE state IN ('held','sold') GROUP BY state, coalesce(slot_index, -1)`,
];

// Version 3: the units each live hold (held or sold) takes per ID number
// and per mobile, so the daily purchase limits (SPEC §5.5; this object is
// one product and day, exactly their scope) are decided in the hold's own
// transaction: concurrent adds cannot both pass on the same count. Rows go
// with their hold's release, like seats. Holds written before version 3 have
// none: D1's count of live orders, which Add also checks, covers them.
export const INVENTORY_SCHEMA_V3 = [
  `CREATE TABLE hold_buyers (
     kind     TEXT NOT NULL CHECK (kind IN ('id','mobile')),
     buyer    TEXT NOT NULL,
     order_id TEXT NOT NULL REFERENCES holds (order_id),
     units    INTEGER NOT NULL CHECK (units >= 1),
     PRIMARY KEY (kind, buyer, order_id))`,
  `CREATE INDEX hold_buyers_by_order ON hold_buyers (order_id)`,
];

// Version 4 (SPEC §10): refunded tickets give their units back. A sold hold
// keeps its quantity and counts `returned` units less; each refund's return
// is recorded once (hold_returns), so a repeated return changes nothing.
export const INVENTORY_SCHEMA_V4 = [
  `ALTER TABLE holds ADD COLUMN returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0)`,
  `CREATE TABLE hold_returns (
     refund_id      TEXT PRIMARY KEY,
     order_id       TEXT NOT NULL REFERENCES holds (order_id),
     units          INTEGER NOT NULL CHECK (units >= 1),
     returned_at_ms INTEGER NOT NULL)`,
];

// Version 5 (SPEC §10 Order/ChangeDate): an order moving here from another
// day holds under its date change's id, remembering the day and hold key it
// leaves. Once the hold is sold (D1 committed the change) the old hold is
// owed its release: move_out 'due' until the old day's object has released
// it ('done'), retried by the alarm. Other holds keep NULL.
export const INVENTORY_SCHEMA_V5 = [
  `ALTER TABLE holds ADD COLUMN moved_from_day TEXT`,
  `ALTER TABLE holds ADD COLUMN moved_from_key TEXT`,
  `ALTER TABLE holds ADD COLUMN move_out TEXT CHECK (move_out IS NULL OR (move_out IN ('due','done') AND moved_from_key IS NOT NULL))`,
  `CREATE INDEX holds_move_out_due ON holds (order_id) WHERE move_out = 'due'`,
];

// Version 6 (SPEC §12, the calendar in bulk): a configuration prepared by a
// bulk PUT, waiting for the call's decision (D1 calendar_bulk_decisions).
// While it waits, a hold must fit it as well as the day's current
// configuration, so that applying it can never be refused (below what is
// sold and held); it is applied or dropped when the coordinator says, or by
// the alarm at expires_at_ms from D1's decision.
export const INVENTORY_SCHEMA_V6 = [
  `CREATE TABLE pending_configs (
     token          TEXT PRIMARY KEY,
     product_id     TEXT NOT NULL,
     day            TEXT NOT NULL CHECK (length(day) = 8),
     stock          INTEGER NOT NULL CHECK (stock >= 0),
     timeslots_json TEXT,
     version        INTEGER NOT NULL,
     expires_at_ms  INTEGER NOT NULL)`,
];

// Version 7 (issue 19, retention): released holds are purged some days after
// their release (domain/retention.ts), oldest first, with the refund
// returns that name them; both are found by index, not by reading the day.
export const INVENTORY_SCHEMA_V7 = [
  `CREATE INDEX holds_released_by_time ON holds (decided_at_ms) WHERE state = 'released'`,
  `CREATE INDEX hold_returns_by_order ON hold_returns (order_id)`,
];

// Version 8 (issue 19): holds_usage goes. Since version 2 no decision
// reads it (usage_totals does), yet every hold and every state change wrote
// an entry of it; what still groups holds by state is an audit (tests, the
// simulation's auditor) and retention's pass over a day gone by, both
// reading the day anyway.
export const INVENTORY_SCHEMA_V8 = [`DROP INDEX IF EXISTS holds_usage`];

export const INVENTORY_MIGRATIONS: readonly (readonly string[])[] = [
  INVENTORY_SCHEMA_V1,
  INVENTORY_SCHEMA_V2,
  INVENTORY_SCHEMA_V3,
  INVENTORY_SCHEMA_V4,
  INVENTORY_SCHEMA_V5,
  INVENTORY_SCHEMA_V6,
  INVENTORY_SCHEMA_V7,
  INVENTORY_SCHEMA_V8,
];
