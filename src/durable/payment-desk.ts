/**
 * The cross-store payment of SPEC §6, run inside the customer's AccountDO.
 *
 *   1. hold: an intent row 'pending' (with the view its answer will show)
 *      and held += amount, in one SQLite transaction, the alarm armed with it;
 *   2. one guarded D1 batch that records the decision first and pays the
 *      target only under a 'commit' (db/payments.ts);
 *   3. post (intent 'posted', balance −= amount, held −= amount, a debit in
 *      the ledger) or void (intent 'voided', held −= amount).
 *
 * When step 2's outcome is unknown (an error, a lost reply, a replay, a
 * crash), the decision recorded in D1 settles it — recording 'void' first if
 * there is none, which fences out a batch still in flight. The alarm settles
 * intents left pending by a crash; settling twice is harmless (post and void
 * only move a 'pending' intent).
 *
 * Every answer is true of the stores (SPEC §6): "paid" only with a posted
 * debit; a refusal only when this request charged nothing and nothing of it
 * is still pending; anything else is `unknown` (HTTP 503: retry to learn).
 *
 * Concurrent pays of one target wait for the one in flight instead of
 * placing a second hold; pays of different targets interleave freely at the
 * D1 await, and the synchronous hold keeps available ≥ 0.
 */
import type { Clock } from "../clock";
import type { Config } from "../config";
import type { ResultKey } from "../domain/codes";
import { paidAnswer, payability, type IntentState } from "../domain/payments";
import { parseDecided, settleDecision, type Decided, type Decision, type TargetKind } from "../db/payments";
import type { Random } from "../random";
import { appendLedger, assert, entryByReference, readTotals, writeTotals } from "./account-ledger";
import type { BalanceWatch } from "./balance-watch";
import { D1Coalescer } from "./d1-coalescer";
import type { Faults } from "./faults";
import type { PaymentTarget } from "./payment-targets";
import { logFault, settleWithRetries } from "./settling";

/** How a pay call ends. `view`: the target as the answer shows it. */
export type PayAnswer<View> =
  | { kind: "paid"; alreadyPaid: boolean; view: View }
  | { kind: "refused"; reason: ResultKey; message?: string; view?: View }
  | { kind: "unknown"; message?: string; view?: View };

interface IntentRow {
  intent_id: string;
  target_kind: TargetKind;
  target_id: string;
  amount_fen: number;
  state: IntentState;
  request_id: string;
  created_at_ms: number;
  detail_json: string | null;
  [column: string]: SqlStorageValue;
}

/** "pending" = the outcome could not be learned now (D1 unreachable); the alarm will settle it. */
type Settlement = Decided | "pending";

/** Pays per D1 batch at most (5 statements each, well inside D1's limits). */
const MAX_PAYMENTS_PER_BATCH = 32;
/** Rounds of "settle what blocks, read again" one pay call takes at most. */
const MAX_ROUNDS = 3;

const UNREADABLE = "暂时无法读取单据,本次未扣款,请重试";

