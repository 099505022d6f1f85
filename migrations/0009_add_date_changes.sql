-- Moving a paid order to another day (SPEC §10 Order/ChangeDate).
-- 0001–0008 stay as they were.

-- The key of the order's stock hold in its product-days' InventoryDOs: the
-- order id until its first date change, then that change's id. A refund, a
-- gate check and the next change are guarded by it: of a change and any of
-- them, D1 commits exactly one.
ALTER TABLE orders ADD COLUMN hold_key TEXT;

-- One row per attempt, its decision recorded first (the payment's pattern,
-- migration 0006): 'commit' moved the order, 'void' changed nothing. A
-- change id fenced in order_fences (its hold settled as never committed)
-- can never commit. The new day's InventoryDO asks here what became of the
-- hold it keeps under change_id.
CREATE TABLE order_date_changes (
  change_id      TEXT PRIMARY KEY,
  order_id       TEXT NOT NULL REFERENCES orders (order_id),
  from_hold_key  TEXT NOT NULL,
  from_date      TEXT NOT NULL,
  from_timespan  INTEGER,
  to_date        TEXT NOT NULL,
  to_timespan    INTEGER,
  outcome        TEXT NOT NULL CHECK (outcome IN ('commit', 'void')),
  decided_at_ms  INTEGER NOT NULL
);
CREATE INDEX order_date_changes_by_order ON order_date_changes (order_id, decided_at_ms);
