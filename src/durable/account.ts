/**
 * AccountDO — one per customer (dwid). The only writer of the customer's
 * balance: deposits, holds, debits and refunds are serialized here, in SQLite
 * transactions (SPEC §2, §6). It also keeps the customer's sessions, the pay
 * password material (sealed with PASSWORD_KEY) and the pay-password lockout.
 *
 * RPC methods return results and never throw for a partner's mistake; a
 * throw is a programmer error and rolls back the transaction it happened in.
 *
 * Identity and password material live in account-credentials.ts, sessions
 * (login, authenticate) in account-sessions.ts, statements' reads in
 * account-statement.ts, the low-balance alert in balance-watch.ts; this
 * class delegates to them.
 */
import { DurableObject } from "cloudflare:workers";
import { alarmTimeOf, clockOf, clockTimeOf, type Clock } from "../clock";
import { configOf, type Config, type ConfigVars } from "../config";
import { countAlarm, meteredEnv, meteredStorage } from "../counters";
import type { ResultKey } from "../domain/codes";
import { isRealDate } from "../domain/dates";
import { MAX_AMOUNT_FEN } from "../domain/money";
import type { NotificationMessage } from "../domain/notifications";
import { PURGE_AGAIN_MS } from "../domain/retention";
import { STATEMENT_PAGE_MAX, type ReferenceState, type StatementEntry } from "../domain/statements";
import { systemRandom, type Random } from "../random";
import type { AccountSnapshot, PayCall, DepositResult, PartnerRefundCall, PayBillCall, PayBillResult, PayOrderCall, PayOrderResult, ProfileChange, ProfileChanged, RefundResult, StatementStart } from "./account-calls";
import { AccountCredentials } from "./account-credentials";
import { appendLedger, assert, entryByReference, ledgerPage, readTotals, writeTotals, type LedgerEntry } from "./account-ledger";
import { purgeAccount } from "./account-retention";
import { ACCOUNT_MIGRATIONS, ACCOUNT_SCHEMA_VERSION } from "./account-schema";
import { AccountSessions, type Authenticated, type AuthResult, type LoginInput, type LoginResult } from "./account-sessions";
import { referenceStates, statementEntries, statementWindow } from "./account-statement";
import { BalanceWatch } from "./balance-watch";
import { writeAlerts } from "./balance-alerts";
import { accountSizes, assertPreload, preloadAccount, type AccountPreload } from "./bench-preload";
import { Faults, InjectedFault, type FaultPoint } from "./faults";
import type { InventoryDO } from "./inventory";
import { returnUnitsThrough } from "./inventory-client";
import { copyLedgerToD1, uncopiedEntries } from "./ledger-copy";
import { PayPasswordGate } from "./pay-password-gate";
import { PaymentDesk, type PayAnswer } from "./payment-desk";
import { billTarget, orderTarget, type BillView, type OrderView, type PaymentTarget } from "./payment-targets";
import { RefundDesk, type RefundAnswer, type RefundCall } from "./refund-desk";

export type { LedgerEntry } from "./account-ledger";
export type { AuthResult, LoginResult, Session } from "./account-sessions";
export type * from "./account-calls";

/** The ledger copy to D1 runs this long after a change. */
const LEDGER_COPY_DELAY_MS = 2_000;
/** When the alarm could not finish (D1 down), it comes back after this. */
const ALARM_RETRY_MS = 5_000;

/** What AccountDO reads from its environment. */
export interface AccountEnv extends ConfigVars {
  DB: D1Database;
  /** A refund gives its units back to their product-day's InventoryDO. */
  INVENTORY: DurableObjectNamespace<InventoryDO>;
  /** Base64 of 32 random bytes: encrypts password material at rest (secret). */
  PASSWORD_KEY: string;
  /** A low-balance alert's message goes to the notification queue once its outbox row is written. */
  NOTIFY_QUEUE: Queue<NotificationMessage>;
}

