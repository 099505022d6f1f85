/**
 * The auditor: SPEC §6 and the stock rules, checked from a snapshot of the
 * stores (snapshot.ts), and every answer a client received checked against
 * them. Returns the broken rules as sentences; the simulation fails on the
 * first step that has any.
 *
 * `phase: "step"` runs after every step, while background work (alarms,
 * the confirmations and notifications a payment leaves to waitUntil) may
 * still be moving: the checks are the ones true at every moment a client
 * can observe, with a payment allowed to sit between its D1 commit and its
 * post (intent 'pending'). `phase: "final"` runs after every fault is
 * disarmed, every order's hold time has passed and every alarm has drained:
 * nothing may be pending or held any more, and the totals must be equal.
 */
import { shanghaiDate } from "../../src/domain/dates";
import { ticketUsedOutboxId } from "../../src/domain/notifications";
import type { Answer, World } from "./driver";
import type { AccountView, D1View, InventoryView, Snapshot } from "./snapshot";

export type Phase = "step" | "final";

const ORDER_PAID_OUTBOX = (id: string) => `order-paid:${id}`;
const BILL_PAID_OUTBOX = (id: string) => `bill-paid:${id}`;

export function auditStores(world: World, snap: Snapshot, phase: Phase, lockoutMax: number): string[] {
  const broken: string[] = [];
  for (const a of snap.accounts) broken.push(...auditAccount(a, phase, lockoutMax));
  broken.push(...auditMoneyAcrossStores(snap, phase));
  broken.push(...auditTargets(snap.d1After));
  broken.push(...auditTickets(world, snap.d1After));
  broken.push(...auditDateChanges(snap.d1After));
  broken.push(...auditResends(snap.d1After));
  for (const inv of snap.inventories) broken.push(...auditInventory(inv, snap, phase));
  return broken;
}

// ---------------------------------------------------------------- one AccountDO

