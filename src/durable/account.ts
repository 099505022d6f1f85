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
 * (login, authenticate) in account-sessions.ts; this class delegates to them.
 */
import { DurableObject } from "cloudflare:workers";
import { alarmTimeOf, clockOf, clockTimeOf, type Clock } from "../clock";
import { configOf, type Config, type ConfigVars } from "../config";
import type { ResultKey } from "../domain/codes";
import { MAX_AMOUNT_FEN } from "../domain/money";
import { AccountCredentials, type ProfileInput, type SetProfileResult } from "./account-credentials";
import { appendLedger, entryByReference, ledgerPage, readTotals, writeTotals, type LedgerEntry } from "./account-ledger";
import { migrateAccountSchema } from "./account-schema";
import { AccountSessions, type AuthResult, type LoginInput, type LoginResult } from "./account-sessions";
import { Faults, type FaultPoint } from "./faults";
import { copyLedgerToD1 } from "./ledger-copy";
import { PayPasswordGate } from "./pay-password-gate";
import type { BillForPayment } from "../db/payments";
import { systemRandom, type Random } from "../random";
import { PaymentDesk, type PayOutcome } from "./payment-desk";
import { billTarget, orderTarget, type OrderPaymentDetails } from "./payment-targets";

export type { LedgerEntry } from "./account-ledger";
export type { AuthResult, LoginResult, Session } from "./account-sessions";

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

export interface PaidOrder {
  orderId: string;
  senderId: string | null;
  status: string;
  /** product+day stock holds the InventoryDO should mark sold. */
  stock: { productId: string; effectDate: string }[];
}

export type PayOrderResult =
  | { ok: true; alreadyPaid: boolean; order: PaidOrder }
  | { ok: false; reason: ResultKey; message?: string; order?: Omit<PaidOrder, "stock"> };

export interface PayBillCall extends PayCall {
  billNum: string | null;
  senderBillNum: string | null;
}

export interface BillState {
  billNum: string;
  state: string;
  rndCode: string | null;
}