export class AccountDO extends DurableObject<AccountEnv> {
  private readonly sql: SqlStorage;
  private readonly config: Config;
  private readonly faults: Faults;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly gate: PayPasswordGate;
  private readonly desk: PaymentDesk;
  private readonly refunds: RefundDesk;
  private readonly credentials: AccountCredentials;
  private readonly sessions: AccountSessions;
  private readonly watch: BalanceWatch;
  /** The write of recorded alerts to D1 running in this instance (one at a time). */
  private flushing: Promise<number> | null = null;
  /** The alarm time this instance last set; undefined until known. */
  private alarmAtMs: number | null | undefined;
  /**
   * True once this instance knows there is no open work and no alarm is
   * needed: ensureAlarm found none, or an alarm finished without arming
   * another. Any new work arms the alarm itself, so until an alarm throws
   * (and may be dropped by the platform) nobody needs to count again —
   * issue 19: three counts on every call of an idle customer.
   */
  private knownIdle = false;

  constructor(ctx: DurableObjectState, env: AccountEnv) {
    // meteredEnv/meteredStorage give back what they get unless BENCH_COUNTERS is "on" (counters.ts).
    super(ctx, meteredEnv(env));
    env = this.env;
    const storage = meteredStorage(ctx.storage, env, "AccountDO");
    this.sql = storage.sql;
    this.config = configOf(env);
    this.clock = clockOf(env);
    this.random = systemRandom;
    this.faults = new Faults(this.config.faultInjection, ctx.id.toString());
    this.gate = new PayPasswordGate(this.sql, this.config);
    this.credentials = new AccountCredentials(storage, env.PASSWORD_KEY, this.clock);
    this.sessions = new AccountSessions(storage, this.credentials, this.config, this.random);
    this.watch = new BalanceWatch(this.sql, (cause) => this.alertRecorded(cause));
    const armAlarm = (atMs: number) => this.armAlarm(atMs);
    this.desk = new PaymentDesk(ctx, this.sql, env.DB, this.config, this.faults, this.clock, this.random, armAlarm, this.watch);
    this.refunds = new RefundDesk(ctx, this.sql, env.DB, this.config, this.faults, this.clock, this.random, this.desk, returnUnitsThrough(env), armAlarm, this.watch);
    void ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      const platformMs = await ctx.storage.getAlarm();
      this.alarmAtMs = platformMs === null ? null : clockTimeOf(this.clock, platformMs);
      this.ensureAlarm();
    });
  }

  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const current = this.sql.exec<{ version: number | null }>("SELECT max(version) AS version FROM schema_version").one().version ?? 0;
    if (current >= ACCOUNT_SCHEMA_VERSION) return;
    this.ctx.storage.transactionSync(() => {
      for (const [index, statements] of ACCOUNT_MIGRATIONS.entries()) {
        if (index + 1 <= current) continue;
        for (const statement of statements) this.sql.exec(statement);
      }
      this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", ACCOUNT_SCHEMA_VERSION);
    });
  }

  // ------------------------------------------------------------ profile and sessions

  /**
   * Creates or updates the customer's identity, password material and
   * standing (account-credentials.ts). `payMd5: null` removes the pay
   * password; a changed password or a suspension ends every session. A
   * threshold given is set and judged at once against available (SPEC §12):
   * a customer already below a new threshold is told once — written to D1
   * when the caller says the customer's D1 row is up to date (`flushAlerts`),
   * or by the alarm.
   */
  async setProfile(input: ProfileChange): Promise<ProfileChanged> {
    const { lowBalanceFen, ...profile } = input;
    const result = await this.credentials.set(profile);
    if (!result.ok) return result;
    if (lowBalanceFen !== undefined) {
      this.ctx.storage.transactionSync(() => this.watch.setThreshold(lowBalanceFen, this.clock.nowMs()));
    }
    return { ...result, lowBalanceFen: this.watch.thresholdFen() };
  }

  /** Opens a session, under the per-dwid login lockout (account-sessions.ts). */
  async login(input: LoginInput): Promise<LoginResult> {
    return this.sessions.login(input, this.clock.nowMs());
  }

  /** A live session for this token, its idle clock restarted; refused once the credentials changed (account-sessions.ts). */
  async authenticate(token: string): Promise<AuthResult> {
    const auth = await this.sessions.authenticate(token, this.clock.nowMs());
    // The password material stays in the object.
    return auth.ok ? { ok: true, session: auth.session, expiresAtMs: auth.expiresAtMs } : auth;
  }

  // ------------------------------------------------------------ money

  /** Idempotent on `reference`: a repeat returns the first entry (TigerBeetle's "exists"). */
  async deposit(input: { amountFen: number; reference: string }): Promise<DepositResult> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || input.amountFen > MAX_AMOUNT_FEN) {
      return { ok: false, reason: "amountInvalid" };
    }
    if (!this.credentials.identity()) return { ok: false, reason: "customerNotFound" };
    const result = this.ctx.storage.transactionSync((): DepositResult => {
      const prior = entryByReference(this.sql, "deposit", input.reference);
      if (prior) {
        return prior.amountFen === input.amountFen
          ? { ok: true, duplicate: true, entry: prior, account: this.snapshot() }
          : { ok: false, reason: "depositReferenceConflict", entry: prior };
      }
      const totals = readTotals(this.sql);
      const balanceAfterFen = totals.balanceFen + input.amountFen;
      writeTotals(this.sql, { balanceFen: balanceAfterFen, heldFen: totals.heldFen });
      const entry = appendLedger(this.sql, {
        kind: "deposit",
        amountFen: input.amountFen,
        balanceAfterFen,
        reference: input.reference,
        target: null,
        createdAtMs: this.clock.nowMs(),
      });
      this.watch.afterCredit(entry.createdAtMs);
      return { ok: true, duplicate: false, entry, account: this.snapshot() };
    });
    if (result.ok && !result.duplicate) this.armAlarm(this.clock.nowMs() + LEDGER_COPY_DELAY_MS);
    return result;
  }

  async account(): Promise<AccountSnapshot> {
    this.ensureAlarm();
    return this.snapshot();
  }

  async ledger(input: { limit: number; beforeSeq?: number }): Promise<LedgerEntry[]> {
    this.ensureAlarm();
    return ledgerPage(this.sql, input.limit, input.beforeSeq);
  }

  // ------------------------------------------------------------ statements (SPEC §12), read-only

  /**
   * The period of Asia/Shanghai days [from, to] (yyyyMMdd, both included) as
   * domain/statements.ts defines it — seq bounds, opening, closing, totals per
   * kind — and its entries from `offset` (at most `limit`). null: no customer.
   */
  async statement(q: { from: string; to: string; limit: number; offset?: number }): Promise<StatementStart> {
    assert(isRealDate(q.from) && isRealDate(q.to) && q.from <= q.to, `statement period ${q.from}–${q.to}`);
    const dwid = this.credentials.identity()?.dwid;
    if (!dwid) return null;
    const window = statementWindow(this.sql, dwid, q.from, q.to);
    return { window, entries: this.statementPage({ afterSeq: window.afterSeq, throughSeq: window.throughSeq, limit: q.limit, offset: q.offset }) };
  }

  /** The next page of a period: entries with afterSeq < seq ≤ throughSeq, by seq (keyset paging). */
  async statementEntries(q: { afterSeq: number; throughSeq: number; limit: number }): Promise<StatementEntry[]> {
    return this.statementPage(q);
  }

  /** Which of these references (payment intents: "debit"; refund intents: "refund") this ledger has, anywhere. */
  async ledgerReferences(q: { kind: "debit" | "refund"; references: string[] }): Promise<Record<string, ReferenceState>> {
    assert(q.references.length <= STATEMENT_PAGE_MAX, `at most ${STATEMENT_PAGE_MAX} references per call`);
    return referenceStates(this.sql, q.kind, q.references);
  }

  private statementPage(q: { afterSeq: number; throughSeq: number; limit: number; offset?: number }): StatementEntry[] {
    assert(Number.isSafeInteger(q.limit) && q.limit >= 1 && q.limit <= STATEMENT_PAGE_MAX, `statement page of ${q.limit}`);
    assert(q.offset === undefined || (Number.isSafeInteger(q.offset) && q.offset >= 0), `statement offset ${q.offset}`);
    return statementEntries(this.sql, q);
  }

  private snapshot(): AccountSnapshot {
    const totals = readTotals(this.sql);
    return {
      dwid: this.credentials.identity()?.dwid ?? null,
      balanceFen: totals.balanceFen,
      heldFen: totals.heldFen,
      availableFen: totals.balanceFen - totals.heldFen,
    };
  }

  // ------------------------------------------------------------ paying

  /**
   * Pays an order: the request's own earlier payment first (a retry after a
   * reset is never refused by a gate it already passed), then session,
   * customer match, pay password and the two-phase debit of PaymentDesk.
   */
  async payOrder(call: PayOrderCall): Promise<PayOrderResult> {
    this.ensureAlarm();
    const answer =
      (await this.desk.ownAnswer<OrderView>(call.requestId)) ??
      (await this.admitted(call, { passwordRequired: true }, orderTarget(call.orderId, call), (dwid, target) => this.desk.pay(dwid, target, call.requestId)));
    return orderResult(answer);
  }

  /** A POS bill (SPEC §5.4): PayPwd is required only when the customer has a pay password. */
  async payBill(call: PayBillCall): Promise<PayBillResult> {
    this.ensureAlarm();
    const find = { billNum: call.billNum, senderBillNum: call.senderBillNum };
    const answer =
      (await this.desk.ownAnswer<BillView>(call.requestId)) ??
      (await this.admitted(
        call,
        { passwordRequired: false, requestError: !call.billNum && !call.senderBillNum ? "billNumberRequired" : null },
        (dwid) => billTarget(find, dwid),
        (dwid, target) => this.desk.pay(dwid, target, call.requestId),
      ));
    return billResult(answer);
  }

  /**
   * The session and customer match first; then what this object already
   * knows of the named target (paid, or a payment still pending: never
   * answered with a refusal that would read as "unpaid"); then the request's
   * own shape and the pay password; then `pay`.
   */
  private async admitted<Loaded, View>(
    call: PayCall,
    rules: { passwordRequired: boolean; requestError?: ResultKey | null },
    targetOf: PaymentTarget<Loaded, View> | ((dwid: string) => PaymentTarget<Loaded, View>),
    pay: (dwid: string, target: PaymentTarget<Loaded, View>) => Promise<PayAnswer<View>>,
  ): Promise<PayAnswer<View>> {
    const nowMs = this.clock.nowMs();
    const who = await this.identify(call, nowMs);
    if (!who.ok) return { kind: "refused", reason: who.reason };
    const target = typeof targetOf === "function" ? targetOf(who.session.dwid) : targetOf;
    const known = await this.desk.knownAnswer(target, call.requestId);
    if (known) return known;
    if (rules.requestError) return { kind: "refused", reason: rules.requestError };
    const gate = await this.checkPayPassword(who, call, rules, nowMs);
    return gate.ok ? pay(who.session.dwid, target) : { kind: "refused", reason: gate.reason, message: gate.message };
  }

  /**
   * The pay call's session — refused once the customer's credentials changed
   * or it was suspended (account-sessions.ts) — with the credentials it was
   * checked against, and the body's customer matching it.
   */
  private async identify(call: PayCall, nowMs: number): Promise<Authenticated | { ok: false; reason: ResultKey }> {
    const auth = await this.sessions.authenticate(call.token, nowMs);
    if (!auth.ok) return { ok: false, reason: auth.reason };
    const { session } = auth;
    if (call.claimedDwid !== null && (call.claimedDwid !== session.dwid || call.claimedDwlx !== session.dwlx)) {
      return { ok: false, reason: "customerMismatch" };
    }
    return auth;
  }

  /** The pay password (SPEC §4), when the rules or the customer require one. A request refused before it counts no failure toward the lockout. */
  private async checkPayPassword(
    who: Authenticated,
    call: PayCall,
    rules: { passwordRequired: boolean },
    nowMs: number,
  ): Promise<{ ok: true } | { ok: false; reason: ResultKey; message?: string }> {
    // The credentials the session was checked against, not a later read: one snapshot per call.
    const { session, credentials: profile } = who;
    if (profile.payMd5 === null && !rules.passwordRequired) return { ok: true };
    if (call.ciphertext === null || call.ciphertext === "") {
      return { ok: false, reason: "fieldRequired", message: "PayPwd 为必填项(客户已设置支付密码)" };
    }
    return this.gate.check({ sessionKey: session.sessionKey, loginMd5: profile.loginMd5, payMd5: profile.payMd5, ciphertext: call.ciphertext, nowMs });
  }

  // ------------------------------------------------------------ refunds

  /**
   * SPEC §10 Refund, a partner's: the request's own earlier refund first,
   * then its session and the body's customer, then RefundDesk.
   */
  async refund(call: PartnerRefundCall): Promise<RefundResult> {
    this.ensureAlarm();
    const desk: RefundCall = { ...call, dwid: "", requestedBy: "partner", waiveFee: false, ignoreDeadline: false };
    const own = await this.refunds.ownAnswer(desk);
    if (own) return refundResult(own);
    const who = await this.identify({ ...call, claimedDwid: null, claimedDwlx: null, ciphertext: null }, this.clock.nowMs());
    if (!who.ok) return { ok: false, reason: who.reason };
    return refundResult(await this.refunds.refund({ ...desk, dwid: who.session.dwid }));
  }

  /** An operator's refund (POST /admin/orders/{orderid}/refunds): recorded as the operator's, fee and deadline as asked. */
  async refundByOperator(call: Omit<RefundCall, "dwid" | "requestedBy">): Promise<RefundResult> {
    this.ensureAlarm();
    const dwid = this.credentials.identity()?.dwid;
    if (!dwid) return { ok: false, reason: "customerNotFound" };
    const desk: RefundCall = { ...call, dwid, requestedBy: "operator" };
    return refundResult((await this.refunds.ownAnswer(desk)) ?? (await this.refunds.refund(desk)));
  }

  // ------------------------------------------------------------ alarm

  /** The alarm fires no later than `atMs` (one alarm serves recovery and the ledger copy). */
  private armAlarm(atMs: number): void {
    if (this.alarmAtMs !== undefined && this.alarmAtMs !== null && this.alarmAtMs <= atMs) return;
    this.alarmAtMs = atMs;
    this.ctx.storage.setAlarm(alarmTimeOf(this.clock, atMs)).catch((error: unknown) => {
      this.alarmAtMs = undefined;
      console.error(JSON.stringify({ event: "set_alarm_failed", error: String(error) }));
    });
  }

  /**
   * Settles payments a crash left pending, writes low-balance alerts D1 does
   * not have yet, copies new ledger entries to D1, then lets settled intents
   * and idle sessions past their windows go. Safe to run twice or late: each
   * step only acts on what is still open or due.
   */
  override async alarm(): Promise<void> {
    countAlarm(this.env, "AccountDO");
    this.alarmAtMs = null;
    this.knownIdle = false;
    if (this.faults.fires("alarm-throws")) throw new InjectedFault("alarm-throws");
    const nowMs = this.clock.nowMs();
    const pending = (await this.desk.recover()) + (await this.refunds.recover()) + (await this.flushAlerts());
    let copyFailed = false;
    const profile = this.credentials.identity();
    if (profile) {
      try {
        await copyLedgerToD1(this.sql, this.env.DB, profile.dwid, this.faults);
      } catch (error) {
        copyFailed = true;
        console.warn(JSON.stringify({ event: "ledger_copy_failed", error: String(error) }));
      }
    }
    // Retention (account-retention.ts): what no answer needs any more, a bounded pass per ring.
    const purged = this.ctx.storage.transactionSync(() => purgeAccount(this.sql, this.clock.nowMs(), this.config.sessionIdleMs));
    if (purged.backlog) this.armAlarm(this.clock.nowMs() + PURGE_AGAIN_MS);
    if (pending > 0 || copyFailed || uncopiedEntries(this.sql) > 0) {
      this.armAlarm(nowMs + Math.max(ALARM_RETRY_MS, this.config.paymentRecoveryDelayMs));
    } else if (this.alarmAtMs === null) {
      this.knownIdle = true;
    }
  }

  /**
   * Open work (a pending payment, ledger entries not yet copied) always has
   * an alarm coming: after the platform gives up retrying a throwing alarm,
   * the next call into the object sets it again.
   */
  private ensureAlarm(): void {
    if (this.alarmAtMs !== null || this.knownIdle) return;
    const open = this.desk.pendingCount() + this.refunds.openCount() + this.watch.unwrittenCount() + uncopiedEntries(this.sql);
    if (open > 0) this.armAlarm(this.clock.nowMs() + this.config.paymentRecoveryDelayMs);
    else this.knownIdle = true;
  }

  // ------------------------------------------------------------ low-balance alerts

  /**
   * An alert was recorded, inside the transaction that moved the money. Once
   * that transaction is done, a debit's alert is written to D1 at once; one
   * the operator's new threshold caused waits for the admin PUT to have
   * written the customer's D1 row (its callback URL and contact mobile, which
   * the delivery reads), and calls `flushAlerts` then. The alarm is the
   * backstop for both: a write that fails, an object gone first, an alert
   * recorded while a flush was finishing.
   */
  private alertRecorded(cause: "debit" | "threshold"): void {
    queueMicrotask(() => {
      this.armAlarm(this.clock.nowMs() + ALARM_RETRY_MS);
      if (cause === "debit") void this.flushAlerts();
    });
  }

  /**
   * Writes every recorded alert D1's outbox lacks, oldest first, one flush
   * at a time per instance; returns how many are still unwritten. The row's
   * id is the alert's own seq (INSERT OR IGNORE): a retry after a lost reply
   * writes nothing twice. Its message is then sent; when that fails, the
   * row stays 'pending' and the cron sweep sends it. Safe to call any time.
   */
  async flushAlerts(): Promise<number> {
    this.flushing ??= this.writeAlerts().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeAlerts(): Promise<number> {
    const dwid = this.credentials.identity()?.dwid;
    if (!dwid) return 0;
    return writeAlerts({ watch: this.watch, dwid, db: this.env.DB, queue: this.env.NOTIFY_QUEUE, faults: this.faults, clock: this.clock }, (atMs) => this.armAlarm(atMs + ALARM_RETRY_MS));
  }

  // ------------------------------------------------------------ test support

  /** Arms a fault point (durable/faults.ts); refused unless FAULT_INJECTION is "on". */
  async armFault(point: FaultPoint, times = 1): Promise<void> {
    this.faults.arm(point, times);
  }

  async disarmFaults(): Promise<void> {
    this.faults.disarm();
  }

  // ------------------------------------------------------------ bench only (BENCH_PRELOAD: durable/bench-preload.ts)

  async benchPreload(p: AccountPreload): Promise<Record<string, number>> {
    assertPreload(this.env);
    preloadAccount(this.ctx.storage, this.sql, p);
    return accountSizes(this.sql);
  }

  async benchSizes(): Promise<Record<string, number>> {
    assertPreload(this.env);
    return accountSizes(this.sql);
  }

  /** The alarm's retention passes, run until no backlog is left (what the alarm does a pass per ring). */
  async benchRetire(): Promise<{ passes: number; intents: number; sessions: number }> {
    assertPreload(this.env);
    const out = { passes: 0, intents: 0, sessions: 0 };
    for (let backlog = true; backlog && out.passes < 10_000; out.passes++) {
      const purged = this.ctx.storage.transactionSync(() => purgeAccount(this.sql, this.clock.nowMs(), this.config.sessionIdleMs));
      out.intents += purged.intents;
      out.sessions += purged.sessions;
      backlog = purged.backlog;
    }
    return out;
  }
}

