/**
 * Worker entry: every request goes through the route table (router.ts).
 * Exports the Durable Object classes bound in wrangler.toml.
 */
import type { Env } from "./env";
import { buildRouter } from "./router";

export { AccountDO } from "./durable/account";
export { InventoryDO } from "./durable/inventory";

const router = buildRouter();

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