function auditAccount(a: AccountView, phase: Phase, lockoutMax: number): string[] {
  const broken: string[] = [];
  const who = `c${a.c} (${a.dwid})`;
  const sum = (kind: string) => a.ledger.filter((e) => e.kind === kind).reduce((n, e) => n + e.amount_fen, 0);
  const fromLedger = sum("deposit") - sum("debit") + sum("refund");
  if (a.balanceFen !== fromLedger) broken.push(`${who}: balance ${a.balanceFen} ≠ deposits − posted debits + refunds ${fromLedger}`);
  let running = 0;
  for (const e of a.ledger) {
    running += e.kind === "debit" ? -e.amount_fen : e.amount_fen;
    if (e.balance_after_fen !== running) broken.push(`${who}: ledger seq ${e.seq} balance_after ${e.balance_after_fen} ≠ running ${running}`);
  }
  const pending = a.intents.filter((i) => i.state === "pending");
  const heldFen = pending.reduce((n, i) => n + i.amount_fen, 0);
  if (a.heldFen !== heldFen) broken.push(`${who}: held ${a.heldFen} ≠ Σ active holds ${heldFen}`);
  if (a.heldFen < 0 || a.balanceFen - a.heldFen < 0) broken.push(`${who}: available ${a.balanceFen - a.heldFen} (balance ${a.balanceFen}, held ${a.heldFen}) is negative`);

  const posted = a.intents.filter((i) => i.state === "posted");
  const postedIds = new Set(posted.map((i) => i.intent_id));
  const debits = a.ledger.filter((e) => e.kind === "debit");
  const debitsOf = groupBy(debits, (d) => d.reference);
  for (const i of posted) {
    const own = debitsOf.get(i.intent_id) ?? [];
    if (own.length !== 1) broken.push(`${who}: posted intent ${i.intent_id} (${i.target_kind}:${i.target_id}) has ${own.length} debits`);
    else if (own[0]!.amount_fen !== i.amount_fen || own[0]!.target !== `${i.target_kind}:${i.target_id}`) {
      broken.push(`${who}: debit of intent ${i.intent_id} is ${own[0]!.amount_fen} for ${own[0]!.target}, intent says ${i.amount_fen} for ${i.target_kind}:${i.target_id}`);
    }
  }
  for (const d of debits) {
    if (!postedIds.has(d.reference)) broken.push(`${who}: debit seq ${d.seq} (${d.target}) has no posted intent`);
  }
  for (const [target, n] of counts(debits.map((d) => d.target ?? "?"))) if (n > 1) broken.push(`${who}: ${target} debited ${n} times`);

  // Refunds (SPEC §10): one credit per posted refund intent, of its amount, for its order; none for any other.
  const credits = a.ledger.filter((e) => e.kind === "refund");
  const creditsOf = groupBy(credits, (e) => e.reference);
  const postedRefunds = a.refundIntents.filter((r) => r.state === "posted");
  const postedRefundIds = new Set(postedRefunds.map((r) => r.intent_id));
  for (const r of postedRefunds) {
    const own = creditsOf.get(r.intent_id) ?? [];
    if (own.length !== 1 || own[0]!.amount_fen !== r.amount_fen || own[0]!.target !== `order:${r.order_id}`) {
      broken.push(`${who}: posted refund ${r.intent_id} (${r.refund_no}) has ${own.length} credits (${own.map((e) => `${e.amount_fen} for ${e.target}`).join(", ")}), expected ${r.amount_fen} for order:${r.order_id}`);
    }
  }
  for (const e of credits) if (!postedRefundIds.has(e.reference)) broken.push(`${who}: refund credit seq ${e.seq} has no posted refund intent`);
  for (const [number, n] of counts(a.refundIntents.filter((r) => r.state !== "voided").map((r) => r.refund_no))) {
    if (n > 1) broken.push(`${who}: refund number ${number} has ${n} live refunds`);
  }
  for (const [target, n] of counts(a.intents.filter((i) => i.state !== "voided").map((i) => `${i.target_kind}:${i.target_id}`))) {
    if (n > 1) broken.push(`${who}: ${target} has ${n} live intents`);
  }
  if (a.payFailuresInWindow > lockoutMax) broken.push(`${who}: ${a.payFailuresInWindow} pay-password failures counted in the window, more than the lockout's ${lockoutMax}`);

  if (phase === "final") {
    const openRefunds = a.refundIntents.filter((r) => r.state === "pending" || (r.state === "posted" && r.stock_returned === 0));
    if (openRefunds.length > 0) broken.push(`${who}: ${openRefunds.length} refunds still pending or with units not returned after every alarm drained`);
    if (pending.length > 0) broken.push(`${who}: ${pending.length} payments still pending after every alarm drained: ${pending.map((i) => i.intent_id).join(", ")}`);
    const uncopied = a.ledger.filter((e) => e.copied === 0).length;
    if (uncopied > 0) broken.push(`${who}: ${uncopied} ledger entries never copied to D1`);
  }
  return broken;
}

// ---------------------------------------------------------------- money across the AccountDOs and D1

