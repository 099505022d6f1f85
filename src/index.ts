import type { Env } from "./env";

export { AccountDO } from "./durable/account";
export { InventoryDO } from "./durable/inventory";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName("x"));
    return new Response(await stub.ping());
  },
} satisfies ExportedHandler<Env>;
