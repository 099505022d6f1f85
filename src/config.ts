/**
 * Configuration read from the environment once, with units and defaults.
 * `ConfigVars` is the part of the Worker's environment it reads; the
 * Durable Objects' environments and `Env` extend it.
 */
export interface ConfigVars {
  PAY_3DES_MODE: string;
  SESSION_IDLE_MINUTES: string;
  PAY_LOCKOUT_MAX_FAILURES: string;
  PAY_LOCKOUT_WINDOW_MINUTES: string;
  LOGIN_LOCKOUT_MAX_FAILURES: string;
  LOGIN_LOCKOUT_WINDOW_MINUTES: string;
  LOGIN_ADDRESS_MAX_FAILURES: string;
  ORDER_HOLD_MINUTES: string;
  PAYMENT_RECOVERY_DELAY_SECONDS?: string;
  SESSION_CACHE_SECONDS?: string;
  CATALOGUE_CACHE_SECONDS?: string;
  VERIFY_STOCK_VIEW_MS?: string;
  CALENDAR_STOCK_VIEW_MS?: string;
  /** HTTP SMS gateway for the guest SMS; unset: the SMS is logged (local dev). */
  SMS_GATEWAY_URL?: string;
  /** Bearer token of the SMS gateway (secret), when it wants one. */
  SMS_GATEWAY_TOKEN?: string;
  /** First retry delay of a failed notification, doubled per attempt (default 30). */
  NOTIFY_RETRY_BASE_SECONDS?: string;
  /** A 'pending' outbox row older than this is enqueued by the cron sweep (default 60). */
  NOTIFY_SWEEP_AFTER_SECONDS?: string;
  /** "on" only in the test configuration (vitest.config.ts); see durable/faults.ts. */
  FAULT_INJECTION?: string;
  /** "on" only in the test configuration: one adjustable clock per isolate (clock.ts). */
  TEST_CLOCK?: string;
  /** "on" only under `npm run bench`: storage calls and rows counted (counters.ts), GET /__bench/counters. */
  BENCH_COUNTERS?: string;
  /** "on" only under `npm run bench` with BENCH_GROWTH: the bench may bulk-load the objects (endpoints/bench.ts). */
  BENCH_PRELOAD?: string;
}

export interface Config {
  pay3desMode: "ecb" | "cbc";
  sessionIdleMs: number;
  payLockoutMaxFailures: number;
  payLockoutWindowMs: number;
  /** Wrong login passwords for one dwid within `loginLockoutWindowMs` that lock its login (SPEC §11). */
  loginLockoutMaxFailures: number;
  /** The window of both login limits, per dwid and per client address. */
  loginLockoutWindowMs: number;
  /** Wrong login passwords from one client address within the window before it may try only dwids it has logged into. */
  loginAddressMaxFailures: number;
  orderHoldMs: number;
  /** A pending payment older than this, not in flight, is settled by the alarm. */
  paymentRecoveryDelayMs: number;
  /** How long a Worker isolate may reuse a session it authenticated (0 = always ask the AccountDO). */
  sessionCacheMs: number;
  /** How long a Worker isolate may reuse catalogue rows it read (db/catalogue-cache.ts; 0 = always read). */
  catalogueCacheMs: number;
  /** How old a stock view Verify may accept from (durable/inventory-client.ts; 0 = always ask the object). */
  verifyStockViewMs: number;
  /** How old a stock view Product/Calendar may show (durable/inventory-client.ts `stockViews`; 0 = always ask the objects). */
  calendarStockViewMs: number;
  /** The guest SMS gateway; null: SMS are written to the log as one JSON line. */
  smsGateway: { url: string; token: string | null } | null;
  /** First retry delay of a failed notification delivery; doubled per attempt, capped. */
  notifyRetryBaseSeconds: number;
  /** A payment's outbox row still 'pending' after this is enqueued by the sweep. */
  notifySweepAfterMs: number;
  /** Test configuration only: lets tests arm the fault points of durable/faults.ts. */
  faultInjection: boolean;
}

const MINUTE_MS = 60_000;

export function configOf(env: ConfigVars): Config {
  return {
    pay3desMode: env.PAY_3DES_MODE === "cbc" ? "cbc" : "ecb",
    sessionIdleMs: positive(env.SESSION_IDLE_MINUTES, 120) * MINUTE_MS,
    payLockoutMaxFailures: positive(env.PAY_LOCKOUT_MAX_FAILURES, 5),
    payLockoutWindowMs: positive(env.PAY_LOCKOUT_WINDOW_MINUTES, 15) * MINUTE_MS,
    loginLockoutMaxFailures: positive(env.LOGIN_LOCKOUT_MAX_FAILURES, 5),
    loginLockoutWindowMs: positive(env.LOGIN_LOCKOUT_WINDOW_MINUTES, 15) * MINUTE_MS,
    loginAddressMaxFailures: positive(env.LOGIN_ADDRESS_MAX_FAILURES, 20),
    orderHoldMs: positive(env.ORDER_HOLD_MINUTES, 30) * MINUTE_MS,
    paymentRecoveryDelayMs: nonNegative(env.PAYMENT_RECOVERY_DELAY_SECONDS, 30) * 1000,
    sessionCacheMs: nonNegative(env.SESSION_CACHE_SECONDS, 30) * 1000,
    catalogueCacheMs: nonNegative(env.CATALOGUE_CACHE_SECONDS, 5) * 1000,
    verifyStockViewMs: nonNegative(env.VERIFY_STOCK_VIEW_MS, 1000),
    calendarStockViewMs: nonNegative(env.CALENDAR_STOCK_VIEW_MS, 1000),
    smsGateway: env.SMS_GATEWAY_URL ? { url: env.SMS_GATEWAY_URL, token: env.SMS_GATEWAY_TOKEN || null } : null,
    notifyRetryBaseSeconds: nonNegative(env.NOTIFY_RETRY_BASE_SECONDS, 30),
    notifySweepAfterMs: nonNegative(env.NOTIFY_SWEEP_AFTER_SECONDS, 60) * 1000,
    faultInjection: env.FAULT_INJECTION === "on",
  };
}

function nonNegative(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && text !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
