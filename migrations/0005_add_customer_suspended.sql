-- SPEC §11: an operator may suspend a customer (PUT /admin/customers/{dwid}
-- {suspended}). The customer's AccountDO holds the standing and decides
-- logins and payments; this column is D1's copy of it, written by the same
-- PUT, so the customer lists can show and filter it.
ALTER TABLE customers ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));