function auditMoneyAcrossStores(snap: Snapshot, phase: Phase): string[] {
  const broken: string[] = [];
  const intentById = new Map(snap.accounts.flatMap((a) => a.intents.map((i) => [`${a.dwid}:${i.intent_id}`, i] as const)));
  // D1 committed (first read) ⇒ the object holds or posted that intent (it was placed before the batch ran).
  for (const p of snap.d1Before.payments.filter((x) => x.outcome === "commit")) {
    const intent = intentById.get(`${p.dwid}:${p.intent_id}`);
    if (!intent || intent.state === "voided") {
      broken.push(`${p.target_kind} ${p.target_id}: D1 committed intent ${p.intent_id} but ${p.dwid}'s object has it ${intent?.state ?? "nowhere"}`);
    } else if (intent.amount_fen !== p.amount_fen || intent.target_id !== p.target_id) {
      broken.push(`intent ${p.intent_id}: D1 says ${p.amount_fen} for ${p.target_id}, the object ${intent.amount_fen} for ${intent.target_id}`);
    }
  }
  broken.push(...auditRefundsAcrossStores(snap, phase));
  const commits = new Map(snap.d1After.payments.filter((x) => x.outcome === "commit").map((p) => [p.intent_id, p]));
  for (const [target, n] of counts([...commits.values()].map((p) => `${p.target_kind}:${p.target_id}`))) {
    if (n > 1) broken.push(`${target}: ${n} committed payments in D1`);
  }
  for (const a of snap.accounts) {
    for (const i of a.intents) {
      const committed = commits.get(i.intent_id);
      if (i.state === "posted") {
        const paidBy = i.target_kind === "order" ? snap.d1After.orders.get(i.target_id)?.payment_id : snap.d1After.bills.get(i.target_id)?.payment_id;
        if (!committed || paidBy !== i.intent_id) {
          broken.push(`c${a.c}: posted debit ${i.intent_id} for ${i.target_kind} ${i.target_id}, but D1 ${committed ? "" : "has no commit and "}shows it paid by ${paidBy ?? "nothing"}`);
        }
      }
      if (i.state === "voided" && committed) broken.push(`c${a.c}: intent ${i.intent_id} voided in the object but committed in D1 (${i.target_kind} ${i.target_id} paid without a debit)`);
    }
    if (phase === "final") {
      const postedIds = new Set(a.intents.filter((i) => i.state === "posted").map((i) => i.intent_id));
      const committedIds = [...commits.values()].filter((p) => p.dwid === a.dwid).map((p) => p.intent_id);
      if (committedIds.length !== postedIds.size || committedIds.some((id) => !postedIds.has(id))) {
        broken.push(`c${a.c}: ${postedIds.size} posted intents, ${committedIds.length} D1 commits`);
      }
      const debitsFen = a.ledger.filter((e) => e.kind === "debit").reduce((n, e) => n + e.amount_fen, 0);
      const paidFen =
        [...snap.d1After.orders.values()].filter((o) => o.dwid === a.dwid && o.status === "paid").reduce((n, o) => n + o.amount_fen, 0) +
        [...snap.d1After.bills.values()].filter((b) => b.dwid === a.dwid && b.status === "paid").reduce((n, b) => n + b.amount_fen, 0);
      if (debitsFen !== paidFen) broken.push(`c${a.c}: Σ posted debits ${debitsFen} ≠ Σ paid orders and bills in D1 ${paidFen}`);
      const copy = snap.d1After.ledgerCopy.filter((r) => r.dwid === a.dwid);
      const same =
        copy.length === a.ledger.length &&
        copy.every((r, k) => {
          const e = a.ledger[k]!;
          return r.seq === e.seq && r.kind === e.kind && r.amount_fen === e.amount_fen && r.balance_after_fen === e.balance_after_fen && r.reference === e.reference;
        });
      if (!same) broken.push(`c${a.c}: D1's ledger copy (${copy.length} rows) differs from the object's ledger (${a.ledger.length})`);
    }
  }
  return broken;
}

/**
 * Refunds across the AccountDOs and D1: D1 committed ⇒ the object holds it
 * pending or posted; posted ⇒ D1 committed it; a refunded ticket belongs to
 * exactly one committed refund that lists it, and every ticket a committed
 * refund lists is refunded; an order's refunded amount and units are its
 * commits', never more than it paid.
 */
