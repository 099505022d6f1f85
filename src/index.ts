/**
 * Worker entry: every request goes through the route table (router.ts); the
 * notification queue's messages and the cron sweep go to src/queue/.
 * Exports the Durable Object classes bound in wrangler.toml.
 */
import { countDelivered, meteredInvocation } from "./counters";
import { serveBench } from "./endpoints/bench";
import type { Env } from "./env";
import { handleQueue } from "./queue/consumer";
import { handleScheduled } from "./queue/sweep";
import { buildRouter } from "./router";

export { AccountDO } from "./durable/account";
export { InventoryDO } from "./durable/inventory";
export { LoginThrottleDO } from "./durable/login-throttle";

const router = buildRouter();

// meteredInvocation is `env` itself unless BENCH_COUNTERS is "on" (counters.ts).
export default {
  fetch: (request, env, ctx) => serveBench(request, env) ?? router.fetch(request, meteredInvocation(env, "worker.requests"), ctx),
  queue: (batch, env) => {
    countDelivered(env, batch.messages.length);
    return handleQueue(batch, meteredInvocation(env, "worker.queueBatches"));
  },
  scheduled: (controller, env) => handleScheduled(controller, meteredInvocation(env, "worker.crons")),
} satisfies ExportedHandler<Env, unknown>;