/** An answer the client cannot read as done or not done yet (HTTP 503: retry to learn). */
const NOT_YET_KNOWN: ResultKey = "paymentPending";

function orderResult(answer: PayAnswer<OrderView>): PayOrderResult {
  const echo = answer.view && { orderId: answer.view.orderId, senderId: answer.view.senderId, status: answer.view.status };
  switch (answer.kind) {
    case "paid":
      return { ok: true, alreadyPaid: answer.alreadyPaid, order: { ...answer.view, status: "paid" } };
    case "refused":
      return { ok: false, reason: answer.reason, message: answer.message, order: echo };
    case "unknown":
      return { ok: false, reason: NOT_YET_KNOWN, message: answer.message, order: echo };
  }
}

function billResult(answer: PayAnswer<BillView>): PayBillResult {
  switch (answer.kind) {
    case "paid":
      return { ok: true, alreadyPaid: answer.alreadyPaid, bill: answer.view };
    case "refused":
      return { ok: false, reason: answer.reason, message: answer.message, bill: answer.view };
    case "unknown":
      return { ok: false, reason: NOT_YET_KNOWN, message: answer.message, bill: answer.view };
  }
}

function refundResult(answer: RefundAnswer): RefundResult {
  switch (answer.kind) {
    case "refunded":
      return { ok: true, refund: answer.view };
    case "refused":
      return { ok: false, reason: answer.reason, message: answer.message };
    case "unknown":
      return { ok: false, reason: "outcomeUnknown", message: answer.message };
  }
}