function auditRefundsAcrossStores(snap: Snapshot, phase: Phase): string[] {
  const broken: string[] = [];
  const refundRows = counts(snap.d1After.outbox.filter((x) => x.kind === "order_refunded").map((x) => x.id));
  for (const r of snap.d1After.refunds) {
    const rows = refundRows.get(`order-refunded:${r.intent_id}`) ?? 0;
    if (rows !== (r.outcome === "commit" ? 1 : 0)) broken.push(`order ${r.order_id}: refund ${r.refund_no} ${r.outcome} has ${rows} outbox rows`);
  }
  const refundIntentById = new Map(snap.accounts.flatMap((a) => a.refundIntents.map((i) => [`${a.dwid}:${i.intent_id}`, i] as const)));
  for (const r of snap.d1Before.refunds.filter((x) => x.outcome === "commit")) {
    const intent = refundIntentById.get(`${r.dwid}:${r.intent_id}`);
    if (!intent || intent.state === "voided") broken.push(`order ${r.order_id}: D1 committed refund ${r.refund_no} (${r.intent_id}) but the object has it ${intent?.state ?? "nowhere"}`);
  }
  const committed = snap.d1After.refunds.filter((x) => x.outcome === "commit");
  const committedById = new Map(committed.map((r) => [r.intent_id, r]));
  const committedByOrder = groupBy(committed, (r) => r.order_id);
  for (const a of snap.accounts) {
    for (const i of a.refundIntents) {
      const c = committedById.get(i.intent_id);
      if (i.state === "posted" && !c) broken.push(`c${a.c}: refund ${i.refund_no} (${i.intent_id}) posted, D1 has no commit`);
      if (i.state === "voided" && c) broken.push(`c${a.c}: refund ${i.refund_no} (${i.intent_id}) voided in the object but committed in D1`);
      if (phase === "final" && i.state === "pending") broken.push(`c${a.c}: refund ${i.refund_no} still pending at the end`);
    }
  }
  for (const o of snap.d1After.orders.values()) {
    const commits = committedByOrder.get(o.order_id) ?? [];
    const tickets = snap.d1After.tickets.get(o.order_id) ?? [];
    const refundedFen = commits.reduce((n, r) => n + r.amount_fen, 0);
    const listed = commits.flatMap((r) => r.tickets);
    if (refundedFen > o.amount_fen) broken.push(`order ${o.order_id}: refunds ${refundedFen} exceed its amount ${o.amount_fen}`);
    if (o.refunded_fen !== refundedFen || o.refunded_units !== listed.length) {
      broken.push(`order ${o.order_id}: refunded ${o.refunded_fen} fen / ${o.refunded_units} units, its committed refunds ${refundedFen} / ${listed.length}`);
    }
    for (const [code, n] of counts(listed)) if (n > 1) broken.push(`order ${o.order_id}: ticket ${code} refunded ${n} times`);
    for (const t of tickets) {
      const by = commits.find((r) => r.tickets.includes(t.ticket_code));
      if ((t.status === "refunded") !== Boolean(by) || (by && t.refund_id !== by.intent_id)) {
        broken.push(`order ${o.order_id}: ticket ${t.ticket_code} is ${t.status} (refund ${t.refund_id}), committed refunds say ${by?.intent_id ?? "none"}`);
      }
    }
    if (commits.length > 0 && o.status !== "paid") broken.push(`order ${o.order_id}: refunded but ${o.status}`);
  }
  return broken;
}

// ---------------------------------------------------------------- orders and bills in D1 (one read)

