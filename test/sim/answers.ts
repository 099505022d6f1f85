/**
 * Every answer a client received must be true of the stores, read the way a
 * legacy client reads it — the HTTP status and `resultcode`/`errcode`, never
 * the message (SPEC §6; driver.ts classifies):
 *  - no answer is ever an internal error (HTTP 500, no answer at all);
 *  - told paid ⇒ the target is paid by this customer, with its tickets or
 *    pickup code, and its debit is posted (not a hold still pending);
 *  - told refused ⇒ nothing was or will be charged: a refusal is never given
 *    while the target was already paid, or its payment still pending, since
 *    before the step; and a target every answer of a step refused is not
 *    paid by a payment of that step;
 *  - POS errcode 0 ("paid now") at most once per bill;
 *  - idempotent requests keep their word: a repeated senderid, SenderBillNum
 *    or deposit reference names the first one;
 *  - the gate (SPEC §10 核销; gate-answers.ts): told admitted ⇒ that ticket is used, at that
 *    gate, at that instant; each refusal is true of the ticket; one admission
 *    per ticket over the run (a retry of the same scan id repeats it, same
 *    usedat); no refund told done lists a ticket any scan was told admitted;
 *  - cancel, date change, resend (SPEC §10): told cancelled ⇒ cancelled, and
 *    it stays so (of a cancel and a pay, exactly one wins); told moved ⇒ the
 *    order is on that day; told sent ⇒ the text is queued; each refusal true
 *    of the order; a change every answer of a step refused moved nothing.
 *
 * `History` is the clients' side of the run: every answer, by target.
 */
import { ResultCodes } from "../../src/domain/codes";
import { counts } from "./auditor";
import type { Answer, World } from "./driver";
import { admissionsHeld, checkHeld, isAdmission } from "./gate-answers";
import type { Snapshot } from "./snapshot";

export class History {
  readonly answers: Answer[] = [];
  /** Targets that had an answer whose outcome was not yet known (503). */
  private readonly unresolved = new Set<string>();

  record(answers: readonly Answer[]): void {
    for (const a of answers) {
      this.answers.push(a);
      if (a.outcome === "unknown") for (const key of targetKeys(a)) this.unresolved.add(key);
    }
  }

  hadUnknown(key: string): boolean {
    return this.unresolved.has(key);
  }
}

/** The keys an answer is filed under: the target's id as sent or answered, and its slot. */
function targetKeys(a: Answer): string[] {
  if (!a.target) return [];
  const keys = [`${a.target.kind}-slot:${a.target.key}`];
  if (a.target.id) keys.push(`${a.target.kind}:${a.target.id}`);
  const answered = answeredId(a);
  if (answered && answered !== a.target.id) keys.push(`${a.target.kind}:${answered}`);
  return keys;
}

/** The id the answer itself names (orderid, or the bill's BillNum). */
function answeredId(a: Answer): string | null {
  if (a.op.kind === "bill-pay" || a.op.kind === "bill-add") return a.body?.tag?.BillNum ?? null;
  if (a.op.kind === "pay" || a.op.kind === "add" || a.op.kind === "yearcard") return a.body?.orderid ?? null;
  return null;
}

/**
 * What a payment of another customer's order or bill may be answered: not found, refused before looking
 * (2004, 3xxx), or "could not read it, nothing charged" (5004) — said alike of every order, so it tells nothing.
 */
const CROSS_CUSTOMER_REFUSALS: ReadonlySet<number> = new Set(
  (["orderNotFound", "billNotFound", "customerMismatch", "payPasswordWrong", "payPasswordLocked", "payPasswordNotSet", "payPasswordMalformed", "fieldRequired", "paymentFailed"] as const).map(
    (k) => ResultCodes[k].code,
  ),
);

const isPaid = (a: Answer) => a.outcome === "paid" || a.outcome === "paid-now" || a.outcome === "already";
/** Codes the sim's well-formed requests must never get: the wire layer misread a valid body. */
const VALIDATION = (code: number) => code >= 1000 && code < 1200 && code !== ResultCodes.fieldRequired.code;
/** A refusal about the request itself (its session, the dwid it claims, its customer suspended), not about the target. */
const aboutTheRequest = (a: Answer) =>
  a.status === 401 || a.code === ResultCodes.customerMismatch.code || a.code === ResultCodes.customerSuspended.code;

