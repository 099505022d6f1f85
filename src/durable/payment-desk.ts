/**
 * The cross-store payment of SPEC §6, run inside the customer's AccountDO.
 *
 *   1. hold: an intent row 'pending' and held += amount, in one SQLite
 *      transaction (the alarm is armed with it);
 *   2. one guarded D1 batch: target paid + decision 'commit' + tickets or
 *      pickup code + outbox (db/payments.ts);
 *   3. post (intent 'posted', balance −= amount, held −= amount, a debit in
 *      the ledger) or void (intent 'voided', held −= amount).
 *
 * When step 2's outcome is unknown (an error, a lost reply, a crash), the
 * decision recorded in D1 settles it — recording 'void' first if there is
 * none, which fences out a batch still in flight. The alarm settles intents
 * left pending by a crash; settling twice is harmless (post and void only
 * move a 'pending' intent).
 *
 * Concurrent pays of one target wait for the one in flight instead of
 * placing a second hold; pays of different targets interleave freely at the
 * D1 await, and the synchronous hold keeps available ≥ 0.
 */
import type { Config } from "../config";
import type { ResultKey } from "../domain/codes";
import { payability } from "../domain/payments";
import { settleDecision, type Decision } from "../db/payments";
import { appendLedger, assert, readTotals, writeTotals } from "./account-ledger";
import { D1Coalescer } from "./d1-coalescer";
import { Faults, InjectedFault } from "./faults";
import type { Random } from "../random";
import type { PaymentTarget } from "./payment-targets";

/** How a pay call ended. `loaded` is the target as last read, for the answer. */
export type PayOutcome<Loaded> =
  | { ok: true; alreadyPaid: boolean; loaded: Loaded }
  | { ok: false; reason: ResultKey; message?: string; loaded?: Loaded };

interface IntentRow {
  intent_id: string;
  target_kind: "order" | "bill";
  target_id: string;
  amount_fen: number;
  state: "pending" | "posted" | "voided";
  request_id: string;
  created_at_ms: number;
  [column: string]: SqlStorageValue;
}

/** "pending" = the outcome could not be learned now (D1 unreachable); the alarm will settle it. */
type Settlement = Decision | "pending";