function auditTargets(d1: D1View): string[] {
  const broken: string[] = [];
  const commitOf = new Map(d1.payments.filter((p) => p.outcome === "commit").map((p) => [p.intent_id, p]));
  const commitsByTarget = groupBy(d1.payments.filter((p) => p.outcome === "commit"), (p) => `${p.target_kind}:${p.target_id}`);
  const commitsFor = (kind: string, id: string) => commitsByTarget.get(`${kind}:${id}`) ?? [];
  // The order's own notification (paid); refunds and resends add theirs (audited on their own).
  const outboxByTarget = groupBy(d1.outbox.filter((x) => x.kind !== "order_refunded" && x.kind !== "order_resent"), (x) => x.target_id);
  const outboxFor = (id: string) => outboxByTarget.get(id) ?? [];
  for (const o of d1.orders.values()) {
    const items = d1.items.get(o.order_id) ?? [];
    const tickets = d1.tickets.get(o.order_id) ?? [];
    const itemsFen = items.reduce((n, i) => n + i.amount_fen, 0);
    if (itemsFen !== o.amount_fen || items.some((i) => i.amount_fen !== i.unit_price_fen * i.quantity)) broken.push(`order ${o.order_id}: amount ${o.amount_fen} ≠ its lines ${itemsFen}`);
    if (o.status === "paid") {
      const units = items.filter((i) => i.item_kind === "ticket").reduce((n, i) => n + i.quantity, 0);
      const commit = o.payment_id ? commitOf.get(o.payment_id) : undefined;
      if (!commit || commit.target_id !== o.order_id || commit.amount_fen !== o.amount_fen) broken.push(`order ${o.order_id}: paid, but no commit of its amount for payment ${o.payment_id}`);
      if (tickets.length !== units) broken.push(`order ${o.order_id}: paid with ${tickets.length} tickets for ${units} units`);
      const outbox = outboxFor(o.order_id);
      if (outbox.length !== 1 || outbox[0]!.id !== ORDER_PAID_OUTBOX(o.order_id)) broken.push(`order ${o.order_id}: paid with ${outbox.length} outbox rows`);
    } else {
      if (tickets.length > 0) broken.push(`order ${o.order_id}: ${o.status} but has ${tickets.length} tickets`);
      if (outboxFor(o.order_id).length > 0) broken.push(`order ${o.order_id}: ${o.status} but has an outbox row`);
      if (commitsFor("order", o.order_id).length > 0) broken.push(`order ${o.order_id}: ${o.status} but D1 has a committed payment for it`);
    }
  }
  for (const b of d1.bills.values()) {
    if (b.items_fen !== b.amount_fen) broken.push(`bill ${b.bill_num}: amount ${b.amount_fen} ≠ its items ${b.items_fen}`);
    if (b.status === "paid") {
      const commit = b.payment_id ? commitOf.get(b.payment_id) : undefined;
      if (!commit || commit.target_id !== b.bill_num || commit.amount_fen !== b.amount_fen) broken.push(`bill ${b.bill_num}: paid, but no commit of its amount`);
      if (!/^\d{6}$/.test(b.rnd_code ?? "")) broken.push(`bill ${b.bill_num}: paid without a 6-digit pickup code (${b.rnd_code})`);
      const outbox = outboxFor(b.bill_num);
      if (outbox.length !== 1 || outbox[0]!.id !== BILL_PAID_OUTBOX(b.bill_num)) broken.push(`bill ${b.bill_num}: paid with ${outbox.length} outbox rows`);
    } else {
      if (b.rnd_code !== null || b.payment_id !== null) broken.push(`bill ${b.bill_num}: ${b.status} but has a pickup code or payment`);
      if (outboxFor(b.bill_num).length > 0) broken.push(`bill ${b.bill_num}: ${b.status} but has an outbox row`);
      if (commitsFor("bill", b.bill_num).length > 0) broken.push(`bill ${b.bill_num}: ${b.status} but D1 has a committed payment for it`);
    }
  }
  return broken;
}

// ---------------------------------------------------------------- tickets at the gate (one read)

/**
 * SPEC §6, §10: a ticket is valid, used or refunded — never both used and
 * refunded, used at most once (one row, one use). Used ⇔ when and at which
 * gate are recorded; used only on its effect date (Asia/Shanghai), at a gate
 * that admits its product, of a paid order, with exactly one `ticket_used`
 * outbox row (none for any other ticket); a committed refund's tickets are
 * refunded, never used.
 */
