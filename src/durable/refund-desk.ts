/**
 * Refunds of a paid order's tickets back to the deposit (SPEC §10, §6), run
 * inside the customer's AccountDO, built like the payment (payment-desk.ts):
 *
 *   1. a refund intent 'pending' (nothing credited, nothing held), the alarm
 *      armed with it;
 *   2. one guarded D1 batch that records the decision first and refunds the
 *      tickets only under a 'commit' (db/refunds.ts);
 *   3. post (the ledger's refund entry, balance += amount) or void;
 *   4. the units back in their product-day (InventoryDO.returnUnits,
 *      idempotent by refund), before the answer says 0.
 *
 * Idempotent on the refund number (the partner's `refundid`): a repeat
 * answers the same refund and credits nothing; the same number with other
 * tickets is refused. When a step's outcome is unknown the decision record
 * settles it (the fence), and the alarm finishes what a crash left: pending
 * refunds settled, posted ones' units returned.
 */
import type { Clock } from "../clock";
import type { Config } from "../config";
import { ResultCodes, type ResultKey } from "../domain/codes";
import { planRefund, refundedStatus, type RefundPlan, type RefundRefusal } from "../domain/refunds";
import { shanghaiDate } from "../domain/dates";
import { orderRefundedOutboxId } from "../domain/notifications";
import { parseRefundDecided, parseRefundLoad, refundLoadStatements, refundStatements, settleRefundDecision, type OrderLookup, type Refund, type RefundDecided, type RefundableOrder } from "../db/refunds";
import type { Random } from "../random";
import { appendLedger, assert, readTotals, writeTotals } from "./account-ledger";
import type { BalanceWatch } from "./balance-watch";
import type { Faults } from "./faults";
import type { PaymentDesk } from "./payment-desk";
import { logFault, settleWithRetries } from "./settling";

export interface RefundCall {
  /** Names the Worker request; its retry after an object reset sends the same. */
  requestId: string;
  dwid: string;
  find: OrderLookup;
  refundNo: string;
  /** null: every valid ticket of the order. */
  ticketCodes: string[] | null;
  reason: string | null;
  requestedBy: "partner" | "operator";
  /** An operator's (SPEC §10): no fee, no deadline. */
  waiveFee: boolean;
  ignoreDeadline: boolean;
}

/** A refund as its answer shows it (and as a repeat of it is answered). */
export interface RefundView {
  refundNo: string;
  orderId: string;
  senderId: string | null;
  amountFen: number;
  feeFen: number;
  tickets: string[];
  orderStatus: string;
  refundedAtMs: number;
  /** Its outbox row (the partner callback and the guest SMS), for the endpoint to hand to the queue. */
  notificationId: string;
}

export type RefundAnswer =
  | { kind: "refunded"; view: RefundView }
  | { kind: "refused"; reason: ResultKey; message?: string }
  | { kind: "unknown"; message?: string };

/** Returns a refund's units to their product-day (InventoryDO.returnUnits through the Worker's binding). */
export type ReturnUnits = (r: { orderId: string; effectDate: string; productId: string; units: number; refundId: string }) => Promise<void>;

interface RefundIntentRow {
  intent_id: string;
  refund_no: string;
  order_id: string;
  effect_date: string;
  amount_fen: number;
  fee_fen: number;
  tickets_json: string;
  stock_json: string;
  reason: string | null;
  requested_by: "partner" | "operator";
  state: "pending" | "posted" | "voided";
  stock_returned: number;
  request_id: string;
  created_at_ms: number;
  decided_at_ms: number | null;
  detail_json: string | null;
  [column: string]: SqlStorageValue;
}

type Settlement = RefundDecided | "pending";

/** Rounds of "settle what blocks, read again" one refund takes at most. */
const MAX_ROUNDS = 3;

