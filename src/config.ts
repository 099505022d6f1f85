/** Configuration read from the environment once, with units and defaults. */
import type { Env } from "./env";

export interface Config {
  pay3desMode: "ecb" | "cbc";
  sessionIdleMs: number;
  payLockoutMaxFailures: number;
  payLockoutWindowMs: number;
  orderHoldMs: number;
  /** A pending payment older than this, not in flight, is settled by the alarm. */
  paymentRecoveryDelayMs: number;
  /** Test configuration only: lets tests arm the fault points of durable/faults.ts. */
  faultInjection: boolean;
}

const MINUTE_MS = 60_000;

export function configOf(env: Env): Config {
  return {
    pay3desMode: env.PAY_3DES_MODE === "cbc" ? "cbc" : "ecb",
    sessionIdleMs: positive(env.SESSION_IDLE_MINUTES, 120) * MINUTE_MS,
    payLockoutMaxFailures: positive(env.PAY_LOCKOUT_MAX_FAILURES, 5),
    payLockoutWindowMs: positive(env.PAY_LOCKOUT_WINDOW_MINUTES, 15) * MINUTE_MS,
    orderHoldMs: positive(env.ORDER_HOLD_MINUTES, 30) * MINUTE_MS,
    paymentRecoveryDelayMs: nonNegative(env.PAYMENT_RECOVERY_DELAY_SECONDS, 30) * 1000,
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
