/**
 * LoginThrottleDO — one per client address (`addressKey` of CF-Connecting-IP,
 * domain/login-limits.ts). SPEC §11: failures per client address are limited
 * too, so one address cannot walk through many dwids. Every login goes
 * through its address's object, which asks the customer's AccountDO (the
 * authority on the password and the per-dwid lockout) and counts what came
 * back.
 *
 * The rule: after LOGIN_ADDRESS_MAX_FAILURES wrong passwords from the address
 * within LOGIN_LOCKOUT_WINDOW_MINUTES, the address may not try a dwid it has
 * not logged into (loginRateLimited, 2008) until enough failures leave the
 * window. What it must not do:
 *  - limit successful logins: only wrong passwords count, and a login that
 *    succeeds is at most delayed (below), never refused for the address's sake;
 *  - lock out other customers: other addresses have their own objects, and a
 *    customer that has logged in from this address in the last
 *    KNOWN_CUSTOMER_DAYS (an agency's own server behind a shared address)
 *    keeps logging in from it while it is limited — still under its own
 *    per-dwid lockout, which bounds guesses at it.
 *
 * Race-free counting: a login in flight might turn out wrong, so it counts
 * against the limit until it is settled. While failures plus logins in
 * flight would reach the limit, a new attempt waits for one in flight to
 * settle instead of being refused, so at most the limit's worth of wrong
 * passwords is ever tested from one address in a window, however many arrive
 * at once. With no failures, LOGIN_ADDRESS_MAX_FAILURES logins run at once.
 * The count of logins in flight lives in memory: a reset of the object aborts
 * those calls anyway.
 */
import { DurableObject } from "cloudflare:workers";
import { clockOf, type Clock } from "../clock";
import { configOf, type Config, type ConfigVars } from "../config";
import { meteredSql } from "../counters";
import { loginRateLimitedMessage } from "../domain/login-limits";
import type { AccountDO } from "./account";
import type { LoginInput, LoginResult } from "./account-sessions";
import { FailureWindow } from "./failure-window";
import { withAccount } from "./stubs";

/** A customer that logged in from an address may keep doing so while the address is limited, for this long after its last login. */
export const KNOWN_CUSTOMER_DAYS = 30;
const KNOWN_CUSTOMER_MS = KNOWN_CUSTOMER_DAYS * 24 * 60 * 60_000;
/** Customers remembered per address; the least recent are forgotten past this. */
export const MAX_KNOWN_CUSTOMERS_PER_ADDRESS = 10_000;

const THROTTLE_SCHEMA_VERSION = 1;
const THROTTLE_SCHEMA_V1 = [
  // Wrong passwords tried from this address at dwids it had not logged into.
  `CREATE TABLE failures (at_ms INTEGER NOT NULL)`,
  `CREATE TABLE known_customers (dwid TEXT PRIMARY KEY, last_login_at_ms INTEGER NOT NULL)`,
  `CREATE INDEX known_customers_by_age ON known_customers (last_login_at_ms)`,
];

export type ThrottledLoginResult = LoginResult | { ok: false; reason: "loginRateLimited"; message: string; wrongPassword: false };

/** What LoginThrottleDO reads from its environment. */
export interface LoginThrottleEnv extends ConfigVars {
  ACCOUNT: DurableObjectNamespace<AccountDO>;
}

export class LoginThrottleDO extends DurableObject<LoginThrottleEnv> {
  private readonly sql: SqlStorage;
  private readonly config: Config;
  private readonly clock: Clock;
  private readonly failures: FailureWindow;
  /** Logins of not-known dwids sent to an AccountDO and not yet settled here. */
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(ctx: DurableObjectState, env: LoginThrottleEnv) {
    super(ctx, env);
    // meteredSql gives back what it gets unless BENCH_COUNTERS is "on" (counters.ts).
    this.sql = meteredSql(ctx.storage.sql, env, "LoginThrottleDO");
    this.config = configOf(env);
    this.clock = clockOf(env);
    this.failures = new FailureWindow(this.sql, "failures", this.config.loginAddressMaxFailures, this.config.loginLockoutWindowMs);
    void ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const current = this.sql.exec<{ version: number | null }>("SELECT max(version) AS version FROM schema_version").one().version ?? 0;
    if (current >= THROTTLE_SCHEMA_VERSION) return;
    this.ctx.storage.transactionSync(() => {
      for (const statement of THROTTLE_SCHEMA_V1) this.sql.exec(statement);
      this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", THROTTLE_SCHEMA_VERSION);
    });
  }

  /** A login from this address: admitted (or refused) here, decided by the customer's AccountDO. */
  async login(input: LoginInput): Promise<ThrottledLoginResult> {
    if (this.isKnown(input.dwid, this.clock.nowMs())) {
      const result = await this.loginAt(input);
      if (result.ok) this.remember(input.dwid, this.clock.nowMs());
      return result;
    }
    const refused = await this.admit();
    if (refused) return refused;
    try {
      const result = await this.loginAt(input);
      // Synchronous from here until the slot is given back, so a waiter sees this outcome.
      const nowMs = this.clock.nowMs();
      if (result.ok) this.remember(input.dwid, nowMs);
      else if (result.wrongPassword) this.recordFailure(nowMs);
      return result;
    } finally {
      this.inFlight -= 1;
      for (const wake of this.waiting.splice(0)) wake();
    }
  }

  /** Takes a slot for a login of a dwid not known here; null when taken, the refusal when the address is limited. */
  private async admit(): Promise<ThrottledLoginResult | null> {
    for (;;) {
      const nowMs = this.clock.nowMs();
      const failures = this.failures.count(nowMs);
      if (failures >= this.config.loginAddressMaxFailures) {
        return { ok: false, reason: "loginRateLimited", message: loginRateLimitedMessage(this.failures.reopensAtMs(nowMs), nowMs), wrongPassword: false };
      }
      if (failures + this.inFlight < this.config.loginAddressMaxFailures) {
        this.inFlight += 1;
        return null;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private recordFailure(nowMs: number): void {
    const failures = this.failures.record(nowMs);
    if (failures === this.config.loginAddressMaxFailures) {
      console.warn(JSON.stringify({ event: "login_rate_limited", object: this.ctx.id.toString(), failures }));
    }
  }

  private isKnown(dwid: string, nowMs: number): boolean {
    return this.sql
      .exec("SELECT 1 FROM known_customers WHERE dwid = ? AND last_login_at_ms > ?", dwid, nowMs - KNOWN_CUSTOMER_MS)
      .toArray().length > 0;
  }

  private remember(dwid: string, nowMs: number): void {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO known_customers (dwid, last_login_at_ms) VALUES (?, ?)
         ON CONFLICT (dwid) DO UPDATE SET last_login_at_ms = excluded.last_login_at_ms`,
        dwid, nowMs,
      );
      this.sql.exec(
        `DELETE FROM known_customers WHERE last_login_at_ms <= ? OR dwid IN (
           SELECT dwid FROM known_customers ORDER BY last_login_at_ms DESC LIMIT -1 OFFSET ?)`,
        nowMs - KNOWN_CUSTOMER_MS, MAX_KNOWN_CUSTOMERS_PER_ADDRESS,
      );
    });
  }



  /** The customer's own decision (password, its lockout, suspension). RPC types map a union member by member; the value is the plain union. */
  private async loginAt(input: LoginInput): Promise<LoginResult> {
    return withAccount(this.env, input.dwid, async (account) => (await account.login(input)) as LoginResult);
  }
}
