/**
 * Worker entry: every request goes through the route table (router.ts); the
 * notification queue's messages and the cron sweep go to src/queue/.
 * Exports the Durable Object classes bound in wrangler.toml.
 */
import type { Env } from "./env";
import { handleQueue } from "./queue/consumer";
import { handleScheduled } from "./queue/sweep";
import { buildRouter } from "./router";

export { AccountDO } from "./durable/account";
export { InventoryDO } from "./durable/inventory";
export { LoginThrottleDO } from "./durable/login-throttle";

const router = buildRouter();

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Env, unknown>;