export function auditAnswers(world: World, snap: Snapshot, prev: Snapshot | null, step: readonly Answer[], history: History): string[] {
  const broken: string[] = [];
  const d1 = snap.d1Before;
  const describe = (a: Answer) => `#${a.seq} ${a.op.kind} by c${a.op.c}`;
  const postedHere = (c: number, intentId: string | null) => snap.accounts[c]!.intents.find((i) => i.intent_id === intentId)?.state;

  for (const a of step) {
    if (a.outcome === "internal") broken.push(`${describe(a)}: an answer no client may get (HTTP ${a.status}, code ${a.code}): ${a.message.slice(0, 80)}`);
    if (a.status === 200 && VALIDATION(a.code)) broken.push(`${describe(a)}: a valid request was refused as malformed: ${a.code} ${a.message}`);
    const mine = world.customers[a.op.c]!.dwid;
    switch (a.op.kind) {
      case "pay": {
        if (a.outcome === "unknown" || a.status === 401) break;
        if (a.op.claim === "other" && a.op.path === "bypassword" && a.code !== ResultCodes.customerMismatch.code) {
          broken.push(`${describe(a)}: paid with another customer's dwid and was answered ${a.code}, not 2004`);
          break;
        }
        // Another customer's order: refused as unknown, or refused before it is looked up (session, password).
        if (a.op.owner !== a.op.c && a.target?.id && !CROSS_CUSTOMER_REFUSALS.has(a.code)) {
          broken.push(`${describe(a)}: another customer's order ${a.target.id} answered ${a.code} ${a.message}, not "not found"`);
        }
        if (a.outcome === "paid") {
          const orderId: string = a.body.orderid;
          const order = d1.orders.get(orderId);
          if (!order || order.status !== "paid" || order.dwid !== mine) broken.push(`${describe(a)}: told paid for order ${orderId}, D1 has it ${order?.status ?? "nowhere"} (of ${order?.dwid})`);
          else {
            if ((d1.tickets.get(orderId) ?? []).length === 0) broken.push(`${describe(a)}: told paid, order ${orderId} has no tickets`);
            const state = postedHere(a.op.c, order.payment_id);
            if (state !== "posted") broken.push(`${describe(a)}: told paid, but the debit of ${orderId} is ${state ?? "missing"} (success ⇒ a posted debit)`);
          }
        }
        break;
      }
      case "bill-pay": {
        if (a.outcome === "unknown" || a.status === 401) break;
        if (a.outcome === "paid-now" || a.outcome === "already") {
          const billNum: string = a.body.tag?.BillNum;
          const bill = d1.bills.get(billNum);
          if (!bill || bill.status !== "paid" || bill.dwid !== mine) broken.push(`${describe(a)}: told ${a.outcome} for bill ${billNum}, D1 has it ${bill?.status ?? "nowhere"}`);
          else {
            if (a.body.tag.RndCode !== bill.rnd_code || a.body.tag.BillState !== "paid") broken.push(`${describe(a)}: told pickup code ${a.body.tag.RndCode} / ${a.body.tag.BillState}, D1 has ${bill.rnd_code}`);
            const state = postedHere(a.op.c, bill.payment_id);
            if (state !== "posted") broken.push(`${describe(a)}: told paid, but the debit of bill ${billNum} is ${state ?? "missing"} (success ⇒ a posted debit)`);
          }
        }
        if (a.op.owner !== a.op.c && a.op.by !== "sender" && a.target?.id && a.outcome === "refused" && a.code !== -1) {
          broken.push(`${describe(a)}: another customer's bill ${a.target.id} answered ${a.code} ${a.message}`);
        }
        break;
      }
      case "add":
      case "yearcard": {
        if (a.outcome !== "ok") break;
        const orderId: string = a.body.orderid;
        const order = d1.orders.get(orderId);
        const senderId = a.op.sender === null ? null : world.senderId(a.op.sender);
        if (!order || order.dwid !== mine || order.sender_id !== senderId) broken.push(`${describe(a)}: told order ${orderId} placed, D1 has ${order ? `${order.dwid}/${order.sender_id}` : "nothing"}`);
        const first = a.op.sender === null ? null : world.orders.get(`${a.op.c}:${a.op.sender}`);
        if (first && first !== orderId) broken.push(`${describe(a)}: senderid ${senderId} answered order ${orderId}, earlier ${first}`);
        break;
      }
      case "bill-add": {
        if (a.outcome !== "ok") break;
        const billNum: string = a.body.tag.BillNum;
        const bill = d1.bills.get(billNum);
        const senderBillNum = a.op.bill === null ? null : world.senderBillNum(a.op.bill);
        if (!bill || bill.dwid !== mine || bill.sender_bill_num !== senderBillNum) broken.push(`${describe(a)}: told bill ${billNum}, D1 has ${bill ? `${bill.dwid}/${bill.sender_bill_num}` : "nothing"}`);
        else if (Math.round(a.body.tag.Amount * 100) !== bill.amount_fen) broken.push(`${describe(a)}: told amount ${a.body.tag.Amount}, D1 has ${bill.amount_fen} fen`);
        const first = a.op.bill === null ? null : world.bills.get(`${a.op.c}:${a.op.bill}`);
        if (first && first !== billNum) broken.push(`${describe(a)}: SenderBillNum ${senderBillNum} answered ${billNum}, earlier ${first}`);
        break;
      }
      case "deposit": {
        const reference = world.depositReference(a.op.ref);
        const entry = snap.accounts[a.op.c]!.ledger.find((e) => e.kind === "deposit" && e.reference === reference);
        if ((a.outcome === "ok" || a.outcome === "duplicate") && entry?.amount_fen !== a.op.amountFen) {
          broken.push(`${describe(a)}: deposit ${reference} of ${a.op.amountFen} answered ${a.status}, the ledger has ${entry?.amount_fen ?? "nothing"}`);
        }
        if (a.outcome === "conflict" && (!entry || entry.amount_fen === a.op.amountFen)) broken.push(`${describe(a)}: 409 for ${reference}, the ledger has ${entry?.amount_fen ?? "nothing"}`);
        break;
      }
      case "query": {
        if (a.outcome === "unknown" || a.status === 401 || a.outcome === "internal") break;
        if (a.op.owner !== a.op.c) {
          if (a.target?.id && a.code !== ResultCodes.orderNotFound.code) broken.push(`${describe(a)}: another customer's order ${a.target.id} answered ${a.code}`);
          break;
        }
        if (a.target?.id && a.code !== 0 && a.code !== ResultCodes.storeUnavailable.code) broken.push(`${describe(a)}: own order ${a.target.id} answered ${a.code} ${a.message}`);
        if (a.code === 0 && a.body.tag.status === "paid") {
          const told = (a.body.tag.tickets as { ticketcode: string }[]).map((t) => t.ticketcode).sort();
          const stored = (d1.tickets.get(a.body.tag.orderid) ?? []).map((t) => t.ticket_code).sort();
          if (JSON.stringify(told) !== JSON.stringify(stored)) broken.push(`${describe(a)}: listed ${told.length} tickets, D1 has ${stored.length}`);
        }
        break;
      }
      case "refund": {
        if (a.outcome !== "ok") break;
        // Told refunded ⇒ D1 committed it under this number with these tickets, and the credit is posted.
        const number = `R${a.op.refund}`;
        const told: string[] = a.op.via === "partner" ? a.body.tag.tickets : a.body.tickets;
        const commit = d1.refunds.find((r) => r.dwid === mine && r.refund_no === number && r.outcome === "commit");
        const intent = snap.accounts[a.op.c]!.refundIntents.find((r) => r.intent_id === commit?.intent_id);
        if (!commit || JSON.stringify(commit.tickets) !== JSON.stringify([...told].sort())) broken.push(`${describe(a)}: told refund ${number} of ${told.length} tickets, D1 has ${commit ? commit.tickets.length : "no commit"}`);
        else if (intent?.state !== "posted") broken.push(`${describe(a)}: told refunded, but the credit of ${number} is ${intent?.state ?? "missing"}`);
        break;
      }
      case "check":
        broken.push(...checkHeld(world, snap, prev, a));
        break;
      case "cancel":
      case "change-date":
      case "resend":
        broken.push(...orderActionHeld(world, snap, prev, a));
        break;
      case "login":
      case "login-storm":
      case "verify":
      case "operator":
        break;
    }
  }
  broken.push(...admissionsHeld(history, step));

  // POS errcode 0 ("paid now") at most once per bill, whatever retried or raced.
  for (const [key, n] of counts(history.answers.concat(step).filter((a) => a.outcome === "paid-now").map((a) => `bill:${a.body.tag?.BillNum}`))) {
    if (n > 1) broken.push(`${key}: ${n} clients were told "paid now" (errcode 0)`);
  }
  if (prev) broken.push(...refusalsHeld(snap, prev, step));
  if (prev) broken.push(...refundRefusalsHeld(world, snap, prev, step));
  if (prev) broken.push(...moveRefusalsHeld(snap, prev, step));
  return broken;
}

