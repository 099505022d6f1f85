/**
 * Bench-only bulk loading and inspection of the objects (issue 19, the
 * growth scenario of `npm run bench`): refused unless BENCH_PRELOAD is
 * "on", which only the bench sets. Rows are written as the objects write
 * them, in bulk — one recursive statement per table — so the scenario starts
 * from the store a year of sales leaves: a customer with a long ledger, a
 * product-day with many holds, live and released.
 */
import type { ConfigVars } from "../config";

export function preloadOn(env: Pick<ConfigVars, "BENCH_PRELOAD">): boolean {
  return env.BENCH_PRELOAD === "on";
}

export function assertPreload(env: Pick<ConfigVars, "BENCH_PRELOAD">): void {
  if (!preloadOn(env)) throw new Error("bench preload is off (BENCH_PRELOAD)");
}

/** Order ids as the bench's D1 preload writes them: 'G' and 19 digits of start + k × step. */
export interface OrderIds {
  start: number;
  step: number;
}

const orderIdSql = (k: string) => `printf('G%019d', ?start + ${k} * ?step)`;

/** A series 0…count−1 for INSERT … SELECT (SQLite's recursive CTE). */
const series = (count: number) => `WITH RECURSIVE n(k) AS (SELECT 0 WHERE ${count} > 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < ${count})`;

export interface AccountPreload {
  /** Debits (one paid order each) after one opening deposit, each with its posted intent. */
  debits: number;
  /** The orders they paid (D1's preload). */
  orders: OrderIds;
  /** When the intents were placed, the first of them; one millisecond apart. */
  firstAtMs: number;
}

export function preloadAccount(storage: DurableObjectStorage, sql: SqlStorage, p: AccountPreload): void {
  const amountFen = 100;
  const depositFen = p.debits * amountFen + 100_000_00;
  const bind = (text: string) => text.replace(/\?start/g, String(p.orders.start)).replace(/\?step/g, String(p.orders.step));
  storage.transactionSync(() => {
    const totals = sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals WHERE singleton = 1").one();
    const opening = totals.balance_fen + depositFen;
    sql.exec(
      "INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms) VALUES ('deposit', ?, ?, ?, NULL, ?)",
      depositFen, opening, `bench-preload-${p.firstAtMs}`, p.firstAtMs - 1,
    );
    sql.exec(
      bind(`${series(p.debits)}
       INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms)
       SELECT 'debit', ${amountFen}, ${opening} - ${amountFen} * (k + 1), 'pre-' || ${orderIdSql("k")}, 'order:' || ${orderIdSql("k")}, ${p.firstAtMs} + k FROM n`),
    );
    // History comes first in rowid order, as it would have (account-retention.ts meets intents by rowid):
    // below every rowid the object gave its own intents.
    const lowest = sql.exec<{ r: number | null }>("SELECT min(rowid) AS r FROM intents").one().r ?? 1;
    sql.exec(
      bind(`${series(p.debits)}
       INSERT INTO intents (rowid, intent_id, target_kind, target_id, amount_fen, state, request_id, created_at_ms, decided_at_ms, detail_json)
       SELECT ${Math.min(lowest, 1)} - ${p.debits} + k, 'pre-' || ${orderIdSql("k")}, 'order', ${orderIdSql("k")}, ${amountFen}, 'posted', 'pre-request-' || k,
         ${p.firstAtMs} + k, ${p.firstAtMs} + k, NULL FROM n`),
    );
    sql.exec("UPDATE totals SET balance_fen = ? WHERE singleton = 1", opening - amountFen * p.debits);
    // D1's copy of these rows is not the bench's subject: the cursor passes them.
    sql.exec("UPDATE ledger_copy_cursor SET copied_through = (SELECT max(seq) FROM ledger)");
  });
}

export function accountSizes(sql: SqlStorage): Record<string, number> {
  const count = (table: string) => sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
  return { ledger: count("ledger"), intents: count("intents"), sessions: count("sessions"), refundIntents: count("refund_intents") };
}

export interface InventoryPreload {
  /** Sold holds of the day's paid orders (D1's preload). */
  sold: number;
  soldOrders: OrderIds;
  /** Held holds of orders still within their time, expiring at `heldUntilMs`. */
  held: number;
  heldUntilMs: number;
  /** Released holds (expired or cancelled orders), released at `releasedAtMs`. */
  released: number;
  releasedAtMs: number;
}

/** Holds as InventoryStore writes them, and the usage totals kept in step; a day without slots. */
export function preloadInventory(storage: DurableObjectStorage, sql: SqlStorage, p: InventoryPreload, nowMs: number): void {
  const bind = (text: string) => text.replace(/\?start/g, String(p.soldOrders.start)).replace(/\?step/g, String(p.soldOrders.step));
  storage.transactionSync(() => {
    sql.exec(
      bind(`${series(p.sold)}
       INSERT INTO holds (order_id, quantity, slot_index, state, expires_at_ms, created_at_ms, decided_at_ms)
       SELECT ${orderIdSql("k")}, 1, NULL, 'sold', ${nowMs}, ${nowMs}, ${nowMs} FROM n`),
    );
    sql.exec(`${series(p.held)}
       INSERT INTO holds (order_id, quantity, slot_index, state, expires_at_ms, created_at_ms, decided_at_ms)
       SELECT printf('H%019d', k), 1, NULL, 'held', ${p.heldUntilMs}, ${nowMs}, NULL FROM n`);
    sql.exec(`${series(p.released)}
       INSERT INTO holds (order_id, quantity, slot_index, state, expires_at_ms, created_at_ms, decided_at_ms)
       SELECT printf('X%019d', k), 1, NULL, 'released', ${p.releasedAtMs}, ${p.releasedAtMs}, ${p.releasedAtMs} FROM n`);
    for (const [state, units] of [["sold", p.sold], ["held", p.held]] as const) {
      if (units === 0) continue;
      sql.exec(
        `INSERT INTO usage_totals (state, slot_key, units) VALUES (?, -1, ?) ON CONFLICT (state, slot_key) DO UPDATE SET units = units + excluded.units`,
        state, units,
      );
    }
  });
}

export function inventorySizes(sql: SqlStorage): Record<string, number> {
  const rows = sql.exec<{ state: string; n: number }>("SELECT state, count(*) AS n FROM holds GROUP BY state").toArray();
  const by = Object.fromEntries(rows.map((r) => [r.state, r.n]));
  const count = (table: string) => sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
  return { held: by.held ?? 0, sold: by.sold ?? 0, released: by.released ?? 0, holdBuyers: count("hold_buyers"), seats: count("seats"), holdReturns: count("hold_returns") };
}
