/** Bindings and configuration of the Worker (wrangler.toml, .dev.vars). */
import type { AccountDO } from "./durable/account";
import type { InventoryDO } from "./durable/inventory";

export interface Env {
  DB: D1Database;
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  INVENTORY: DurableObjectNamespace<InventoryDO>;

  /** Bearer token of the operators' /admin API (secret). */
  ADMIN_TOKEN: string;
  /** Base64 of 32 random bytes: encrypts password material at rest (secret). */
  PASSWORD_KEY: string;

  PAY_3DES_MODE: string;
  SESSION_IDLE_MINUTES: string;
  PAY_LOCKOUT_MAX_FAILURES: string;
  PAY_LOCKOUT_WINDOW_MINUTES: string;
  ORDER_HOLD_MINUTES: string;
  PAYMENT_RECOVERY_DELAY_SECONDS?: string;
  /** "on" only in the test configuration (vitest.config.ts); see durable/faults.ts. */
  FAULT_INJECTION?: string;
}