/**
 * A cancel, date change or resend's answer, true of its order as D1 holds
 * it after the step (the order before it, `prev`, where a refusal speaks of
 * a state that may change during the step): 0 ⇒ cancelled / on the day
 * asked / a text queued; 4001 only for another customer's order; 4004 ⇒
 * paid; 4002 ⇒ expired; 4901 ⇒ it was not paid before the step; 4902 ⇒ a
 * ticket used or refunded; 4008 ⇒ three texts within the hour; 4009 ⇒ no
 * valid ticket left.
 */
function orderActionHeld(world: World, snap: Snapshot, prev: Snapshot | null, a: Answer): string[] {
  const op = a.op as Extract<Answer["op"], { kind: "cancel" | "change-date" | "resend" }>;
  if (a.outcome === "unknown" || a.outcome === "internal" || a.status === 0 || aboutTheRequest(a) || !a.target?.id) return [];
  const id = a.target.id;
  const describe = `#${a.seq} ${op.kind} of ${id} by c${op.c}`;
  const order = snap.d1Before.orders.get(id);
  const before = prev?.d1After.orders.get(id);
  const tickets = snap.d1Before.tickets.get(id) ?? [];
  const code = a.code;
  const operator = op.kind === "cancel" && op.via === "operator";
  if (op.owner !== op.c && !operator) {
    return code === ResultCodes.orderNotFound.code || code === ResultCodes.storeUnavailable.code ? [] : [`${describe}: another customer's order answered ${code} ${a.message}, not "not found"`];
  }
  if (code === ResultCodes.orderNotFound.code || (operator && a.status === 404)) return [`${describe}: its own order answered "not found"`];
  if (!order) return [`${describe}: answered ${code}, D1 has no order ${id}`];
  const broken: string[] = [];
  if (a.outcome === "ok") {
    if (op.kind === "cancel" && order.status !== "cancelled") broken.push(`${describe}: told cancelled, D1 has it ${order.status}`);
    if (op.kind === "change-date") {
      const asked = snap.d1Before.dateChanges.some((c) => c.order_id === id && c.outcome === "commit" && c.to_date === world.date(op.day));
      const there = [before?.effect_date, order.effect_date].includes(world.date(op.day));
      if (!asked && !there) broken.push(`${describe}: told moved to +${op.day}, D1 has it on ${order.effect_date} with no change there`);
    }
    if (op.kind === "resend" && !snap.d1Before.outbox.some((x) => x.kind === "order_resent" && x.target_id === id)) broken.push(`${describe}: told resent, no text queued`);
    return broken;
  }
  switch (code) {
    case ResultCodes.orderPaidUseRefund.code:
      if (order.status !== "paid") broken.push(`${describe}: told paid (4004), D1 has it ${order.status}`);
      break;
    case ResultCodes.orderExpired.code:
      if (order.status !== "expired" && !(order.status === "unpaid" && order.expires_at_ms <= snap.nowMs)) broken.push(`${describe}: told expired (4002), D1 has it ${order.status} until ${order.expires_at_ms}`);
      break;
    case ResultCodes.dateChangeNotPaid.code:
      if (before?.status === "paid") broken.push(`${describe}: told not paid (4901), it was paid before the step`);
      break;
    case ResultCodes.dateChangeTicketsNotValid.code:
      if (tickets.length > 0 && tickets.every((t) => t.status === "valid")) broken.push(`${describe}: told a ticket is used or refunded (4902), all ${tickets.length} are valid`);
      break;
    case ResultCodes.resendLimited.code: {
      const since = (prev?.nowMs ?? 0) - HOUR_MS;
      const recent = snap.d1Before.outbox.filter((x) => x.kind === "order_resent" && x.target_id === id && x.created_at_ms >= since).length;
      if (recent < 3) broken.push(`${describe}: told the hour's 3 texts are spent (4008), ${recent} were queued since ${new Date(since).toISOString()}`);
      break;
    }
    case ResultCodes.nothingToResend.code:
      if (tickets.some((t) => t.status === "valid")) broken.push(`${describe}: told no valid ticket is left (4009), D1 has ${tickets.filter((t) => t.status === "valid").length}`);
      break;
  }
  return broken;
}

