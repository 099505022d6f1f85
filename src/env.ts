/**
 * Bindings and configuration of the Worker (wrangler.toml, .dev.vars): what
 * each Durable Object needs (its own environment type, declared beside it),
 * plus the Worker's own bindings and secrets.
 */
import type { NotificationMessage } from "./domain/notifications";
import type { AccountDO, AccountEnv } from "./durable/account";
import type { InventoryDO, InventoryEnv } from "./durable/inventory";
import type { LoginThrottleDO, LoginThrottleEnv } from "./durable/login-throttle";

export interface Env extends AccountEnv, InventoryEnv, LoginThrottleEnv {
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  INVENTORY: DurableObjectNamespace<InventoryDO>;
  /** One per client address (domain/login-limits.ts addressKey): the login limit per address. */
  LOGIN_THROTTLE: DurableObjectNamespace<LoginThrottleDO>;
  /** Producer of the notification queue (wrangler.toml [[queues.producers]]). */
  NOTIFY_QUEUE: Queue<NotificationMessage>;
  /** Bearer token of the operators' /admin API (secret). */
  ADMIN_TOKEN: string;
}
