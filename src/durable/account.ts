/**
 * AccountDO — one per customer (dwid). The only writer of the customer's
 * balance: deposits, holds, debits and refunds are serialized here, in SQLite
 * transactions (SPEC §2, §6). It also keeps the customer's sessions, the pay
 * password material (sealed with PASSWORD_KEY) and the pay-password lockout.
 *
 * RPC methods return results and never throw for a partner's mistake; a
 * throw is a programmer error and rolls back the transaction it happened in.
 */
import { DurableObject } from "cloudflare:workers";
import { alarmTimeOf, clockOf, clockTimeOf, type Clock } from "../clock";
import { configOf, type Config, type ConfigVars } from "../config";
import { constantTimeEqual } from "../crypto/paypassword";
import { importSealingKey, open, seal } from "../crypto/sealed";
import type { ResultKey } from "../domain/codes";
import { MAX_AMOUNT_FEN } from "../domain/money";
import { base64url, dwidOfToken, makeToken, SESSION_KEY_BYTES, TOKEN_SECRET_BYTES } from "../domain/tokens";
import { appendLedger, entryByReference, ledgerPage, readTotals, writeTotals, type LedgerEntry } from "./account-ledger";
import { ACCOUNT_MIGRATIONS, ACCOUNT_SCHEMA_VERSION } from "./account-schema";
import { Faults, InjectedFault, type FaultPoint } from "./faults";
import { copyLedgerToD1, uncopiedEntries } from "./ledger-copy";
import { PayPasswordGate } from "./pay-password-gate";
import { systemRandom, type Random } from "../random";
import { PaymentDesk, type PayAnswer } from "./payment-desk";
import { billTarget, orderTarget, type BillView, type OrderPaymentDetails, type OrderView, type PaymentTarget } from "./payment-targets";

export type { LedgerEntry } from "./account-ledger";

/** Sessions kept per customer; the least recently used is dropped past this. */
export const MAX_SESSIONS_PER_CUSTOMER = 200;
/** last_seen is rewritten at most this often (a write per request would be waste). */
const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** The ledger copy to D1 runs this long after a change. */
const LEDGER_COPY_DELAY_MS = 2_000;
/** When the alarm could not finish (D1 down), it comes back after this. */
const ALARM_RETRY_MS = 5_000;

export interface AccountSnapshot {
  dwid: string | null;
  balanceFen: number;
  heldFen: number;
  availableFen: number;
}

export type DepositResult =
  | { ok: true; duplicate: boolean; entry: LedgerEntry; account: AccountSnapshot }
  | { ok: false; reason: "customerNotFound" | "depositReferenceConflict" | "amountInvalid"; entry?: LedgerEntry };

export type LoginResult =
  | { ok: true; token: string; sessionKey: string; expiresAtMs: number }
  | { ok: false; reason: "loginFailed" };

export interface Session {
  dwid: string;
  dwlx: string;
  sessionKey: string;
  tokenSha256: string;
}
/** `expiresAtMs`: when the session expires unless used again (last seen + idle time). */
export type AuthResult = { ok: true; session: Session; expiresAtMs: number } | { ok: false; reason: "sessionInvalid" };

/** A pay call authenticates itself: one round trip from the Worker (issue 7). */
interface PayCall {
  token: string;
  /** Names the Worker request; its retry after an object reset sends the same. */
  requestId: string;
  /** The body's dwid/dwlx, which must be the session's customer; null when the endpoint has none. */
  claimedDwid: string | null;
  claimedDwlx: string | null;
  /** The pay-password ciphertext; null when the request carried none. */
  ciphertext: string | null;
}

export interface PayOrderCall extends PayCall, OrderPaymentDetails {
  orderId: string;
}

/** `stock`: the product-days whose holds the InventoryDO should mark sold. */
export type PaidOrder = OrderView;