const HOUR_MS = 3_600_000;

/** An order every date change of a step was refused (none unknown) gained no committed change in it. */
function moveRefusalsHeld(snap: Snapshot, prev: Snapshot, step: readonly Answer[]): string[] {
  const broken: string[] = [];
  const byOrder = new Map<string, Answer[]>();
  for (const a of step) if (a.op.kind === "change-date" && a.target?.id) byOrder.set(a.target.id, [...(byOrder.get(a.target.id) ?? []), a]);
  for (const [id, answers] of byOrder) {
    if (!answers.every((a) => a.outcome === "refused")) continue;
    const commits = (v: Snapshot["d1Before"]) => v.dateChanges.filter((c) => c.order_id === id && c.outcome === "commit").length;
    if (commits(snap.d1Before) > commits(prev.d1After)) broken.push(`order ${id}: every date change of this step was refused (${answers.map((a) => a.code).join(", ")}), yet it moved`);
  }
  return broken;
}

/** A refund number every answer of a step refused, with no commit before it, has none after it. */
function refundRefusalsHeld(world: World, snap: Snapshot, prev: Snapshot, step: readonly Answer[]): string[] {
  const broken: string[] = [];
  const byNumber = new Map<string, Answer[]>();
  for (const a of step) if (a.op.kind === "refund" && a.target) byNumber.set(a.target.key, [...(byNumber.get(a.target.key) ?? []), a]);
  for (const [key, answers] of byNumber) {
    if (!answers.every((a) => a.outcome === "refused")) continue;
    const [c, number] = key.split(":") as [string, string];
    const dwid = world.customers[Number(c)]!.dwid;
    const committed = (v: Snapshot) => v.d1After.refunds.some((r) => r.dwid === dwid && r.refund_no === number && r.outcome === "commit");
    if (!committed(prev) && committed(snap)) broken.push(`refund ${number} of c${c}: every client of this step was refused (${answers.map((a) => a.code).join(", ")}), yet it committed`);
  }
  return broken;
}

