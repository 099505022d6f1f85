/**
 * Bindings and configuration of the Worker (wrangler.toml, .dev.vars): what
 * each Durable Object needs (its own environment type, declared beside it),
 * plus the Worker's own bindings and secrets.
 */
import type { AccountDO, AccountEnv } from "./durable/account";
import type { InventoryDO, InventoryEnv } from "./durable/inventory";
import type { NotificationMessage } from "./domain/notifications";

export interface Env extends AccountEnv, InventoryEnv {
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  INVENTORY: DurableObjectNamespace<InventoryDO>;
  /** Producer of the notification queue (wrangler.toml [[queues.producers]]). */
  NOTIFY_QUEUE: Queue<NotificationMessage>;
  /** Bearer token of the operators' /admin API (secret). */
  ADMIN_TOKEN: string;
}
