/**
 * What the stores hold, read from the stores themselves: D1, each AccountDO's
 * SQLite and each InventoryDO's SQLite (inside the object, through
 * `runInDurableObject`, so each object is read in one synchronous turn).
 *
 * Read order D1 → objects → D1 again. Money moves D1-first (the pay batch
 * commits before the AccountDO posts; a hold turns sold only once D1 says
 * paid), so what the first D1 read shows must already be reflected in the
 * objects read after it, and what the objects show must be in the second D1
 * read. The auditor checks each direction against the read that makes it
 * exact while requests and alarms may still be running.
 */
import { env } from "cloudflare:workers";
import { testClock } from "../../src/clock";
import type { World } from "./driver";
import { accountStub, inside, inventoryStub } from "./fault-actions";
import type { ProductKey } from "./workload";

export interface OrderRow {
  order_id: string;
  dwid: string;
  sender_id: string | null;
  kind: string;
  status: string;
  effect_date: string;
  amount_fen: number;
  expires_at_ms: number;
  payment_id: string | null;
  refunded_fen: number;
  refunded_units: number;
  /** The key of its stock holds: the order id, or its last committed date change's id (SPEC §10 ChangeDate). */
  hold_key: string | null;
}

export interface TicketRow {
  order_id: string;
  ticket_code: string;
  product_id: string;
  status: string;
  refund_id: string | null;
  /** The gate's side (SPEC §10 核销): when, where and under which scan id the ticket was admitted. */
  used_at_ms: number | null;
  used_gate_id: string | null;
  check_id: string | null;
}

export interface D1View {
  orders: Map<string, OrderRow>;
  items: Map<string, { product_id: string; quantity: number; item_kind: string; unit_price_fen: number; amount_fen: number; timespan_index: number | null }[]>;
  /** By order id; `ticketByCode` the same rows by ticket code. */
  tickets: Map<string, TicketRow[]>;
  ticketByCode: Map<string, TicketRow>;
  bills: Map<string, { bill_num: string; dwid: string; sender_bill_num: string | null; status: string; amount_fen: number; payment_id: string | null; rnd_code: string | null; items_fen: number }>;
  payments: { intent_id: string; dwid: string; target_kind: string; target_id: string; amount_fen: number; outcome: string }[];
  refunds: { intent_id: string; dwid: string; refund_no: string; order_id: string; amount_fen: number; tickets: string[]; outcome: string }[];
  /** Every outbox row of the world's customers (order_paid, bill_paid, order_refunded, order_resent, ticket_used). */
  outbox: { id: string; kind: string; dwid: string; target_id: string; created_at_ms: number }[];
  /** Every date change decided (order_date_changes): 'commit' moved the order, 'void' changed nothing. */
  dateChanges: { change_id: string; order_id: string; from_hold_key: string; from_date: string; to_date: string; to_timespan: number | null; outcome: string }[];
  ledgerCopy: { dwid: string; seq: number; kind: string; amount_fen: number; balance_after_fen: number; reference: string }[];
  productDays: Map<string, { stock: number; timeslots: { index: number; capacity: number }[] | null }>;
}

export interface AccountView {
  c: number;
  dwid: string;
  balanceFen: number;
  heldFen: number;
  ledger: { seq: number; kind: string; amount_fen: number; balance_after_fen: number; reference: string; target: string | null; copied: number }[];
  intents: { intent_id: string; target_kind: string; target_id: string; amount_fen: number; state: string }[];
  refundIntents: { intent_id: string; refund_no: string; order_id: string; amount_fen: number; tickets: string[]; state: string; stock_returned: number }[];
  payFailuresInWindow: number;
  alarmAtMs: number | null;
}

export interface HoldView {
  order_id: string;
  quantity: number;
  slot_index: number | null;
  state: "held" | "sold" | "released";
  expires_at_ms: number;
  /** Units refunds gave back (the hold counts quantity − returned). */
  returned: number;
  /** A date change's hold: the hold it leaves, and whether that one's release is still owed ('due') or done. */
  moved_from_key: string | null;
  move_out: "due" | "done" | null;
}