/**
 * Told refused ⇒ nothing was or will be charged. Per target of the step's
 * payment answers (by the id the request named):
 *  - a refusal about the target, while it had been paid, or had a payment
 *    pending, since before the step (the previous snapshot), is false: the
 *    client reads "not paid" of a paid target, or of one whose charge may
 *    still happen (POS −1 least of all);
 *  - when every answer on it was a refusal, and it was unpaid before, no
 *    payment placed during the step may have paid it.
 */
function refusalsHeld(snap: Snapshot, prev: Snapshot, step: readonly Answer[]): string[] {
  const broken: string[] = [];
  const byTarget = new Map<string, Answer[]>();
  for (const a of step) {
    // The caller's own target, as the driver resolved it: a bill named by SenderBillNum alone is the caller's whatever `owner` says.
    if ((a.op.kind !== "pay" && a.op.kind !== "bill-pay") || !a.target?.id || !a.target.key.startsWith(`${a.op.c}:`)) continue;
    const key = `${a.target.kind}:${a.target.id}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), a]);
  }
  for (const [key, answers] of byTarget) {
    const [kind, id] = key.split(":") as ["order" | "bill", string];
    const c = answers[0]!.op.c;
    const liveBefore = prev.accounts[c]!.intents.filter((i) => i.target_kind === kind && i.target_id === id && (i.state === "pending" || i.state === "posted"));
    const intentsNow = snap.accounts[c]!.intents.filter((i) => i.target_kind === kind && i.target_id === id);
    const paidBy = kind === "order" ? snap.d1Before.orders.get(id)?.payment_id : snap.d1Before.bills.get(id)?.payment_id;
    const charged = liveBefore.filter((i) => i.intent_id === paidBy || intentsNow.some((n) => n.intent_id === i.intent_id && n.state !== "voided"));
    for (const a of answers) {
      if (a.outcome !== "refused" || aboutTheRequest(a)) continue;
      if (charged.length > 0) {
        broken.push(`${key}: #${a.seq} refused (${a.code}) while its payment ${charged[0]!.intent_id} was ${charged[0]!.state} since before the step`);
      }
    }
    if (!answers.every((a) => a.outcome === "refused")) continue;
    const before = kind === "order" ? prev.d1After.orders.get(id)?.status : prev.d1After.bills.get(id)?.status;
    if (before === "paid" || liveBefore.length > 0) continue;
    const placed = intentsNow.filter((i) => i.state !== "voided" && !prev.accounts[c]!.intents.some((p) => p.intent_id === i.intent_id));
    if (placed.length > 0) broken.push(`${key}: every client of this step was refused (${answers.map((a) => a.code).join(", ")}), yet payment ${placed[0]!.intent_id} of the step is ${placed[0]!.state}`);
  }
  return broken;
}