export class RefundDesk {
  private readonly inFlight = new Map<string, Promise<Settlement>>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sql: SqlStorage,
    private readonly db: D1Database,
    private readonly config: Config,
    private readonly faults: Faults,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly payments: PaymentDesk,
    private readonly returnUnits: ReturnUnits,
    private readonly armAlarm: (atMs: number) => void,
    /** The low-balance alert: a refund credit may re-arm it (balance-watch.ts). */
    private readonly watch: BalanceWatch,
  ) {}

  /**
   * A request's own earlier refund (its retry after an object reset), answered
   * before any check; null when it has none that decided anything.
   */
  async ownAnswer(call: RefundCall): Promise<RefundAnswer | null> {
    const own = this.sql
      .exec<RefundIntentRow>("SELECT * FROM refund_intents WHERE request_id = ? AND state IN ('pending','posted')", call.requestId)
      .toArray()[0];
    if (!own) return null;
    const state = own.state === "pending" ? await this.settleBounded(own) : own.state;
    if (state === "pending") return { kind: "unknown" };
    return state === "posted" ? this.answerPosted(this.intent(own.intent_id), call) : null;
  }

  async refund(call: RefundCall): Promise<RefundAnswer> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const live = this.liveByNumber(call.refundNo);
      if (live?.state === "posted") return this.answerPosted(live, call);
      if (live?.state === "pending") {
        if ((await this.settleBounded(live)) === "pending") return { kind: "unknown" };
        continue;
      }
      let order: RefundableOrder | null;
      try {
        order = parseRefundLoad(await this.faults.d1("read", () => this.db.batch(refundLoadStatements(this.db, call.dwid, call.find))));
      } catch (error) {
        logFault("refund_read_failed", call.refundNo, error);
        return { kind: "refused", reason: "storeUnavailable" };
      }
      if (!order) return { kind: "refused", reason: "orderNotFound" };
      // Paid ⇔ its debit posted here (SPEC §6): a payment still pending is settled first.
      if (order.status === "paid") {
        const debit = order.paymentId === null ? null : await this.payments.settledState(order.paymentId);
        if (debit !== "posted") return { kind: "unknown" };
      }
      const pendingOnOrder = this.pendingOnOrder(order.orderId);
      if (pendingOnOrder) {
        if ((await this.settleBounded(pendingOnOrder)) === "pending") return { kind: "unknown" };
        continue;
      }
      const planned = planRefund(order, {
        ticketCodes: call.ticketCodes,
        today: shanghaiDate(this.clock.nowMs()),
        policies: order.policies,
        waiveFee: call.waiveFee,
        ignoreDeadline: call.ignoreDeadline,
      });
      if (!planned.ok) return { kind: "refused", reason: planned.refusal.key, message: refusalMessage(planned.refusal) };
      const answer = await this.run(call, order, planned.plan);
      if (answer !== "voided") return answer;
      // Voided: the tickets or the order changed under it (a gate check, another refund); read again to say why.
    }
    return { kind: "refused", reason: "storeUnavailable" };
  }

  /** Steps 1–4 for one plan; "voided" when D1 refused it. */
  private async run(call: RefundCall, order: RefundableOrder, plan: RefundPlan): Promise<RefundAnswer | "voided"> {
    const intentId = this.random.uuid();
    const nowMs = this.clock.nowMs();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO refund_intents (intent_id, refund_no, order_id, effect_date, amount_fen, fee_fen, tickets_json, stock_json, reason,
           requested_by, state, request_id, created_at_ms, detail_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        intentId, call.refundNo, order.orderId, order.effectDate, plan.amountFen, plan.feeFen, JSON.stringify(plan.tickets),
        JSON.stringify(plan.stock), call.reason, call.requestedBy, call.requestId, nowMs, JSON.stringify({ senderId: order.senderId, holdKey: order.holdKey }),
      );
    });
    this.armAlarm(nowMs + this.config.paymentRecoveryDelayMs);
    const refund = this.refundOf(this.intent(intentId), call.dwid);
    const running = this.commitInD1(refund, order.senderId);
    this.inFlight.set(intentId, running);
    let settlement: Settlement;
    try {
      settlement = await running;
    } finally {
      this.inFlight.delete(intentId);
    }
    if (settlement === "pending") return { kind: "unknown" };
    if (settlement.decision === "void") return "voided";
    return this.answerPosted(this.intent(intentId), call);
  }

  private async commitInD1(refund: Refund, senderId: string | null): Promise<Settlement> {
    let decided: RefundDecided;
    try {
      const outbox = {
        id: orderRefundedOutboxId(refund.intentId),
        payload: JSON.stringify({ orderId: refund.orderId, senderId, dwid: refund.dwid, refundNo: refund.refundNo, intentId: refund.intentId }),
      };
      const statements = refundStatements(this.db, refund, outbox, this.clock.nowMs());
      decided = parseRefundDecided(await this.faults.d1("batch", () => this.db.batch(statements), this.ctx));
    } catch (error) {
      logFault("refund_batch_unknown", refund.intentId, error);
      return settleWithRetries(() => this.settleById(refund.intentId));
    }
    this.finish(refund.intentId, decided);
    return decided;
  }

  // ------------------------------------------------------------ answers

  /**
   * A posted refund: the same request or a repeat of its number. Its units go
   * back to stock before it is answered (the alarm retries what fails here).
   */
  private async answerPosted(intent: RefundIntentRow, call: RefundCall): Promise<RefundAnswer> {
    const tickets = JSON.parse(intent.tickets_json) as string[];
    const sameOrder = call.find.orderId !== null ? call.find.orderId === intent.order_id : true;
    const sameTickets = call.ticketCodes === null || JSON.stringify([...new Set(call.ticketCodes)].sort()) === intent.tickets_json;
    if (!sameOrder || !sameTickets) return { kind: "refused", reason: "refundIdConflict" };
    if (!(await this.returnStock(intent))) return { kind: "unknown" };
    return { kind: "refunded", view: viewOf(this.intent(intent.intent_id), tickets) };
  }

  // ------------------------------------------------------------ the two phases

  private finish(intentId: string, decided: RefundDecided): void {
    // The refund's instant is D1's decision's: the ledger, the answer and the partner's callback agree.
    const nowMs = decided.decidedAtMs ?? this.clock.nowMs();
    this.ctx.storage.transactionSync(() => {
      const intent = this.intent(intentId);
      if (intent.state !== "pending") return;
      const detail = { ...(JSON.parse(intent.detail_json ?? "{}") as object), orderStatus: orderStatusOf(decided) };
      this.sql.exec(
        "UPDATE refund_intents SET state = ?, decided_at_ms = ?, detail_json = ? WHERE intent_id = ? AND state = 'pending'",
        decided.decision === "commit" ? "posted" : "voided", nowMs, JSON.stringify(detail), intentId,
      );
      if (decided.decision !== "commit") return;
      const totals = readTotals(this.sql);
      const balanceFen = totals.balanceFen + intent.amount_fen;
      writeTotals(this.sql, { balanceFen, heldFen: totals.heldFen });
      appendLedger(this.sql, {
        kind: "refund",
        amountFen: intent.amount_fen,
        balanceAfterFen: balanceFen,
        reference: intentId,
        target: `order:${intent.order_id}`,
        createdAtMs: nowMs,
      });
      this.watch.afterCredit(nowMs);
    });
  }

  /** The units of a posted refund back in stock, once; true when they are. */
  private async returnStock(intent: RefundIntentRow): Promise<boolean> {
    if (intent.stock_returned === 1) return true;
    try {
      for (const { productId, units } of JSON.parse(intent.stock_json) as { productId: string; units: number }[]) {
        await this.returnUnits({ orderId: holdKeyOf(intent), effectDate: intent.effect_date, productId, units, refundId: intent.intent_id });
      }
    } catch (error) {
      logFault("refund_stock_not_returned", intent.intent_id, error);
      this.armAlarm(this.clock.nowMs() + Math.max(this.config.paymentRecoveryDelayMs, 1000));
      return false;
    }
    this.sql.exec("UPDATE refund_intents SET stock_returned = 1 WHERE intent_id = ?", intent.intent_id);
    return true;
  }

  // ------------------------------------------------------------ settling

  private async settleBounded(intent: RefundIntentRow): Promise<RefundIntentRow["state"]> {
    if (intent.state !== "pending") return intent.state;
    await (this.inFlight.get(intent.intent_id) ?? settleWithRetries(() => this.settleById(intent.intent_id)));
    return this.intent(intent.intent_id).state;
  }

  private async settleById(intentId: string): Promise<Settlement> {
    const intent = this.intent(intentId);
    if (intent.state !== "pending") return { decision: intent.state === "posted" ? "commit" : "void", decidedAtMs: intent.decided_at_ms, order: null };
    let decided: RefundDecided;
    try {
      decided = await this.faults.d1("settle", () => settleRefundDecision(this.db, this.refundOf(intent, this.dwid()), this.clock.nowMs()));
    } catch (error) {
      logFault("refund_settle_unknown", intentId, error);
      this.armAlarm(this.clock.nowMs() + Math.max(this.config.paymentRecoveryDelayMs, 1000));
      return "pending";
    }
    this.finish(intentId, decided);
    return decided;
  }

  /**
   * The alarm's share: settle pending refunds old enough and not in flight
   * here, and return the units of posted ones. Returns how many are still open.
   */
  async recover(): Promise<number> {
    const nowMs = this.clock.nowMs();
    const open = this.sql
      .exec<RefundIntentRow>("SELECT * FROM refund_intents WHERE state = 'pending' OR (state = 'posted' AND stock_returned = 0) ORDER BY created_at_ms")
      .toArray();
    let left = 0;
    for (const intent of open) {
      if (intent.state === "pending") {
        const young = intent.created_at_ms + this.config.paymentRecoveryDelayMs > nowMs;
        if (this.inFlight.has(intent.intent_id) || young || (await this.settleById(intent.intent_id)) === "pending") {
          left += 1;
          continue;
        }
      }
      const now = this.intent(intent.intent_id);
      if (now.state === "posted" && !(await this.returnStock(now))) left += 1;
    }
    return left;
  }

  /** Refunds still open (pending, or posted with units not yet back): the alarm's question on wake. */
  openCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM refund_intents WHERE state = 'pending' OR (state = 'posted' AND stock_returned = 0)").one().n;
  }

  // ------------------------------------------------------------ reading

  private intent(intentId: string): RefundIntentRow {
    const row = this.sql.exec<RefundIntentRow>("SELECT * FROM refund_intents WHERE intent_id = ?", intentId).toArray()[0];
    assert(row !== undefined, `unknown refund intent ${intentId}`);
    return row;
  }

  private liveByNumber(refundNo: string): RefundIntentRow | null {
    return this.sql.exec<RefundIntentRow>("SELECT * FROM refund_intents WHERE refund_no = ? AND state IN ('pending','posted')", refundNo).toArray()[0] ?? null;
  }

  private pendingOnOrder(orderId: string): RefundIntentRow | null {
    return this.sql.exec<RefundIntentRow>("SELECT * FROM refund_intents WHERE order_id = ? AND state = 'pending'", orderId).toArray()[0] ?? null;
  }

  private refundOf(intent: RefundIntentRow, dwid: string): Refund {
    return {
      intentId: intent.intent_id,
      dwid,
      refundNo: intent.refund_no,
      orderId: intent.order_id,
      amountFen: intent.amount_fen,
      feeFen: intent.fee_fen,
      tickets: JSON.parse(intent.tickets_json) as string[],
      reason: intent.reason,
      requestedBy: intent.requested_by,
      holdKey: holdKeyOf(intent),
    };
  }

  private dwid(): string {
    const row = this.sql.exec<{ dwid: string }>("SELECT dwid FROM profile WHERE singleton = 1").toArray()[0];
    assert(row !== undefined, "refund on an object without a profile");
    return row.dwid;
  }
}

