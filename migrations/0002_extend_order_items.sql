-- Orders issue (#3): what each order line is, and indexes for the daily
-- purchase limits (SPEC §5.5). 0001 stays as it was.

-- 'ticket': one ticket per unit is issued when the order is paid.
-- 'insurance': an annual card's insurance (SPEC §5.3), product_id = the card,
-- quantity = InsuranceCount, unit_price_fen = the insurance price; it makes
-- Σ order_items.amount_fen = orders.amount_fen hold and issues no ticket.
ALTER TABLE order_items ADD COLUMN item_kind TEXT NOT NULL DEFAULT 'ticket'
  CHECK (item_kind IN ('ticket','insurance'));
-- The time slot InventoryDO placed this line's product in (timespanindex -1
-- resolves per product); NULL when the day has no slots.
ALTER TABLE order_items ADD COLUMN timespan_index INTEGER;
-- Seats held for this line: JSON array of seat ids, NULL without seats.
ALTER TABLE order_items ADD COLUMN seats_json TEXT;

-- Per ID number / per mobile, per product and day (joined to orders.effect_date).
CREATE INDEX order_items_by_id_number ON order_items (id_number, product_id);
CREATE INDEX order_items_by_mobile ON order_items (mobile, product_id);