/**
 * After everything drained: each paid order or bill was told paid to some
 * client, unless a client got an answer not yet known; every target a client
 * was told is paid is paid; a senderid every add of which was refused placed
 * no order; every deposit the ledger has was accepted or left unknown.
 */
export function auditAnswersFinal(world: World, snap: Snapshot, history: History): string[] {
  const broken: string[] = [];
  const d1 = snap.d1After;
  const slotOfBill = (b: { dwid: string; sender_bill_num: string | null }) => {
    const c = world.customers.findIndex((x) => x.dwid === b.dwid);
    return b.sender_bill_num === null ? null : `bill-slot:${c}:${b.sender_bill_num.slice(1)}`;
  };
  const slotOfOrder = (o: { dwid: string; sender_id: string | null }) => {
    const c = world.customers.findIndex((x) => x.dwid === o.dwid);
    return o.sender_id === null ? null : `order-slot:${c}:${o.sender_id.slice(1)}`;
  };
  const told = (kind: "order" | "bill", id: string) => history.answers.filter((a) => isPaid(a) && paidKey(a) === `${kind}:${id}`).length;
  const check = (kind: "order" | "bill", id: string, slot: string | null) => {
    const unknown = history.hadUnknown(`${kind}:${id}`) || (slot !== null && history.hadUnknown(slot));
    if (told(kind, id) === 0 && !unknown) broken.push(`${kind} ${id}: paid, but no client was told so and none got an answer not yet known`);
  };
  for (const o of d1.orders.values()) if (o.status === "paid") check("order", o.order_id, slotOfOrder(o));
  for (const b of d1.bills.values()) if (b.status === "paid") check("bill", b.bill_num, slotOfBill(b));

  for (const a of history.answers.filter(isPaid)) {
    const key = paidKey(a);
    const [kind, id] = key.split(":") as [string, string];
    const status = kind === "order" ? d1.orders.get(id)?.status : d1.bills.get(id)?.status;
    if (status !== "paid") broken.push(`#${a.seq}: told ${a.outcome} for ${key}, which ends ${status ?? "missing"}`);
  }

  // Every committed refund was told done to a client, or a client got an answer not yet known for its number.
  for (const r of d1.refunds.filter((x) => x.outcome === "commit")) {
    const c = world.customers.findIndex((x) => x.dwid === r.dwid);
    const answers = history.answers.filter((a) => a.op.kind === "refund" && a.op.c === c && `R${a.op.refund}` === r.refund_no);
    if (!answers.some((a) => a.outcome === "ok" || a.outcome === "unknown")) broken.push(`refund ${r.refund_no} of c${c} committed, but no client was told so and none got an answer not yet known`);
  }

  // Told cancelled ⇒ it ends cancelled (a pay never won after); every cancelled order was told so to a client, or one got an answer not yet known.
  const answered = (kind: Answer["op"]["kind"], id: string) => history.answers.filter((a) => a.op.kind === kind && a.target?.id === id);
  for (const a of history.answers.filter((x) => x.op.kind === "cancel" && x.outcome === "ok")) {
    const status = d1.orders.get(a.target!.id!)?.status;
    if (status !== "cancelled") broken.push(`#${a.seq}: told order ${a.target!.id} cancelled, which ends ${status ?? "missing"}`);
  }
  for (const o of [...d1.orders.values()].filter((x) => x.status === "cancelled")) {
    if (!answered("cancel", o.order_id).some((a) => a.outcome === "ok" || a.outcome === "unknown")) broken.push(`order ${o.order_id}: cancelled, but no client was told so and none got an answer not yet known`);
  }
  // Every committed date change was told to a client, or one got an answer not yet known; every text queued was told queued, or unknown.
  for (const c of d1.dateChanges.filter((x) => x.outcome === "commit")) {
    if (!answered("change-date", c.order_id).some((a) => a.outcome === "ok" || a.outcome === "unknown")) broken.push(`order ${c.order_id}: moved to ${c.to_date} (${c.change_id}), but no client was told so and none got an answer not yet known`);
  }
  for (const [orderId, rows] of counts(d1.outbox.filter((x) => x.kind === "order_resent").map((x) => x.target_id))) {
    const answers = answered("resend", orderId);
    const told = answers.filter((a) => a.outcome === "ok").length;
    const unknown = answers.filter((a) => a.outcome === "unknown").length;
    if (rows < told || rows > told + unknown) broken.push(`order ${orderId}: ${rows} texts queued, ${told} resends told queued and ${unknown} not yet known`);
  }

  // Every used ticket was told admitted to a scan, or a scan of it got an answer not yet known.
  const admitted = new Set(history.answers.filter(isAdmission).map((a) => a.target!.id!));
  for (const t of d1.ticketByCode.values()) {
    if (t.status === "used" && !admitted.has(t.ticket_code) && !history.hadUnknown(`ticket:${t.ticket_code}`)) {
      broken.push(`ticket ${t.ticket_code}: used at ${t.used_gate_id}, but no scan was told it was admitted and none got an answer not yet known`);
    }
  }

  const addsBySlot = new Map<string, Answer[]>();
  for (const a of history.answers) {
    if ((a.op.kind === "add" || a.op.kind === "yearcard") && a.op.sender !== null) {
      const key = `${a.op.c}:${a.op.sender}`;
      addsBySlot.set(key, [...(addsBySlot.get(key) ?? []), a]);
    }
  }
  for (const [key, adds] of addsBySlot) {
    if (!adds.every((a) => a.outcome === "refused")) continue;
    const [c, sender] = key.split(":").map(Number) as [number, number];
    const placed = [...d1.orders.values()].find((o) => o.dwid === world.customers[c]!.dwid && o.sender_id === world.senderId(sender));
    if (placed) broken.push(`senderid ${world.senderId(sender)} of c${c}: every add was refused, yet order ${placed.order_id} exists`);
  }

  for (const acc of snap.accounts) {
    for (const e of acc.ledger.filter((x) => x.kind === "deposit" && x.reference !== "opening")) {
      const answers = history.answers.filter((a) => a.op.kind === "deposit" && a.op.c === acc.c && world.depositReference(a.op.ref) === e.reference);
      if (!answers.some((a) => a.outcome === "ok" || a.outcome === "unknown")) broken.push(`c${acc.c}: deposit ${e.reference} in the ledger, but no client was told it was accepted`);
      if (answers.filter((a) => a.outcome === "ok").length > 1) broken.push(`c${acc.c}: deposit ${e.reference} answered 201 more than once`);
    }
  }
  return broken;
}

function paidKey(a: Answer): string {
  return a.op.kind === "pay" ? `order:${a.body.orderid}` : `bill:${a.body.tag?.BillNum}`;
}