export interface InventoryView {
  p: ProductKey;
  productId: string;
  date: string;
  stock: number | null;
  slots: { slot_index: number; capacity: number }[];
  holds: HoldView[];
  /** usage_totals rows with units ≠ 0: state → slot key (-1 = the day) → units. */
  totals: { state: string; slot_key: number; units: number }[];
  /** What the object answers as its snapshot (InventoryDO.snapshot()). */
  reported: { stock: number; held: number; sold: number; available: number; slots: { index: number; capacity: number; held: number; sold: number; available: number }[] };
  alarmAtMs: number | null;
}

export interface Snapshot {
  d1Before: D1View;
  accounts: AccountView[];
  inventories: InventoryView[];
  d1After: D1View;
  nowMs: number;
}

export async function takeSnapshot(world: World, lockoutWindowMs: number): Promise<Snapshot> {
  const d1Before = await readD1(world);
  const accounts = await Promise.all(world.customers.map((c) => readAccount(world, c.index, lockoutWindowMs)));
  const inventories = await Promise.all(world.productDays().map((pd) => readInventory(world, pd.p, pd.date)));
  const d1After = await readD1(world);
  return { d1Before, accounts, inventories, d1After, nowMs: testClock.nowMs() };
}

async function readD1(world: World): Promise<D1View> {
  const dwids = JSON.stringify(world.customers.map((c) => c.dwid));
  const products = JSON.stringify(Object.values(world.productIds));
  const mine = "(SELECT value FROM json_each(?1))";
  const [orders, items, tickets, bills, payments, outbox, ledgerCopy, days, refunds, dateChanges] = await env.DB.batch<any>([
    env.DB.prepare(
      `SELECT order_id, dwid, sender_id, kind, status, effect_date, amount_fen, expires_at_ms, payment_id, refunded_fen, refunded_units, hold_key FROM orders WHERE dwid IN ${mine}`,
    ).bind(dwids),
    env.DB.prepare(
      `SELECT i.order_id, i.product_id, i.quantity, i.item_kind, i.unit_price_fen, i.amount_fen, i.timespan_index
       FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE o.dwid IN ${mine} ORDER BY i.order_id, i.line_no`,
    ).bind(dwids),
    env.DB.prepare(
      `SELECT t.order_id, t.ticket_code, t.product_id, t.status, t.refund_id, t.used_at_ms, t.used_gate_id, t.check_id
       FROM tickets t JOIN orders o ON o.order_id = t.order_id WHERE o.dwid IN ${mine}`,
    ).bind(dwids),
    env.DB.prepare(
      `SELECT b.bill_num, b.dwid, b.sender_bill_num, b.status, b.amount_fen, b.payment_id, b.rnd_code,
         (SELECT coalesce(sum(amount_fen), 0) FROM pos_bill_items i WHERE i.bill_num = b.bill_num) AS items_fen
       FROM pos_bills b WHERE b.dwid IN ${mine}`,
    ).bind(dwids),
    env.DB.prepare(`SELECT intent_id, dwid, target_kind, target_id, amount_fen, outcome FROM payments WHERE dwid IN ${mine}`).bind(dwids),
    env.DB.prepare(`SELECT id, kind, dwid, target_id, created_at_ms FROM outbox WHERE dwid IN ${mine}`).bind(dwids),
    env.DB.prepare(`SELECT dwid, seq, kind, amount_fen, balance_after_fen, reference FROM ledger_copy WHERE dwid IN ${mine} ORDER BY dwid, seq`).bind(dwids),
    env.DB.prepare(`SELECT product_id, day, stock, timeslots_json FROM product_days WHERE product_id IN ${mine}`).bind(products),
    env.DB.prepare(`SELECT intent_id, dwid, refund_no, order_id, amount_fen, tickets_json, outcome FROM refunds WHERE dwid IN ${mine}`).bind(dwids),
    env.DB.prepare(
      `SELECT c.change_id, c.order_id, c.from_hold_key, c.from_date, c.to_date, c.to_timespan, c.outcome
       FROM order_date_changes c JOIN orders o ON o.order_id = c.order_id WHERE o.dwid IN ${mine} ORDER BY c.decided_at_ms, c.change_id`,
    ).bind(dwids),
  ]);
  const view: D1View = {
    orders: new Map(orders!.results.map((o: OrderRow) => [o.order_id, o])),
    items: new Map(),
    tickets: new Map(),
    ticketByCode: new Map(tickets!.results.map((t: TicketRow) => [t.ticket_code, t])),
    bills: new Map(bills!.results.map((b: any) => [b.bill_num, b])),
    payments: payments!.results,
    refunds: refunds!.results.map((r: any) => ({ ...r, tickets: JSON.parse(r.tickets_json) })),
    outbox: outbox!.results,
    dateChanges: dateChanges!.results,
    ledgerCopy: ledgerCopy!.results,
    productDays: new Map(
      days!.results.map((d: any) => [`${d.product_id}:${d.day}`, { stock: d.stock, timeslots: d.timeslots_json ? JSON.parse(d.timeslots_json) : null }]),
    ),
  };
  for (const i of items!.results) push(view.items, i.order_id, i);
  for (const t of tickets!.results) push(view.tickets, t.order_id, t);
  return view;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

async function readAccount(world: World, c: number, lockoutWindowMs: number): Promise<AccountView> {
  return inside(accountStub(world, c), async (_instance, state) => {
    const alarmAtMs = await state.storage.getAlarm();
    // From here on synchronous: one consistent view of the object.
    const sql = state.storage.sql;
    const totals = sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals WHERE singleton = 1").one();
    return {
      c,
      dwid: world.customers[c]!.dwid,
      balanceFen: totals.balance_fen,
      heldFen: totals.held_fen,
      ledger: sql.exec(`SELECT seq, kind, amount_fen, balance_after_fen, reference, target,
                 CASE WHEN seq <= (SELECT copied_through FROM ledger_copy_cursor) THEN 1 ELSE 0 END AS copied
               FROM ledger ORDER BY seq`).toArray() as any,
      intents: sql.exec("SELECT intent_id, target_kind, target_id, amount_fen, state FROM intents").toArray() as any,
      refundIntents: sql
        .exec("SELECT intent_id, refund_no, order_id, amount_fen, tickets_json, state, stock_returned FROM refund_intents")
        .toArray()
        .map((r: any) => ({ ...r, tickets: JSON.parse(r.tickets_json) })) as any,
      payFailuresInWindow: sql.exec<{ n: number }>("SELECT count(*) AS n FROM pay_failures WHERE at_ms > ?", testClock.nowMs() - lockoutWindowMs).one().n,
      alarmAtMs,
    };
  });
}

async function readInventory(world: World, p: ProductKey, date: string): Promise<InventoryView> {
  return inside(inventoryStub(world, p, date), async (instance, state) => {
    const alarmAtMs = await state.storage.getAlarm();
    const sql = state.storage.sql;
    const config = sql.exec<{ stock: number }>("SELECT stock FROM day_config").toArray()[0];
    const reported = await instance.snapshot();
    return {
      p,
      productId: world.productIds[p],
      date,
      stock: config?.stock ?? null,
      slots: sql.exec("SELECT slot_index, capacity FROM slots ORDER BY slot_index").toArray() as any,
      holds: sql.exec("SELECT order_id, quantity, slot_index, state, expires_at_ms, returned, moved_from_key, move_out FROM holds").toArray() as any,
      totals: sql.exec("SELECT state, slot_key, units FROM usage_totals WHERE units != 0").toArray() as any,
      reported,
      alarmAtMs,
    };
  });
}