export type PayOrderResult =
  | { ok: true; alreadyPaid: boolean; order: PaidOrder }
  | { ok: false; reason: ResultKey; message?: string; order?: Omit<PaidOrder, "stock"> };

export interface PayBillCall extends PayCall {
  billNum: string | null;
  senderBillNum: string | null;
}

export type BillState = BillView;

export type PayBillResult = { ok: true; alreadyPaid: boolean; bill: BillState } | { ok: false; reason: ResultKey; message?: string; bill?: BillState };

interface Profile {
  dwid: string;
  dwlx: string;
  loginMd5: string;
  payMd5: string | null;
}

interface SealedProfileRow {
  dwid: string;
  dwlx: string;
  login_md5_sealed: string;
  pay_md5_sealed: string | null;
  [column: string]: SqlStorageValue;
}

/** What AccountDO reads from its environment. */
export interface AccountEnv extends ConfigVars {
  DB: D1Database;
  /** Base64 of 32 random bytes: encrypts password material at rest (secret). */
  PASSWORD_KEY: string;
}

export class AccountDO extends DurableObject<AccountEnv> {
  private readonly sql: SqlStorage;
  private readonly config: Config;
  private readonly faults: Faults;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly gate: PayPasswordGate;
  private readonly desk: PaymentDesk;
  /** Opened password material, cached for the life of the instance. */
  private profileCache: Profile | null | undefined;
  /** The alarm time this instance last set; undefined until known. */
  private alarmAtMs: number | null | undefined;

  constructor(ctx: DurableObjectState, env: AccountEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.config = configOf(env);
    this.clock = clockOf(env);
    this.random = systemRandom;
    this.faults = new Faults(this.config.faultInjection, ctx.id.toString());
    this.gate = new PayPasswordGate(this.sql, this.config);
    this.desk = new PaymentDesk(ctx, this.sql, env.DB, this.config, this.faults, this.clock, this.random, (atMs) => this.armAlarm(atMs));
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

  // ------------------------------------------------------------ profile

  /**
   * Creates or updates the customer's identity and password material. The
   * UPPER_MD5 values are the only form the scheme needs (SPEC §4); they are
   * sealed before they touch storage. `payMd5: null` removes the pay password.
   */
  async setProfile(input: { dwid: string; dwlx: string; loginMd5?: string; payMd5?: string | null }): Promise<{ ok: true } | { ok: false; reason: "loginPasswordRequired" }> {
    const existing = this.sealedProfile();
    if (!existing && !input.loginMd5) return { ok: false, reason: "loginPasswordRequired" };
    const key = await importSealingKey(this.env.PASSWORD_KEY);
    const context = `account:${input.dwid}`;
    const loginSealed = input.loginMd5 ? await seal(key, input.loginMd5, `${context}:login`) : existing!.login_md5_sealed;
    const paySealed =
      input.payMd5 === undefined ? (existing?.pay_md5_sealed ?? null) : input.payMd5 === null ? null : await seal(key, input.payMd5, `${context}:pay`);
    this.sql.exec(
      `INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms)
       VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET dwid = excluded.dwid, dwlx = excluded.dwlx,
         login_md5_sealed = excluded.login_md5_sealed, pay_md5_sealed = excluded.pay_md5_sealed,
         updated_at_ms = excluded.updated_at_ms`,
      input.dwid, input.dwlx, loginSealed, paySealed, this.clock.nowMs(),
    );
    this.profileCache = undefined;
    return { ok: true };
  }

  private sealedProfile(): SealedProfileRow | undefined {
    return this.sql
      .exec<SealedProfileRow>("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed FROM profile WHERE singleton = 1")
      .toArray()[0];
  }

  private async profile(): Promise<Profile | null> {
    if (this.profileCache !== undefined) return this.profileCache;
    const row = this.sealedProfile();
    if (!row) return (this.profileCache = null);
    const key = await importSealingKey(this.env.PASSWORD_KEY);
    const context = `account:${row.dwid}`;
    this.profileCache = {
      dwid: row.dwid,
      dwlx: row.dwlx,
      loginMd5: await open(key, row.login_md5_sealed, `${context}:login`),
      payMd5: row.pay_md5_sealed ? await open(key, row.pay_md5_sealed, `${context}:pay`) : null,
    };
    return this.profileCache;
  }

  // ------------------------------------------------------------ money

  /** Idempotent on `reference`: a repeat returns the first entry (TigerBeetle's "exists"). */
  async deposit(input: { amountFen: number; reference: string }): Promise<DepositResult> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || input.amountFen > MAX_AMOUNT_FEN) {
      return { ok: false, reason: "amountInvalid" };
    }
    if (!this.sealedProfile()) return { ok: false, reason: "customerNotFound" };
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

