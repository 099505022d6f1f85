-- Reliability issue f: an order insert whose reply was lost, or that lands
-- late, must not outlive the release of its stock. 0001–0003 stay as they were.

-- One row per order id that an InventoryDO's release or alarm (or the
-- Worker, after a failed insert) found missing from `orders`, written in the
-- same batch as that fate read. The order insert inserts nothing while a
-- fence for its id exists, and D1 runs writes one at a time: either the
-- insert landed first and the fate read saw the order (its hold stays), or
-- the fence came first and the order can never exist (its hold is released).
-- Order ids are never reused, so a fence is never lifted.
CREATE TABLE order_fences (
  order_id     TEXT PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 20),
  fenced_at_ms INTEGER NOT NULL
);
