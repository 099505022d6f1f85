/**
 * What follows a committed payment, off the answer's path (ctx.waitUntil):
 * the order's stock holds become sold, and the outbox row goes to the
 * notification queue. Both are gathered per isolate for a few milliseconds
 * and sent together — one InventoryDO call per product-day and one queue
 * send for every payment of the window — because at a sale peak they would
 * otherwise cost a round trip each per payment (issue 7).
 *
 * Both are best effort and never reject: the InventoryDO's expiry alarm asks
 * D1 before releasing a hold (a lost confirmation never frees a paid
 * order's stock), and the cron sweep enqueues outbox rows still 'pending'.
 */
import type { Env } from "../../env";
import { inventoryOf } from "../../durable/inventory-client";
import { sendMessages } from "../../queue/producer";

/** How long an isolate gathers follow-ups before sending them. */
export const FOLLOW_UP_WINDOW_MS = 15;
/** sendBatch takes at most 100 messages; confirmMany takes this many order ids. */
const MAX_PER_SEND = 100;

class Gatherer<T> {
  private readonly open = new Map<string, { env: Env; items: T[]; sent: Promise<void> }>();

  constructor(private readonly send: (env: Env, key: string, items: T[]) => Promise<void>) {}

  add(env: Env, key: string, item: T): Promise<void> {
    let batch = this.open.get(key);
    if (!batch || batch.items.length >= MAX_PER_SEND) {
      const created: { env: Env; items: T[]; sent: Promise<void> } = { env, items: [], sent: Promise.resolve() };
      created.sent = new Promise<void>((resolve) => setTimeout(resolve, FOLLOW_UP_WINDOW_MS)).then(async () => {
        if (this.open.get(key) === created) this.open.delete(key);
        try {
          await this.send(created.env, key, created.items);
        } catch (error) {
          console.error(JSON.stringify({ event: "follow_up_failed", key, items: created.items.length, error: String(error) }));
        }
      });
      this.open.set(key, created);
      created.items.push(item);
      return created.sent;
    }
    batch.items.push(item);
    // The batch is sent, and waited for, by the request that opened it: another request's
    // waitUntil may not wait on it (workerd: "Cannot perform I/O on behalf of a different
    // request"; found by the reliability simulation, any seed with concurrent payments).
    return Promise.resolve();
  }
}

const stockConfirmations = new Gatherer<string>(async (env, inventoryName, orderIds) => {
  const [productId, day] = splitInventoryName(inventoryName);
  await inventoryOf(env, productId, day).confirmMany(orderIds);
});

const notifications = new Gatherer<string>((env, _key, outboxIds) => sendMessages(env, outboxIds));

/** The paid order's holds, in each of its products' InventoryDOs, become sold. */
export function confirmSold(env: Env, orderId: string, stock: readonly { productId: string; effectDate: string }[]): Promise<unknown> {
  return Promise.all(stock.map(({ productId, effectDate }) => stockConfirmations.add(env, `${productId}:${effectDate}`, orderId)));
}

/** The payment's outbox row goes to the notification queue. */
export function notifyPaid(env: Env, outboxId: string): Promise<void> {
  return notifications.add(env, "queue", outboxId);
}

function splitInventoryName(name: string): [productId: string, day: string] {
  const at = name.lastIndexOf(":");
  return [name.slice(0, at), name.slice(at + 1)];
}