  private snapshot(): AccountSnapshot {
    const totals = readTotals(this.sql);
    return {
      dwid: this.sealedProfile()?.dwid ?? null,
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
    const gate = await this.checkPayPassword(who.session, call, rules, nowMs);
    return gate.ok ? pay(who.session.dwid, target) : { kind: "refused", reason: gate.reason, message: gate.message };
  }

  /** The pay call's session, and the body's customer matching it. */
  private async identify(call: PayCall, nowMs: number): Promise<{ ok: true; session: Session } | { ok: false; reason: ResultKey }> {
    const auth = await this.authenticateAt(call.token, nowMs);
    if (!auth.ok) return { ok: false, reason: "sessionInvalid" };
    const { session } = auth;
    if (call.claimedDwid !== null && (call.claimedDwid !== session.dwid || call.claimedDwlx !== session.dwlx)) {
      return { ok: false, reason: "customerMismatch" };
    }
    return { ok: true, session };
  }

  /** The pay password (SPEC §4), when the rules or the customer require one. A request refused before it counts no failure toward the lockout. */
  private async checkPayPassword(
    session: Session,
    call: PayCall,
    rules: { passwordRequired: boolean },
    nowMs: number,
  ): Promise<{ ok: true } | { ok: false; reason: ResultKey; message?: string }> {
    const profile = (await this.profile())!;
    if (profile.payMd5 === null && !rules.passwordRequired) return { ok: true };
    if (call.ciphertext === null || call.ciphertext === "") {
      return { ok: false, reason: "fieldRequired", message: "PayPwd 为必填项(客户已设置支付密码)" };
    }
    return this.gate.check({ sessionKey: session.sessionKey, loginMd5: profile.loginMd5, payMd5: profile.payMd5, ciphertext: call.ciphertext, nowMs });
  }

  // ------------------------------------------------------------ sessions

  async login(input: { dwlx: string; passwordMd5: string }): Promise<LoginResult> {
    const profile = await this.profile();
    // Compare even when there is no profile, so timing does not tell which part failed.
    const expected = profile?.loginMd5 ?? "0".repeat(32);
    const passwordOk = constantTimeEqual(input.passwordMd5.toUpperCase(), expected);
    if (!profile || !passwordOk || profile.dwlx !== input.dwlx) return { ok: false, reason: "loginFailed" };

    const nowMs = this.clock.nowMs();
    const token = makeToken(profile.dwid, this.random.bytes(TOKEN_SECRET_BYTES));
    const sessionKey = base64url(this.random.bytes(SESSION_KEY_BYTES));
    const tokenSha256 = await sha256Hex(token);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM sessions WHERE last_seen_at_ms <= ?", nowMs - this.config.sessionIdleMs);
      this.sql.exec(
        "INSERT INTO sessions (token_sha256, session_key, created_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?)",
        tokenSha256, sessionKey, nowMs, nowMs,
      );
      this.sql.exec(
        `DELETE FROM sessions WHERE token_sha256 IN (
           SELECT token_sha256 FROM sessions ORDER BY last_seen_at_ms DESC LIMIT -1 OFFSET ?)`,
        MAX_SESSIONS_PER_CUSTOMER,
      );
    });
    return { ok: true, token, sessionKey, expiresAtMs: nowMs + this.config.sessionIdleMs };
  }

  /** A live session for this token, its idle clock restarted. */
  async authenticate(token: string): Promise<AuthResult> {
    return this.authenticateAt(token, this.clock.nowMs());
  }

  private async authenticateAt(token: string, nowMs: number): Promise<AuthResult> {
    const profile = await this.profile();
    if (!profile || dwidOfToken(token) !== profile.dwid) return { ok: false, reason: "sessionInvalid" };
    const tokenSha256 = await hashOfToken(token);
    const row = this.sql
      .exec<{ session_key: string; last_seen_at_ms: number }>("SELECT session_key, last_seen_at_ms FROM sessions WHERE token_sha256 = ?", tokenSha256)
      .toArray()[0];
    if (!row || row.last_seen_at_ms + this.config.sessionIdleMs <= nowMs) return { ok: false, reason: "sessionInvalid" };
    let lastSeenAtMs = row.last_seen_at_ms;
    if (nowMs - lastSeenAtMs >= SESSION_TOUCH_INTERVAL_MS) {
      this.sql.exec("UPDATE sessions SET last_seen_at_ms = ? WHERE token_sha256 = ?", nowMs, tokenSha256);
      lastSeenAtMs = nowMs;
    }
    return {
      ok: true,
      session: { dwid: profile.dwid, dwlx: profile.dwlx, sessionKey: row.session_key, tokenSha256 },
      expiresAtMs: lastSeenAtMs + this.config.sessionIdleMs,
    };
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
   * Settles payments a crash left pending, then copies new ledger entries to
   * D1. Safe to run twice or late: both steps only act on what is still open.
   */
  override async alarm(): Promise<void> {
    this.alarmAtMs = null;
    if (this.faults.fires("alarm-throws")) throw new InjectedFault("alarm-throws");
    const nowMs = this.clock.nowMs();
    const pending = await this.desk.recover();
    let copyFailed = false;
    const profile = this.sealedProfile();
    if (profile) {
      try {
        await copyLedgerToD1(this.sql, this.env.DB, profile.dwid, this.faults);
      } catch (error) {
        copyFailed = true;
        console.warn(JSON.stringify({ event: "ledger_copy_failed", error: String(error) }));
      }
    }
    if (pending > 0 || copyFailed || uncopiedEntries(this.sql) > 0) {
      this.armAlarm(nowMs + Math.max(ALARM_RETRY_MS, this.config.paymentRecoveryDelayMs));
    }
  }

  /**
   * Open work (a pending payment, ledger entries not yet copied) always has
   * an alarm coming: after the platform gives up retrying a throwing alarm,
   * the next call into the object sets it again.
   */
  private ensureAlarm(): void {
    if (this.alarmAtMs !== null) return;
    if (this.desk.pendingCount() > 0 || uncopiedEntries(this.sql) > 0) this.armAlarm(this.clock.nowMs() + this.config.paymentRecoveryDelayMs);
  }

  // ------------------------------------------------------------ test support

  /** Arms a fault point (durable/faults.ts); refused unless FAULT_INJECTION is "on". */
  async armFault(point: FaultPoint, times = 1): Promise<void> {
    this.faults.arm(point, times);
  }

  async disarmFaults(): Promise<void> {
    this.faults.disarm();
  }
}

/** Token hashes this instance computed (a session's every call hashes the same token). */
const tokenHashes = new Map<string, string>();
const TOKEN_HASHES_MAX = 1_000;

async function hashOfToken(token: string): Promise<string> {
  const known = tokenHashes.get(token);
  if (known) return known;
  const hash = await sha256Hex(token);
  if (tokenHashes.size >= TOKEN_HASHES_MAX) tokenHashes.clear();
  tokenHashes.set(token, hash);
  return hash;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
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
