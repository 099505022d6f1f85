-- D1 schema: customers, catalogue, calendar, orders, tickets, POS bills,
-- payment decisions, notification outbox and the ledger copy.
-- Money is integer fen everywhere; dates are yyyyMMdd (Asia/Shanghai);
-- instants are Unix milliseconds. Balances live only in AccountDO.

CREATE TABLE customers (
  dwid          TEXT PRIMARY KEY CHECK (length(dwid) BETWEEN 1 AND 36),
  dwlx          TEXT NOT NULL CHECK (dwlx IN ('1','2','3','4','5','6','7')),
  name          TEXT NOT NULL,
  callback_url  TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX customers_by_name ON customers (name);

CREATE TABLE products (
  product_id               TEXT PRIMARY KEY CHECK (length(product_id) BETWEEN 1 AND 36),
  name                     TEXT NOT NULL,
  kind                     TEXT NOT NULL CHECK (kind IN ('ticket','yearcard','retail')),
  price_fen                INTEGER NOT NULL CHECK (price_fen >= 0),
  real_name                INTEGER NOT NULL DEFAULT 0 CHECK (real_name IN (0,1)),
  max_per_order            INTEGER CHECK (max_per_order > 0),
  limit_per_id_per_day     INTEGER CHECK (limit_per_id_per_day > 0),
  limit_per_mobile_per_day INTEGER CHECK (limit_per_mobile_per_day > 0),
  -- {mode, priceFen, count, planCode, planName, destZone, timeRange, holder}
  insurance_json           TEXT,
  on_sale                  INTEGER NOT NULL DEFAULT 1 CHECK (on_sale IN (0,1)),
  created_at_ms            INTEGER NOT NULL,
  updated_at_ms            INTEGER NOT NULL
);

-- Configured capacity per product and day; live held/sold counts are kept
-- by InventoryDO (one per product+day).
CREATE TABLE product_days (
  product_id     TEXT NOT NULL REFERENCES products (product_id),
  day            TEXT NOT NULL CHECK (length(day) = 8),
  stock          INTEGER NOT NULL CHECK (stock >= 0),
  price_fen      INTEGER CHECK (price_fen >= 0),
  -- [{index, start, end, capacity}]
  timeslots_json TEXT,
  updated_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (product_id, day)
);

CREATE TABLE orders (
  order_id          TEXT PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 20),
  dwid              TEXT NOT NULL,
  sender_id         TEXT,
  kind              TEXT NOT NULL CHECK (kind IN ('ticket','yearcard')),
  status            TEXT NOT NULL CHECK (status IN ('unpaid','paid','expired','cancelled')),
  effect_date       TEXT NOT NULL CHECK (length(effect_date) = 8),
  timespan_index    INTEGER,
  amount_fen        INTEGER NOT NULL CHECK (amount_fen >= 0),
  mobile            TEXT NOT NULL,
  id_number         TEXT,
  request_json      TEXT NOT NULL,
  created_at_ms     INTEGER NOT NULL,
  expires_at_ms     INTEGER NOT NULL,
  -- set together by the payment batch
  payment_id        TEXT UNIQUE,
  paid_at_ms        INTEGER,
  business_date     TEXT,
  sell_station_id   TEXT,
  market_area_id    TEXT,
  team_type_code    TEXT,
  CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
  UNIQUE (dwid, sender_id)
);
CREATE INDEX orders_by_customer ON orders (dwid, created_at_ms);
CREATE INDEX orders_by_effect_date ON orders (effect_date);

CREATE TABLE order_items (
  order_id        TEXT NOT NULL REFERENCES orders (order_id),
  line_no         INTEGER NOT NULL CHECK (line_no >= 1),
  product_id      TEXT NOT NULL,
  quantity        INTEGER NOT NULL CHECK (quantity >= 1),
  unit_price_fen  INTEGER NOT NULL CHECK (unit_price_fen >= 0),
  amount_fen      INTEGER NOT NULL CHECK (amount_fen = unit_price_fen * quantity),
  fullname        TEXT,
  id_type         TEXT,
  id_number       TEXT,
  mobile          TEXT,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_items_by_product_day ON order_items (product_id);

CREATE TABLE tickets (
  ticket_code   TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders (order_id),
  line_no       INTEGER NOT NULL,
  product_id    TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('valid','used','refunded')),
  issued_at_ms  INTEGER NOT NULL
);
CREATE INDEX tickets_by_order ON tickets (order_id);

CREATE TABLE pos_bills (
  bill_num        TEXT PRIMARY KEY CHECK (length(bill_num) BETWEEN 1 AND 20),
  dwid            TEXT NOT NULL,
  sender_bill_num TEXT,
  status          TEXT NOT NULL CHECK (status IN ('unpaid','paid','cancelled')),
  amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
  rnd_code        TEXT CHECK (rnd_code IS NULL OR length(rnd_code) = 6),
  payment_id      TEXT UNIQUE,
  created_at_ms   INTEGER NOT NULL,
  paid_at_ms      INTEGER,
  CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
  UNIQUE (dwid, sender_bill_num)
);
CREATE INDEX pos_bills_by_customer ON pos_bills (dwid, created_at_ms);

CREATE TABLE pos_bill_items (
  bill_num        TEXT NOT NULL REFERENCES pos_bills (bill_num),
  line_no         INTEGER NOT NULL CHECK (line_no >= 1),
  product_id      TEXT NOT NULL,
  quantity        INTEGER NOT NULL CHECK (quantity >= 1),
  unit_price_fen  INTEGER NOT NULL CHECK (unit_price_fen >= 0),
  amount_fen      INTEGER NOT NULL CHECK (amount_fen = unit_price_fen * quantity),
  PRIMARY KEY (bill_num, line_no)
);

-- The decision record of every payment attempt (SPEC §6). The pay batch
-- inserts 'commit' only when it marked the target paid; recovery inserts
-- 'void' first when it finds no decision, which fences a late batch out.
-- Committed rows are also D1's copy of the posted debits.
CREATE TABLE payments (
  intent_id       TEXT PRIMARY KEY,
  dwid            TEXT NOT NULL,
  target_kind     TEXT NOT NULL CHECK (target_kind IN ('order','bill')),
  target_id       TEXT NOT NULL,
  amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
  outcome         TEXT NOT NULL CHECK (outcome IN ('commit','void')),
  decided_at_ms   INTEGER NOT NULL
);
CREATE INDEX payments_by_customer ON payments (dwid, decided_at_ms);
CREATE UNIQUE INDEX payments_one_commit_per_target ON payments (target_kind, target_id) WHERE outcome = 'commit';

CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('order_paid','bill_paid')),
  dwid            TEXT NOT NULL,
  target_id       TEXT NOT NULL,
  payload_json    TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending','enqueued','sent','failed','dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX outbox_by_status ON outbox (status, created_at_ms);

-- Copy of every AccountDO ledger entry, for reports; the object is the
-- authority and re-copies what is missing.
CREATE TABLE ledger_copy (
  dwid              TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('deposit','debit','refund')),
  amount_fen        INTEGER NOT NULL CHECK (amount_fen >= 0),
  balance_after_fen INTEGER NOT NULL,
  reference         TEXT NOT NULL,
  created_at_ms     INTEGER NOT NULL,
  PRIMARY KEY (dwid, seq)
);