function auditTickets(world: World, d1: D1View): string[] {
  const broken: string[] = [];
  const usedRows = new Map<string, number>();
  for (const x of d1.outbox.filter((x) => x.kind === "ticket_used")) {
    usedRows.set(x.target_id, (usedRows.get(x.target_id) ?? 0) + 1);
    const t = d1.ticketByCode.get(x.target_id);
    if (x.id !== ticketUsedOutboxId(x.target_id)) broken.push(`ticket ${x.target_id}: ticket_used outbox row under id ${x.id}`);
    if (t?.status !== "used") broken.push(`ticket ${x.target_id}: a ticket_used outbox row, but the ticket is ${t?.status ?? "nowhere"}`);
    else if (x.dwid !== d1.orders.get(t.order_id)?.dwid) broken.push(`ticket ${x.target_id}: ticket_used outbox row for ${x.dwid}, the order is ${d1.orders.get(t.order_id)?.dwid}'s`);
  }
  for (const t of d1.ticketByCode.values()) {
    const where = `ticket ${t.ticket_code} (order ${t.order_id})`;
    const order = d1.orders.get(t.order_id);
    const usedFields = [t.used_at_ms, t.used_gate_id, t.check_id].filter((v) => v !== null).length;
    if (t.status === "used") {
      if (t.refund_id !== null) broken.push(`${where}: used and refunded (refund ${t.refund_id})`);
      if (t.used_at_ms === null || t.used_gate_id === null || t.check_id === null) broken.push(`${where}: used, but when ${t.used_at_ms}, gate ${t.used_gate_id}, scan ${t.check_id}`);
      if (order?.status !== "paid") broken.push(`${where}: used, its order ${order?.status ?? "nowhere"}`);
      const gate = world.gates.find((g) => g.gateId === t.used_gate_id);
      if (!gate || (gate.products !== null && !gate.products.includes(t.product_id))) broken.push(`${where}: used at ${t.used_gate_id}, which does not admit ${t.product_id}`);
      if (t.used_at_ms !== null && order && shanghaiDate(t.used_at_ms) !== order.effect_date) broken.push(`${where}: used on ${shanghaiDate(t.used_at_ms)}, its day is ${order.effect_date}`);
      if ((usedRows.get(t.ticket_code) ?? 0) !== 1) broken.push(`${where}: used, with ${usedRows.get(t.ticket_code) ?? 0} ticket_used outbox rows`);
    } else if (t.status === "refunded") {
      if (usedFields > 0) broken.push(`${where}: refunded and used (at ${t.used_at_ms}, gate ${t.used_gate_id})`);
    } else if (t.status === "valid") {
      if (usedFields > 0 || t.refund_id !== null) broken.push(`${where}: valid, yet used at ${t.used_at_ms} by ${t.used_gate_id} or refunded by ${t.refund_id}`);
    } else broken.push(`${where}: status ${t.status}`);
  }
  for (const r of d1.refunds.filter((x) => x.outcome === "commit")) {
    for (const code of r.tickets) {
      const status = d1.ticketByCode.get(code)?.status;
      if (status !== "refunded") broken.push(`order ${r.order_id}: refund ${r.refund_no} committed ticket ${code}, which is ${status ?? "nowhere"}`);
    }
  }
  return broken;
}

// ---------------------------------------------------------------- stock per product and day

