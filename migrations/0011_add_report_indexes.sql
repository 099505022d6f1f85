-- The operators' order lists, their CSV export and the dashboard (SPEC §12)
-- read only indexed ranges: a page of orders is the next `limit` entries of
-- one index from the last page's key (created_at_ms, order_id), whatever the
-- filter, and the dashboard reads one window of paid orders. 0001–0010 stay
-- as they were.

-- Newest first under each filter: the filter, then the page key. The two
-- older indexes of 0001 become these (they served only their leading columns).
DROP INDEX orders_by_customer;
CREATE INDEX orders_by_customer ON orders (dwid, created_at_ms, order_id);
DROP INDEX orders_by_effect_date;
CREATE INDEX orders_by_effect_date ON orders (effect_date, created_at_ms, order_id);
CREATE INDEX orders_by_status ON orders (status, created_at_ms, order_id);
CREATE INDEX orders_by_created ON orders (created_at_ms, order_id);
-- `q` by senderid prefix (an order id prefix reads the primary key).
CREATE INDEX orders_by_sender ON orders (sender_id) WHERE sender_id IS NOT NULL;
-- The dashboard's window of paid orders, by the instant they were paid.
CREATE INDEX orders_by_paid ON orders (paid_at_ms) WHERE paid_at_ms IS NOT NULL;