export type PayBillResult = { ok: true; alreadyPaid: boolean; bill: BillState } | { ok: false; reason: ResultKey; message?: string; bill?: BillState };

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
  private readonly credentials: AccountCredentials;
  private readonly sessions: AccountSessions;
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
    this.credentials = new AccountCredentials(ctx.storage, env.PASSWORD_KEY, this.clock);
    this.sessions = new AccountSessions(ctx.storage, this.credentials, this.config, this.random);
    this.desk = new PaymentDesk(ctx, this.sql, env.DB, this.config, this.faults, this.random, (atMs) => this.armAlarm(atMs));
    void ctx.blockConcurrencyWhile(async () => {
      migrateAccountSchema(ctx.storage);
      const platformMs = await ctx.storage.getAlarm();
      this.alarmAtMs = platformMs === null ? null : clockTimeOf(this.clock, platformMs);
    });
  }

  // ------------------------------------------------------------ profile and sessions

  /**
   * Creates or updates the customer's identity, password material and
   * standing (account-credentials.ts). `payMd5: null` removes the pay
   * password; a changed password or a suspension ends every session.
   */
  async setProfile(input: ProfileInput): Promise<SetProfileResult> {
    return this.credentials.set(input);
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
      return { ok: true, duplicate: false, entry, account: this.snapshot() };
    });
    if (result.ok && !result.duplicate) this.armAlarm(this.clock.nowMs() + LEDGER_COPY_DELAY_MS);
    return result;
  }

  async account(): Promise<AccountSnapshot> {
    return this.snapshot();
  }

  async ledger(input: { limit: number; beforeSeq?: number }): Promise<LedgerEntry[]> {
    return ledgerPage(this.sql, input.limit, input.beforeSeq);
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
   * Pays an order: session, customer match, pay password and the two-phase
   * debit of PaymentDesk, in one call.
   */
  async payOrder(call: PayOrderCall): Promise<PayOrderResult> {
    const nowMs = this.clock.nowMs();
    const admitted = await this.admitPayment(call, nowMs, { passwordRequired: true });
    if (!admitted.ok) return admitted;
    const outcome = await this.desk.pay(admitted.dwid, orderTarget(call.orderId, call), nowMs, call.requestId);
    if (!outcome.ok) {
      const order = outcome.loaded?.order;
      return { ok: false, reason: outcome.reason, message: outcome.message, order: order && { orderId: order.order_id, senderId: order.sender_id, status: order.status } };
    }
    const { order, items } = outcome.loaded;
    return {
      ok: true,
      alreadyPaid: outcome.alreadyPaid,
      order: {
        orderId: order.order_id,
        senderId: order.sender_id,
        status: "paid",
        stock: [...new Set(items.map((i) => i.productId))].map((productId) => ({ productId, effectDate: order.effect_date })),
      },
    };
  }

  /** A POS bill (SPEC §5.4): PayPwd is required only when the customer has a pay password. */
  async payBill(call: PayBillCall): Promise<PayBillResult> {
    const nowMs = this.clock.nowMs();
    const admitted = await this.admitPayment(call, nowMs, {
      passwordRequired: false,
      requestError: !call.billNum && !call.senderBillNum ? "billNumberRequired" : null,
    });
    if (!admitted.ok) return admitted;
    const outcome: PayOutcome<BillForPayment> = await this.desk.pay(
      admitted.dwid,
      billTarget({ billNum: call.billNum, senderBillNum: call.senderBillNum }, admitted.dwid),
      nowMs,
      call.requestId,
    );
    const bill = outcome.loaded && { billNum: outcome.loaded.bill.bill_num, state: outcome.loaded.bill.status, rndCode: outcome.loaded.bill.rnd_code };
    if (!outcome.ok) return { ok: false, reason: outcome.reason, message: outcome.message, bill };
    // A bill loaded before this payment has no pickup code yet: read what the batch wrote.
    return { ok: true, alreadyPaid: outcome.alreadyPaid, bill: bill!.rndCode ? bill! : await this.paidBill(bill!.billNum) };
  }

  private async paidBill(billNum: string): Promise<BillState> {
    const row = await this.env.DB.prepare("SELECT bill_num, status, rnd_code FROM pos_bills WHERE bill_num = ?")
      .bind(billNum)
      .first<{ bill_num: string; status: string; rnd_code: string | null }>();
    return { billNum, state: row?.status ?? "paid", rndCode: row?.rnd_code ?? null };
  }

  /**
   * Session, customer match, the request's own shape, then the pay password:
   * what every pay call passes before the desk. A request refused before the
   * password is checked counts no failure toward the lockout.
   */
  private async admitPayment(
    call: PayCall,
    nowMs: number,
    rules: { passwordRequired: boolean; requestError?: ResultKey | null },
  ): Promise<{ ok: true; dwid: string } | { ok: false; reason: ResultKey; message?: string }> {
    const auth = await this.sessions.authenticate(call.token, nowMs);
    if (!auth.ok) return { ok: false, reason: auth.reason };
    // The credentials the session was checked against, not a later read: one snapshot per call.
    const { session, credentials: profile } = auth;
    if (call.claimedDwid !== null && (call.claimedDwid !== session.dwid || call.claimedDwlx !== session.dwlx)) {
      return { ok: false, reason: "customerMismatch" };
    }
    if (rules.requestError) return { ok: false, reason: rules.requestError };
    if (profile.payMd5 === null && !rules.passwordRequired) return { ok: true, dwid: session.dwid };
    if (call.ciphertext === null || call.ciphertext === "") {
      return { ok: false, reason: "fieldRequired", message: "PayPwd 为必填项(客户已设置支付密码)" };
    }
    const gate = await this.gate.check({ sessionKey: session.sessionKey, loginMd5: profile.loginMd5, payMd5: profile.payMd5, ciphertext: call.ciphertext, nowMs });
    return gate.ok ? { ok: true, dwid: session.dwid } : gate;
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
    const nowMs = this.clock.nowMs();
    const pending = await this.desk.recover(nowMs);
    let copyFailed = false;
    const profile = this.credentials.identity();
    if (profile) {
      try {
        await copyLedgerToD1(this.sql, this.env.DB, profile.dwid);
      } catch (error) {
        copyFailed = true;
        console.warn(JSON.stringify({ event: "ledger_copy_failed", error: String(error) }));
      }
    }
    if (pending > 0 || copyFailed || this.uncopiedEntries() > 0) {
      this.armAlarm(nowMs + Math.max(ALARM_RETRY_MS, this.config.paymentRecoveryDelayMs));
    }
  }

  private uncopiedEntries(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ledger WHERE copied = 0").one().n;
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