function auditInventory(inv: InventoryView, snap: Snapshot, phase: Phase): string[] {
  const broken: string[] = [];
  const where = `${inv.p} ${inv.date}`;
  const configured = snap.d1After.productDays.get(`${inv.productId}:${inv.date}`);
  // An object never asked holds nothing and knows no stock yet.
  if (inv.stock !== null && configured && inv.stock !== configured.stock) broken.push(`${where}: the object's stock ${inv.stock} ≠ D1's ${configured.stock}`);
  const stock = configured?.stock ?? inv.stock ?? 0;

  const sumOf = (state: string, slot?: number) =>
    inv.holds.filter((h) => h.state === state && (slot === undefined || h.slot_index === slot)).reduce((n, h) => n + h.quantity - h.returned, 0);
  const held = sumOf("held");
  const sold = sumOf("sold");
  const total = (state: string, slotKey: number) => inv.totals.filter((t) => t.state === state && t.slot_key === slotKey).reduce((n, t) => n + t.units, 0);
  const totalDay = (state: string) => inv.totals.filter((t) => t.state === state).reduce((n, t) => n + t.units, 0);
  if (totalDay("held") !== held || totalDay("sold") !== sold) broken.push(`${where}: usage totals held ${totalDay("held")} sold ${totalDay("sold")} ≠ the holds' ${held} / ${sold}`);
  if (held + sold > stock) broken.push(`${where}: oversold — held ${held} + sold ${sold} > capacity ${stock}`);
  const free = stock - held - sold;
  if (inv.reported.held !== held || inv.reported.sold !== sold || inv.reported.available !== Math.max(0, free) || inv.reported.stock !== stock) {
    broken.push(`${where}: snapshot says held ${inv.reported.held} sold ${inv.reported.sold} free ${inv.reported.available} of ${inv.reported.stock}; holds say ${held} + ${sold} + ${free} = ${stock}`);
  }
  for (const slot of inv.slots) {
    const h = sumOf("held", slot.slot_index);
    const s = sumOf("sold", slot.slot_index);
    if (total("held", slot.slot_index) !== h || total("sold", slot.slot_index) !== s) broken.push(`${where} slot ${slot.slot_index}: usage totals ≠ its holds`);
    if (h + s > slot.capacity) broken.push(`${where} slot ${slot.slot_index}: oversold — held ${h} + sold ${s} > capacity ${slot.capacity}`);
  }
  // A hold must outlive nothing: while any is held, the alarm that will settle it is set.
  if (held > 0 && inv.alarmAtMs === null) broken.push(`${where}: ${inv.holds.filter((h) => h.state === "held").length} holds held and no alarm set to settle them`);

  // A hold is kept under its order's id, or under a date change's id (`${orderId}.${hex}`): the order's
  // current hold is the one under its hold key; a hold it moved away from is owed its release.
  const movedAway = new Set(snap.d1After.dateChanges.filter((c) => c.outcome === "commit").map((c) => c.from_hold_key));
  for (const hold of inv.holds) {
    const orderId = orderOfHold(hold.order_id);
    const order = snap.d1After.orders.get(orderId);
    const current = order !== undefined && (order.hold_key ?? order.order_id) === hold.order_id;
    const lines = (snap.d1After.items.get(orderId) ?? []).filter((i) => i.product_id === inv.productId);
    const what = `hold ${hold.order_id}`;
    if (hold.state === "sold" && !(order?.status === "paid" && (current || movedAway.has(hold.order_id)))) {
      broken.push(`${where}: ${what} sold, but D1 has the order ${order?.status ?? "nowhere"} ${current ? "here" : `under hold ${order?.hold_key ?? orderId}`}`);
    }
    if (hold.state === "released" && current && order.status === "paid") broken.push(`${where}: ${what} of paid order ${orderId} was released`);
    if (current && order.effect_date === inv.date) {
      const qty = lines.reduce((n, i) => n + i.quantity, 0);
      if (qty !== hold.quantity) broken.push(`${where}: ${what} is ${hold.quantity}, its lines ${qty}`);
      // Units back in stock never exceed, and at the end equal, the order's refunded tickets of this product.
      const refunded = (snap.d1After.tickets.get(orderId) ?? []).filter((t) => t.product_id === inv.productId && t.status === "refunded").length;
      if (hold.returned > refunded || (phase === "final" && hold.returned !== refunded)) broken.push(`${where}: ${what} returned ${hold.returned} units, ${refunded} of its tickets are refunded`);
      const slot = lines[0]?.timespan_index ?? null;
      if (inv.slots.length > 0 && slot !== hold.slot_index) broken.push(`${where}: ${what} in slot ${hold.slot_index}, its lines say ${slot}`);
    }
    if (phase === "final") {
      const expected = current && order.status === "paid" ? "sold" : "released";
      if (hold.state !== expected) broken.push(`${where}: after draining, ${what} (${order?.status ?? "no order"}${current ? "" : ", not its current hold"}) is ${hold.state}, expected ${expected}`);
      if (hold.move_out === "due") broken.push(`${where}: after draining, ${what} still owes the release of ${hold.moved_from_key}`);
    }
  }
  // Orders (first D1 read) that must hold stock here, under their hold key.
  const holdByKey = new Map(inv.holds.map((h) => [h.order_id, h]));
  for (const o of snap.d1Before.orders.values()) {
    if (o.effect_date !== inv.date) continue;
    const lines = (snap.d1Before.items.get(o.order_id) ?? []).filter((i) => i.product_id === inv.productId);
    if (lines.length === 0) continue;
    const hold = holdByKey.get(o.hold_key ?? o.order_id);
    if (o.status === "paid" && hold?.state !== "held" && hold?.state !== "sold") broken.push(`${where}: paid order ${o.order_id} has its hold ${hold?.state ?? "missing"}`);
    if (o.status === "unpaid" && o.expires_at_ms > snap.nowMs && hold?.state !== "held") broken.push(`${where}: live unpaid order ${o.order_id} has its hold ${hold?.state ?? "missing"}`);
  }
  if (phase === "final") {
    if (held > 0) broken.push(`${where}: ${held} units still held after every order's time passed and every alarm drained`);
    const paidUnits =
      [...snap.d1After.orders.values()]
        .filter((o) => o.status === "paid" && o.effect_date === inv.date)
        .flatMap((o) => snap.d1After.items.get(o.order_id) ?? [])
        .filter((i) => i.product_id === inv.productId)
        .reduce((n, i) => n + i.quantity, 0) -
      [...snap.d1After.orders.values()]
        .filter((o) => o.status === "paid" && o.effect_date === inv.date)
        .flatMap((o) => snap.d1After.tickets.get(o.order_id) ?? [])
        .filter((t) => t.product_id === inv.productId && t.status === "refunded").length;
    if (sold !== paidUnits) broken.push(`${where}: sold ${sold} ≠ units of paid orders in D1 ${paidUnits}`);
  }
  return broken;
}