/** Pays per D1 batch at most (4 statements each, well inside D1's limits). */
const MAX_PAYMENTS_PER_BATCH = 32;

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
    private readonly random: Random,
    /** Makes sure the object's alarm fires no later than `atMs`. */
    private readonly armAlarm: (atMs: number) => void,
  ) {
    this.reads = new D1Coalescer({ maxGroup: MAX_PAYMENTS_PER_BATCH, send: (statements) => this.faults.d1("read", () => this.db.batch(statements)) });
    this.writes = new D1Coalescer({ maxGroup: MAX_PAYMENTS_PER_BATCH, send: (statements) => this.faults.d1("batch", () => this.db.batch(statements)) });
  }

  private async load<Loaded>(target: PaymentTarget<Loaded>): Promise<Loaded | null> {
    return target.parseLoad(await this.reads.submit(target.loadStatements(this.db)));
  }

  /**
   * `requestId` names the Worker request; the Worker's retry after an object
   * reset carries the same one, so a payment it committed before the crash
   * is answered as paid now rather than "paid earlier".
   */
  async pay<Loaded>(dwid: string, target: PaymentTarget<Loaded>, nowMs: number, requestId: string): Promise<PayOutcome<Loaded>> {
    // A live intent for this target: wait for it (or settle it, if a crash orphaned it).
    const earlier = target.knownId === null ? null : this.liveIntent(target.kind, target.knownId);
    const ownEarlier = earlier !== null && earlier.request_id === requestId;
    if (earlier?.state === "pending") await this.settle(earlier, nowMs);

    let loaded: Loaded | null;
    try {
      loaded = await this.load(target);
    } catch {
      return { ok: false, reason: "paymentPending", message: "暂时无法读取单据,请稍后重试" };
    }
    const state = payability(loaded && target.state(loaded), dwid, nowMs, target.notFound);
    if (state === "paid") {
      // "Paid earlier, nothing charged" (SPEC §5.4 errcode 1) must not be said to the request whose own
      // payment it was. A bill found by SenderBillNum has no id before loading: find its intent now
      // (reliability sim, seed 2: abort-after-batch, then the Worker's retry was told "paid earlier").
      const own = ownEarlier ? earlier : target.knownId === null ? this.ownLiveIntent(target, loaded!, requestId) : null;
      if (own !== earlier && own?.state === "pending") await this.settle(own, nowMs);
      return { ok: true, alreadyPaid: !(own !== null && own.intent_id === this.paidBy(target, loaded!)), loaded: loaded! };
    }
    if (state !== null) return { ok: false, reason: state, loaded: state === target.notFound ? undefined : loaded! };

    // Synchronous from here to the hold: no other request runs in between.
    const targetId = target.idOf(loaded!);
    const live = this.liveIntent(target.kind, targetId);
    if (live) return this.afterConcurrentIntent(live, dwid, target, nowMs, requestId);
    const amountFen = target.amountFen(loaded!);
    const totals = readTotals(this.sql);
    if (totals.balanceFen - totals.heldFen < amountFen) return { ok: false, reason: "insufficientBalance", loaded: loaded! };
    const intentId = this.random.uuid();
    this.placeHold(intentId, target.kind, targetId, amountFen, nowMs, requestId);
    if (this.faults.fires("abort-after-hold")) await this.faults.crash(this.ctx, "abort-after-hold");

    const running = this.commitInD1(intentId, target.statements(this.db, intentId, dwid, loaded!, nowMs, this.random), nowMs);
    this.inFlight.set(intentId, running);
    let outcome: Settlement;
    try {
      outcome = await running;
    } finally {
      this.inFlight.delete(intentId);
    }
    if (outcome === "commit") return { ok: true, alreadyPaid: false, loaded: loaded! };
    if (outcome === "pending") return { ok: false, reason: "paymentPending", loaded: loaded! };
    return this.refusalAfterVoid(dwid, target, loaded!, nowMs);
  }

  /** Steps 2 and 3; returns how the intent ended. */
  private async commitInD1(intentId: string, statements: D1PreparedStatement[], nowMs: number): Promise<Settlement> {
    let decision: Decision;
    try {
      const results = await this.writes.submit(statements);
      decision = results[0]!.meta.changes === 1 ? "commit" : "void";
    } catch (error) {
      logFault("pay_batch_unknown", intentId, error);
      return this.settleById(intentId, nowMs);
    }
    if (this.faults.fires("abort-after-batch")) await this.faults.crash(this.ctx, "abort-after-batch");
    this.finish(intentId, decision, nowMs);
    return decision;
  }

  // ------------------------------------------------------------ the two phases

  private placeHold(intentId: string, kind: "order" | "bill", targetId: string, amountFen: number, nowMs: number, requestId: string): void {
    this.ctx.storage.transactionSync(() => {
      const totals = readTotals(this.sql);
      assert(totals.balanceFen - totals.heldFen >= amountFen, "hold exceeds available");
      this.sql.exec(
        `INSERT INTO intents (intent_id, target_kind, target_id, amount_fen, state, request_id, created_at_ms)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
        intentId, kind, targetId, amountFen, requestId, nowMs,
      );
      writeTotals(this.sql, { balanceFen: totals.balanceFen, heldFen: totals.heldFen + amountFen });
    });
    this.armAlarm(nowMs + this.config.paymentRecoveryDelayMs);
  }

  /** Post or void a pending intent; a no-op when it was already decided. */
  private finish(intentId: string, decision: Decision, nowMs: number): void {
    this.ctx.storage.transactionSync(() => {
      const intent = this.sql.exec<IntentRow>("SELECT * FROM intents WHERE intent_id = ?", intentId).toArray()[0];
      assert(intent !== undefined, `unknown intent ${intentId}`);
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
        appendLedger(this.sql, {
          kind: "debit",
          amountFen: intent.amount_fen,
          balanceAfterFen: balanceFen,
          reference: intentId,
          target: `${intent.target_kind}:${intent.target_id}`,
          createdAtMs: nowMs,
        });
      }
    });
  }

  // ------------------------------------------------------------ settling

  /** Waits for an intent in flight here, or learns its decision from D1. */
  private async settle(intent: IntentRow, nowMs: number): Promise<Settlement> {
    if (intent.state !== "pending") return intent.state === "posted" ? "commit" : "void";
    return this.inFlight.get(intent.intent_id) ?? this.settleById(intent.intent_id, nowMs);
  }

  private async settleById(intentId: string, nowMs: number): Promise<Settlement> {
    const intent = this.sql.exec<IntentRow>("SELECT * FROM intents WHERE intent_id = ?", intentId).one();
    if (intent.state !== "pending") return intent.state === "posted" ? "commit" : "void";
    let decision: Decision;
    try {
      decision = await this.faults.d1("settle", () =>
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
    this.finish(intentId, decision, nowMs);
    return decision;
  }

  /**
   * The alarm's share: settle every pending intent old enough and not in
   * flight here. Returns how many are still pending.
   */
  async recover(nowMs: number): Promise<number> {
    const pending = this.sql.exec<IntentRow>("SELECT * FROM intents WHERE state = 'pending' ORDER BY created_at_ms").toArray();
    let left = 0;
    for (const intent of pending) {
      const young = intent.created_at_ms + this.config.paymentRecoveryDelayMs > nowMs;
      if (this.inFlight.has(intent.intent_id) || young || (await this.settleById(intent.intent_id, nowMs)) === "pending") left += 1;
    }
    return left;
  }

  // ------------------------------------------------------------ answers

  /** Another request's intent holds this target: its outcome is ours to report, from the target as it is now. */
  private async afterConcurrentIntent<Loaded>(live: IntentRow, dwid: string, target: PaymentTarget<Loaded>, nowMs: number, requestId: string): Promise<PayOutcome<Loaded>> {
    const outcome = await this.settle(live, nowMs);
    const answer = await this.answerFromD1(dwid, target, nowMs, outcome === "pending" ? "paymentPending" : "paymentFailed");
    // "Paid now" only when our own intent is the one that paid: ours may have been voided while
    // another request paid the target (reliability simulation, seed 11: two clients told "paid now").
    if (answer.ok && live.request_id === requestId && this.paidBy(target, answer.loaded) === live.intent_id) return { ...answer, alreadyPaid: false };
    return answer;
  }

  /** The intent was voided: say why, from the target as it is now. */
  private refusalAfterVoid<Loaded>(dwid: string, target: PaymentTarget<Loaded>, loaded: Loaded, nowMs: number): Promise<PayOutcome<Loaded>> {
    // Still payable: the batch failed rather than the guard (a D1 error settled as void).
    return this.answerFromD1(dwid, target, nowMs, "paymentFailed", loaded);
  }

  private async answerFromD1<Loaded>(dwid: string, target: PaymentTarget<Loaded>, nowMs: number, whenPayable: ResultKey, fallback?: Loaded): Promise<PayOutcome<Loaded>> {
    const fresh = await this.load(target).catch(() => null);
    const state = payability(fresh && target.state(fresh), dwid, nowMs, target.notFound);
    if (state === "paid") return { ok: true, alreadyPaid: true, loaded: fresh! };
    return { ok: false, reason: state ?? whenPayable, loaded: fresh ?? fallback };
  }

  /** The intent a paid target carries (its payment_id). */
  private paidBy<Loaded>(target: PaymentTarget<Loaded>, loaded: Loaded): string | null {
    return target.paymentIdOf(loaded);
  }

  // ------------------------------------------------------------ helpers

  /** This request's live intent on the loaded target, if it placed one (its retry after a reset carries the same id). */
  private ownLiveIntent<Loaded>(target: PaymentTarget<Loaded>, loaded: Loaded, requestId: string): IntentRow | null {
    const live = this.liveIntent(target.kind, target.idOf(loaded));
    return live?.request_id === requestId ? live : null;
  }

  private liveIntent(kind: "order" | "bill", targetId: string): IntentRow | null {
    return (
      this.sql
        .exec<IntentRow>("SELECT * FROM intents WHERE target_kind = ? AND target_id = ? AND state IN ('pending','posted')", kind, targetId)
        .toArray()[0] ?? null
    );
  }

  private dwid(): string {
    const row = this.sql.exec<{ dwid: string }>("SELECT dwid FROM profile WHERE singleton = 1").toArray()[0];
    assert(row !== undefined, "payment on an object without a profile");
    return row.dwid;
  }
}

function logFault(event: string, intentId: string, error: unknown): void {
  const injected = error instanceof InjectedFault ? error.point : undefined;
  console.warn(JSON.stringify({ event, intentId, injected, error: injected ? undefined : String(error) }));
}