export class PaymentDesk {
  /** Intents whose D1 step is running in this instance. */
  private readonly inFlight = new Map<string, Promise<Settlement>>();
  /** Group commit: the reads, and the pay batches, of concurrent pays share D1 round trips. */
  private readonly reads: D1Coalescer;
  private readonly writes: D1Coalescer;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sql: SqlStorage,
    private readonly db: D1Database,
    private readonly config: Config,
    private readonly faults: Faults,
    private readonly clock: Clock,
    private readonly random: Random,
    /** Makes sure the object's alarm fires no later than `atMs`. */
    private readonly armAlarm: (atMs: number) => void,
    /** The low-balance alert, decided in the transaction that posts or voids (balance-watch.ts). */
    private readonly watch: BalanceWatch,
  ) {
    this.reads = new D1Coalescer({ maxGroup: MAX_PAYMENTS_PER_BATCH, send: (statements) => this.faults.d1("read", () => this.db.batch(statements)) });
    this.writes = new D1Coalescer({ maxGroup: MAX_PAYMENTS_PER_BATCH, send: (statements) => this.faults.d1("batch", () => this.db.batch(statements), this.ctx) });
  }

  /**
   * A request's own earlier intent (its retry after an object reset carries
   * the same request id), answered before any gate or check: a payment the
   * request already made is never refused. null: it has none that decided
   * anything (none, or voided), so it goes through the gates like any other.
   */
  async ownAnswer<View>(requestId: string): Promise<PayAnswer<View> | null> {
    const own = this.sql
      .exec<IntentRow>("SELECT * FROM intents WHERE request_id = ? AND state IN ('pending','posted')", requestId)
      .toArray()[0];
    if (!own) return null;
    const state = own.state === "pending" ? await this.settleBounded(own) : "posted";
    if (state === "voided") return null;
    const view = viewOf<View>(own);
    if (state === "pending" || view === null) return { kind: "unknown", view: view ?? undefined };
    return { kind: "paid", alreadyPaid: false, view };
  }

  /** `requestId` names the Worker request (see ownAnswer). */
  async pay<Loaded, View>(dwid: string, target: PaymentTarget<Loaded, View>, requestId: string): Promise<PayAnswer<View>> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A live intent for a target named directly: wait for it, or settle it if a crash orphaned it.
      const earlier = target.knownId === null ? null : this.liveIntent(target.kind, target.knownId);
      if (earlier?.state === "pending" && (await this.settleBounded(earlier)) === "pending") return { kind: "unknown" };

      let loaded: Loaded | null;
      try {
        loaded = await this.load(target);
      } catch {
        return this.answerUnread(target, requestId);
      }
      const nowMs = this.clock.nowMs();
      const state = payability(loaded && target.state(loaded), dwid, nowMs, target.notFound);
      if (state === "paid") return this.answerPaid(target, loaded!, target.paymentIdOf(loaded!), requestId);
      if (state !== null) return { kind: "refused", reason: state, view: state === target.notFound ? undefined : target.view(loaded!) };

      // Synchronous from here to the hold: no other request runs in between.
      const live = this.liveIntent(target.kind, target.idOf(loaded!));
      if (live) {
        // D1 shows it unpaid, so a live intent here is still pending: settle it, then read again.
        if ((await this.settleBounded(live)) === "pending") return { kind: "unknown", view: target.view(loaded!) };
        continue;
      }
      const amountFen = target.amountFen(loaded!);
      const totals = readTotals(this.sql);
      if (totals.balanceFen - totals.heldFen < amountFen) return { kind: "refused", reason: "insufficientBalance", view: target.view(loaded!) };
      return this.runPayment(dwid, target, loaded!, requestId);
    }
    return { kind: "unknown" };
  }

  /** The hold, the D1 batch, the post or void, and the answer. */
  private async runPayment<Loaded, View>(dwid: string, target: PaymentTarget<Loaded, View>, loaded: Loaded, requestId: string): Promise<PayAnswer<View>> {
    const intentId = this.random.uuid();
    const paid = target.paidView(loaded, this.random);
    this.placeHold({
      intentId,
      kind: target.kind,
      targetId: target.idOf(loaded),
      alias: target.aliasOf(loaded),
      amountFen: target.amountFen(loaded),
      requestId,
      detailJson: JSON.stringify(paid),
    });
    if (this.faults.fires("abort-after-hold")) await this.faults.crash(this.ctx, "abort-after-hold");
    if (this.faults.fires("abort-after-hold-unsynced")) await this.faults.crash(this.ctx, "abort-after-hold-unsynced");

    const running = this.commitInD1(intentId, (paidAtMs) => target.statements(this.db, { intentId, dwid, loaded, paid, paidAtMs, random: this.random }));
    this.inFlight.set(intentId, running);
    let settlement: Settlement;
    try {
      settlement = await running;
    } finally {
      this.inFlight.delete(intentId);
    }
    if (settlement === "pending") return { kind: "unknown", view: target.view(loaded) };
    if (settlement.decision === "commit") return { kind: "paid", alreadyPaid: false, view: paid };
    return this.answerVoided(dwid, target, loaded, settlement, requestId);
  }

  /** Steps 2 and 3; returns how the intent ended. The batch is built at the payment's own instant. */
  private async commitInD1(intentId: string, statements: (paidAtMs: number) => D1PreparedStatement[]): Promise<Settlement> {
    let decided: Decided;
    try {
      decided = parseDecided(await this.writes.submit(statements(this.clock.nowMs())));
    } catch (error) {
      logFault("pay_batch_unknown", intentId, error);
      return this.settleWithRetries(intentId);
    }
    if (this.faults.fires("abort-after-batch")) await this.faults.crash(this.ctx, "abort-after-batch");
    this.finish(intentId, decided.decision);
    if (this.faults.fires("abort-after-post-unsynced")) await this.faults.crash(this.ctx, "abort-after-post-unsynced");
    return decided;
  }

  // ------------------------------------------------------------ answers

  /**
   * D1 shows the target paid by `paymentId`: "paid" only once that intent is
   * posted here, "now" only when it is this request's own.
   */
  private async answerPaid<Loaded, View>(target: PaymentTarget<Loaded, View>, loaded: Loaded, paymentId: string | null, requestId: string, after?: Decided["target"]): Promise<PayAnswer<View>> {
    let payer = paymentId === null ? null : this.payerOf(paymentId);
    for (;;) {
      const verdict = paidAnswer(payer && { state: payer.state, requestId: payer.request_id }, requestId);
      switch (verdict) {
        case "settle-first":
          // Pending: the intent itself is here (a purged one was posted).
          if ((await this.settleBounded(this.intent(paymentId!))) === "pending") return { kind: "unknown", view: target.view(loaded, after) };
          payer = this.payerOf(paymentId!);
          continue;
        case "unknown":
          console.error(JSON.stringify({ event: "paid_without_posted_intent", paymentId, state: payer?.state ?? null }));
          return { kind: "unknown", view: target.view(loaded, after) };
        case "paid-now":
        case "paid-earlier":
          return { kind: "paid", alreadyPaid: verdict === "paid-earlier", view: target.view(loaded, after) };
      }
    }
  }

  /** Our intent was voided: say why, from the target as the deciding transaction left it. */
  private async answerVoided<Loaded, View>(dwid: string, target: PaymentTarget<Loaded, View>, loaded: Loaded, decided: Decided, requestId: string): Promise<PayAnswer<View>> {
    if (decided.target === null) return { kind: "refused", reason: target.notFound };
    const state = payability({ ...target.state(loaded), status: decided.target.status as never, expiresAtMs: decided.target.expiresAtMs }, dwid, this.clock.nowMs(), target.notFound);
    if (state === "paid") return this.answerPaid(target, loaded, decided.target.paymentId, requestId, decided.target);
    // Still payable: the fence, not the guard, voided it (the batch never landed). Nothing was charged.
    return { kind: "refused", reason: state ?? "paymentFailed", view: target.view(loaded, decided.target) };
  }

  /**
   * What this object alone knows of the target the request names (by id, or
   * by its alias): paid from this deposit (a posted intent, answered from
   * what it kept), a payment still pending (settled first; still unknown:
   * "not yet known"), or nothing (null). Asked before the pay password, so a
   * request for a paid target is never refused as if it were unpaid.
   */
  async knownAnswer<Loaded, View>(target: PaymentTarget<Loaded, View>, requestId: string): Promise<PayAnswer<View> | null> {
    const live = target.knownId !== null ? this.liveIntent(target.kind, target.knownId) : target.alias !== null ? this.liveIntentByAlias(target.kind, target.alias) : null;
    if (!live) return null;
    const state = live.state === "pending" ? await this.settleBounded(live) : live.state;
    if (state === "voided") return null;
    const view = viewOf<View>(live);
    if (state === "pending" || view === null) return { kind: "unknown", view: view ?? undefined };
    return { kind: "paid", alreadyPaid: live.request_id !== requestId, view };
  }

  /**
   * The target could not be read. This object still knows whether it is paid
   * from its deposit (knownAnswer); when it knows nothing, the target is not
   * paid and this request charged nothing.
   */
  private async answerUnread<Loaded, View>(target: PaymentTarget<Loaded, View>, requestId: string): Promise<PayAnswer<View>> {
    return (await this.knownAnswer(target, requestId)) ?? { kind: "refused", reason: "paymentFailed", message: UNREADABLE };
  }

  // ------------------------------------------------------------ the two phases

  private placeHold(h: { intentId: string; kind: TargetKind; targetId: string; alias: string | null; amountFen: number; requestId: string; detailJson: string }): void {
    const nowMs = this.clock.nowMs();
    this.ctx.storage.transactionSync(() => {
      const totals = readTotals(this.sql);
      assert(totals.balanceFen - totals.heldFen >= h.amountFen, "hold exceeds available");
      this.sql.exec(
        `INSERT INTO intents (intent_id, target_kind, target_id, alias, amount_fen, state, request_id, created_at_ms, detail_json)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        h.intentId, h.kind, h.targetId, h.alias, h.amountFen, h.requestId, nowMs, h.detailJson,
      );
      writeTotals(this.sql, { balanceFen: totals.balanceFen, heldFen: totals.heldFen + h.amountFen });
    });
    this.armAlarm(nowMs + this.config.paymentRecoveryDelayMs);
  }

  /** Post or void a pending intent; a no-op when it was already decided. */
  private finish(intentId: string, decision: Decision): void {
    const nowMs = this.clock.nowMs();
    this.ctx.storage.transactionSync(() => {
      const intent = this.intent(intentId);
      if (intent.state !== "pending") return;
      const totals = readTotals(this.sql);
      const heldFen = totals.heldFen - intent.amount_fen;
      const balanceFen = decision === "commit" ? totals.balanceFen - intent.amount_fen : totals.balanceFen;
      this.sql.exec(
        "UPDATE intents SET state = ?, decided_at_ms = ? WHERE intent_id = ? AND state = 'pending'",
        decision === "commit" ? "posted" : "voided", nowMs, intentId,
      );
      writeTotals(this.sql, { balanceFen, heldFen });
      if (decision === "commit") {
        const entry = appendLedger(this.sql, {
          kind: "debit",
          amountFen: intent.amount_fen,
          balanceAfterFen: balanceFen,
          reference: intentId,
          target: `${intent.target_kind}:${intent.target_id}`,
          createdAtMs: nowMs,
        });
        this.watch.afterDebit(entry.seq, nowMs);
      } else {
        this.watch.afterCredit(nowMs);
      }
    });
  }

  // ------------------------------------------------------------ settling

  /**
   * Waits for an intent in flight here, or learns its decision from D1
   * (settleWithRetries); returns the intent's state after.
   */
  private async settleBounded(intent: IntentRow): Promise<IntentState> {
    if (intent.state !== "pending") return intent.state;
    await (this.inFlight.get(intent.intent_id) ?? this.settleWithRetries(intent.intent_id));
    return this.intent(intent.intent_id).state;
  }

  /** settleById, tried a few times with short waits (settling.ts). */
  private settleWithRetries(intentId: string): Promise<Settlement> {
    return settleWithRetries(() => this.settleById(intentId));
  }

  /**
   * The state of a payment intent once a bounded settlement was tried (a
   * refund needs its order's debit posted first); null when this object has
   * no such intent.
   */
  async settledState(intentId: string): Promise<IntentState | null> {
    const intent = this.intentOrNull(intentId);
    if (intent === null) return this.postedAndPurged(intentId) ? "posted" : null;
    return this.settleBounded(intent);
  }

  /** The intent D1 names as a target's payer, as paidAnswer weighs it. */
  private payerOf(intentId: string): { state: IntentState; request_id: string } | null {
    return this.intentOrNull(intentId) ?? (this.postedAndPurged(intentId) ? { state: "posted", request_id: "" } : null);
  }

  /**
   * An intent purged after its retention window (account-retention.ts) was
   * posted when the ledger holds its debit — the money record, never purged.
   * Its request is long gone: any request asking now is another one.
   */
  private postedAndPurged(intentId: string): boolean {
    return entryByReference(this.sql, "debit", intentId) !== null;
  }

  private async settleById(intentId: string): Promise<Settlement> {
    const intent = this.intent(intentId);
    if (intent.state !== "pending") return { decision: intent.state === "posted" ? "commit" : "void", target: null };
    const nowMs = this.clock.nowMs();
    let decided: Decided;
    try {
      decided = await this.faults.d1("settle", () =>
        settleDecision(
          this.db,
          { intentId, dwid: this.dwid(), targetKind: intent.target_kind, targetId: intent.target_id, amountFen: intent.amount_fen },
          nowMs,
        ),
      );
    } catch (error) {
      logFault("settle_unknown", intentId, error);
      this.armAlarm(nowMs + Math.max(this.config.paymentRecoveryDelayMs, 1000));
      return "pending";
    }
    this.finish(intentId, decided.decision);
    return decided;
  }

  /**
   * The alarm's share: settle every pending intent old enough and not in
   * flight here. Returns how many are still pending.
   */
  async recover(): Promise<number> {
    const nowMs = this.clock.nowMs();
    const pending = this.sql.exec<IntentRow>("SELECT * FROM intents WHERE state = 'pending' ORDER BY created_at_ms").toArray();
    let left = 0;
    for (const intent of pending) {
      const young = intent.created_at_ms + this.config.paymentRecoveryDelayMs > nowMs;
      if (this.inFlight.has(intent.intent_id) || young || (await this.settleById(intent.intent_id)) === "pending") left += 1;
    }
    return left;
  }

  /** Intents still pending (the alarm's question on wake). */
  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM intents WHERE state = 'pending'").one().n;
  }

  // ------------------------------------------------------------ reading

  private async load<Loaded, View>(target: PaymentTarget<Loaded, View>): Promise<Loaded | null> {
    return target.parseLoad(await this.reads.submit(target.loadStatements(this.db)));
  }

  private intent(intentId: string): IntentRow {
    const row = this.intentOrNull(intentId);
    assert(row !== null, `unknown intent ${intentId}`);
    return row;
  }

  private intentOrNull(intentId: string): IntentRow | null {
    return this.sql.exec<IntentRow>("SELECT * FROM intents WHERE intent_id = ?", intentId).toArray()[0] ?? null;
  }

  private liveIntent(kind: TargetKind, targetId: string): IntentRow | null {
    return (
      this.sql
        .exec<IntentRow>("SELECT * FROM intents WHERE target_kind = ? AND target_id = ? AND state IN ('pending','posted')", kind, targetId)
        .toArray()[0] ?? null
    );
  }

  private liveIntentByAlias(kind: TargetKind, alias: string): IntentRow | null {
    return (
      this.sql
        .exec<IntentRow>("SELECT * FROM intents WHERE target_kind = ? AND alias = ? AND state IN ('pending','posted') AND alias IS NOT NULL", kind, alias)
        .toArray()[0] ?? null
    );
  }

  private dwid(): string {
    const row = this.sql.exec<{ dwid: string }>("SELECT dwid FROM profile WHERE singleton = 1").toArray()[0];
    assert(row !== undefined, "payment on an object without a profile");
    return row.dwid;
  }
}

/** The view an intent keeps: what its answer shows once paid (null: placed before schema version 2). */
function viewOf<View>(intent: IntentRow): View | null {
  return intent.detail_json === null ? null : (JSON.parse(intent.detail_json) as View);
}

