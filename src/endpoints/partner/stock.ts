/**
 * After a payment commits, the order's stock holds become sold. Best effort:
 * the InventoryDO's expiry alarm checks D1 before releasing a hold, so a
 * lost confirmation never frees a paid order's stock.
 */
import type { Env } from "../../env";

export function confirmSold(env: Env, orderId: string, stock: readonly { productId: string; effectDate: string }[]): Promise<unknown> {
  return Promise.allSettled(
    stock.map(({ productId, effectDate }) => env.INVENTORY.get(env.INVENTORY.idFromName(`${productId}:${effectDate}`)).confirm(orderId)),
  );
}