/** The order a hold belongs to: its key is the order id, or a date change's id `${orderId}.${hex}`. */
export function orderOfHold(key: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? key : key.slice(0, dot);
}

// ---------------------------------------------------------------- date changes and resends (one read)

/**
 * SPEC §10 ChangeDate: a hold key moves at most once (of two changes from
 * the same place, one commits); the order stands where its last committed
 * change took it, under that change's id; a moved order is a paid ticket
 * order, and none of its tickets was used or refunded before its last move
 * (a check or refund commits against the hold key it read).
 */
function auditDateChanges(d1: D1View): string[] {
  const broken: string[] = [];
  const commits = d1.dateChanges.filter((c) => c.outcome === "commit");
  for (const [key, n] of counts(commits.map((c) => c.from_hold_key))) if (n > 1) broken.push(`hold ${key}: ${n} date changes committed from it`);
  for (const [id, n] of counts(d1.dateChanges.map((c) => c.change_id))) if (n > 1) broken.push(`date change ${id}: decided ${n} times`);
  const commitsByOrder = groupBy(commits, (c) => c.order_id);
  for (const o of d1.orders.values()) {
    const own = commitsByOrder.get(o.order_id) ?? [];
    const last = own[own.length - 1];
    if (!last) {
      if (o.hold_key !== null) broken.push(`order ${o.order_id}: hold key ${o.hold_key} without a committed date change`);
      continue;
    }
    if (o.hold_key !== last.change_id || o.effect_date !== last.to_date) {
      broken.push(`order ${o.order_id}: on ${o.effect_date} under ${o.hold_key}, its last committed change ${last.change_id} took it to ${last.to_date}`);
    }
    // The changes chain: each leaves the hold the one before it made.
    own.forEach((c, k) => {
      const from = k === 0 ? o.order_id : own[k - 1]!.change_id;
      if (c.from_hold_key !== from) broken.push(`order ${o.order_id}: change ${c.change_id} left hold ${c.from_hold_key}, the order was under ${from}`);
    });
    if (o.status !== "paid" || o.kind !== "ticket") broken.push(`order ${o.order_id}: moved, but ${o.status} ${o.kind}`);
  }
  return broken;
}

/** SPEC §10 Resend: at most 3 texts per order in any rolling hour, and only of a paid order. */
function auditResends(d1: D1View): string[] {
  const broken: string[] = [];
  const byOrder = new Map<string, number[]>();
  for (const x of d1.outbox.filter((r) => r.kind === "order_resent")) byOrder.set(x.target_id, [...(byOrder.get(x.target_id) ?? []), x.created_at_ms]);
  for (const [orderId, times] of byOrder) {
    times.sort((a, b) => a - b);
    for (let k = RESENDS_PER_HOUR; k < times.length; k++) {
      if (times[k]! - times[k - RESENDS_PER_HOUR]! < HOUR_MS) broken.push(`order ${orderId}: ${RESENDS_PER_HOUR + 1} resends within an hour (${times.slice(k - RESENDS_PER_HOUR, k + 1).join(", ")})`);
    }
    if (d1.orders.get(orderId)?.status !== "paid") broken.push(`order ${orderId}: resent, but ${d1.orders.get(orderId)?.status ?? "nowhere"}`);
  }
  return broken;
}

/** SPEC §10: three texts per order in any rolling hour. */
const RESENDS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

/** The items by key, each list in the items' order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function counts(keys: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of keys) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

export type { Answer };
