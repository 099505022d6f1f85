-- The calendar in bulk (SPEC §12): one PUT sets many days of a product, all
-- or nothing. 0001–0009 stay as they were.

-- The decision record of every bulk call, as `payments` is of pays. The
-- call first prepares each day's InventoryDO (each reserves the new stock,
-- so applying it can never be refused), then ONE batch inserts 'committed'
-- and writes every day's product_days row under it. An object whose call
-- went quiet asks here when its reservation expires: it inserts 'aborted'
-- when it finds no decision, which fences out a batch still on its way (the
-- rows are written only under 'committed'). D1 runs writes one at a time, so
-- either every day of the call is written or none is.
CREATE TABLE calendar_bulk_decisions (
  token          TEXT PRIMARY KEY,
  product_id     TEXT NOT NULL,
  decision       TEXT NOT NULL CHECK (decision IN ('committed', 'aborted')),
  -- the days the call set (0 when aborted by an object)
  days           INTEGER NOT NULL CHECK (days >= 0),
  decided_at_ms  INTEGER NOT NULL
);
