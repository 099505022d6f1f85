/**
 * The money invariants of SPEC §6, checked from the stores themselves (the
 * customer's AccountDO SQLite and D1), never from answers:
 *  - balance = deposits − posted debits + refunds; held = Σ pending intents;
 *    available = balance − held ≥ 0;
 *  - every posted intent ⇔ a 'commit' decision in D1 ⇔ its target paid with
 *    that payment_id ⇔ its tickets (one per unit of its ticket lines) and one outbox row;
 *  - no target has more than one posted intent;
 *  - every paid bill has its posted debit, a 6-digit pickup code and an outbox row;
 *  - Σ posted debits = Σ amounts of the customer's paid orders and bills.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";

interface AccountState {
  balanceFen: number;
  heldFen: number;
  ledger: { kind: string; amount_fen: number; reference: string; target: string | null }[];
  intents: { intent_id: string; target_kind: string; target_id: string; amount_fen: number; state: string }[];
}

export async function accountState(dwid: string): Promise<AccountState> {
  const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const totals = sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals").one();
    return {
      balanceFen: totals.balance_fen,
      heldFen: totals.held_fen,
      ledger: sql.exec("SELECT kind, amount_fen, reference, target FROM ledger ORDER BY seq").toArray() as AccountState["ledger"],
      intents: sql.exec("SELECT intent_id, target_kind, target_id, amount_fen, state FROM intents").toArray() as AccountState["intents"],
    };
  });
}

export async function expectMoneyInvariants(dwid: string, options: { allowPending?: boolean } = {}): Promise<AccountState> {
  const s = await accountState(dwid);
  const sum = (kind: string) => s.ledger.filter((e) => e.kind === kind).reduce((n, e) => n + e.amount_fen, 0);
  expect(s.balanceFen, "balance = deposits − debits + refunds").toBe(sum("deposit") - sum("debit") + sum("refund"));
  const pending = s.intents.filter((i) => i.state === "pending");
  expect(s.heldFen, "held = Σ pending intents").toBe(pending.reduce((n, i) => n + i.amount_fen, 0));
  expect(s.balanceFen - s.heldFen, "available never negative").toBeGreaterThanOrEqual(0);
  if (!options.allowPending) expect(pending, "no payment left pending").toEqual([]);

  const posted = s.intents.filter((i) => i.state === "posted");
  const debits = s.ledger.filter((e) => e.kind === "debit");
  expect(debits.map((d) => d.reference).sort(), "one debit per posted intent").toEqual(posted.map((i) => i.intent_id).sort());
  const targets = posted.map((i) => `${i.target_kind}:${i.target_id}`);
  expect(new Set(targets).size, "no target debited twice").toBe(targets.length);

  const { results: commits } = await env.DB.prepare("SELECT intent_id FROM payments WHERE dwid = ? AND outcome = 'commit'")
    .bind(dwid)
    .all<{ intent_id: string }>();
  expect(commits.map((c) => c.intent_id).sort(), "D1 commits = posted intents").toEqual(posted.map((i) => i.intent_id).sort());

  const { results: paid } = await env.DB.prepare(
    `SELECT o.order_id, o.amount_fen, o.payment_id,
       (SELECT count(*) FROM tickets t WHERE t.order_id = o.order_id) AS tickets,
       (SELECT coalesce(sum(quantity), 0) FROM order_items i WHERE i.order_id = o.order_id AND i.item_kind = 'ticket') AS units,
       (SELECT count(*) FROM outbox b WHERE b.target_id = o.order_id AND b.kind = 'order_paid') AS outbox
     FROM orders o WHERE o.dwid = ? AND o.status = 'paid'`,
  )
    .bind(dwid)
    .all<{ order_id: string; amount_fen: number; payment_id: string; tickets: number; units: number; outbox: number }>();
  for (const order of paid) {
    const intent = posted.find((i) => i.intent_id === order.payment_id);
    expect(intent, `paid order ${order.order_id} has its posted debit`).toBeDefined();
    expect(intent!.amount_fen).toBe(order.amount_fen);
    expect(order.tickets, `order ${order.order_id}: one ticket per unit`).toBe(order.units);
    expect(order.outbox, `order ${order.order_id}: one outbox row`).toBe(1);
  }
  const { results: unpaidWithTickets } = await env.DB.prepare(
    "SELECT o.order_id FROM orders o JOIN tickets t ON t.order_id = o.order_id WHERE o.dwid = ? AND o.status != 'paid'",
  )
    .bind(dwid)
    .all();
  expect(unpaidWithTickets, "no tickets without payment").toEqual([]);
  const postedOrders = posted.filter((i) => i.target_kind === "order");
  expect(postedOrders.length, "every posted order intent has its paid order").toBe(paid.length);

  const { results: paidBills } = await env.DB.prepare(
    `SELECT b.bill_num, b.amount_fen, b.payment_id, b.rnd_code,
       (SELECT count(*) FROM outbox x WHERE x.target_id = b.bill_num AND x.kind = 'bill_paid') AS outbox
     FROM pos_bills b WHERE b.dwid = ? AND b.status = 'paid'`,
  )
    .bind(dwid)
    .all<{ bill_num: string; amount_fen: number; payment_id: string; rnd_code: string | null; outbox: number }>();
  for (const bill of paidBills) {
    const intent = posted.find((i) => i.intent_id === bill.payment_id);
    expect(intent, `paid bill ${bill.bill_num} has its posted debit`).toBeDefined();
    expect(intent!.amount_fen).toBe(bill.amount_fen);
    expect(bill.rnd_code, `bill ${bill.bill_num} has a 6-digit pickup code`).toMatch(/^\d{6}$/);
    expect(bill.outbox, `bill ${bill.bill_num}: one outbox row`).toBe(1);
  }
  expect(posted.filter((i) => i.target_kind === "bill").length, "every posted bill intent has its paid bill").toBe(paidBills.length);
  const paidTotal = paid.reduce((n, o) => n + o.amount_fen, 0) + paidBills.reduce((n, b) => n + b.amount_fen, 0);
  expect(sum("debit"), "Σ posted debits = Σ paid orders and bills").toBe(paidTotal);
  return s;
}
