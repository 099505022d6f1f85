-- Issue 19: no statement reads a table that grows with sales whole
-- (test/db/statement-plans.test.ts holds every statement of src/db/ to it).
-- The operators' lists page newest first by a key (time, id): each page is
-- one range of an index (filter, time, id), never a scan and a sort.
-- 0001–0012 stay as they were. This file must run after every migration
-- that rebuilds `outbox` (0006–0008 and 0012 here; a rebuild recreates its indexes).

-- POS bills, per customer and all of them.
DROP INDEX pos_bills_by_customer;
CREATE INDEX pos_bills_by_customer ON pos_bills (dwid, created_at_ms, bill_num);
CREATE INDEX pos_bills_by_created ON pos_bills (created_at_ms, bill_num);

-- Notifications by status (the sweep's 'pending' range is still its prefix).
DROP INDEX outbox_by_status;
CREATE INDEX outbox_by_status ON outbox (status, created_at_ms, id);

-- Committed refunds per customer (refunds_by_time serves the list of all).
DROP INDEX refunds_by_customer;
CREATE INDEX refunds_by_customer ON refunds (dwid, decided_at_ms, intent_id);

-- Read by no statement (each order line's product is reached through its
-- order): one row written less per order line.
DROP INDEX order_items_by_product_day;

-- Retention (src/queue/retention.ts): the days gone by, found once a day.
CREATE INDEX product_days_by_day ON product_days (day);