function orderStatusOf(decided: RefundDecided): string {
  if (!decided.order) return "paid";
  return decided.order.status === "paid" ? refundedStatus(decided.order.refundedUnits, decided.order.ticketUnits) : decided.order.status;
}

function viewOf(intent: RefundIntentRow, tickets: string[]): RefundView {
  const detail = JSON.parse(intent.detail_json ?? "{}") as { senderId?: string | null; orderStatus?: string };
  return {
    refundNo: intent.refund_no,
    orderId: intent.order_id,
    senderId: detail.senderId ?? null,
    amountFen: intent.amount_fen,
    feeFen: intent.fee_fen,
    tickets,
    orderStatus: detail.orderStatus ?? "paid",
    refundedAtMs: intent.decided_at_ms ?? intent.created_at_ms,
    notificationId: orderRefundedOutboxId(intent.intent_id),
  };
}

/** The code's message, naming the ticket or product it is about. */
function refusalMessage(refusal: RefundRefusal): string | undefined {
  const about = refusal.ticket ?? refusal.productId;
  return about === undefined ? undefined : `${ResultCodes[refusal.key].message}（${about}）`;
}

/** The stock hold the refund's units go back to (intents written before date changes existed: the order's own). */
function holdKeyOf(intent: RefundIntentRow): string {
  return (JSON.parse(intent.detail_json ?? "{}") as { holdKey?: string }).holdKey ?? intent.order_id;
}
