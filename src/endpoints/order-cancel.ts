/**
 * Cancelling an order (SPEC §10 Cancel), shared by the partner's
 * Order/Cancel (own orders) and the operators' POST /admin/orders/{id}/cancel:
 *
 *   1. the order as the caller read it, at this instant (domain/orders.ts
 *      `cancelVerdict`): paid → refused, refund it (4004); expired → refused
 *      (4002); cancelled → done already; unpaid within its hold → 2;
 *   2. one guarded UPDATE and the order read back, in one D1 batch
 *      (db/orders.ts `cancelUnpaidOrder`). A pay's batch is guarded by the
 *      same `status = 'unpaid' AND expires_at_ms > now`, and D1 runs writes
 *      one at a time: of a cancel and a pay, exactly one commits, and the
 *      status read back says which;
 *   3. once cancelled — now or by an earlier request, whose release may have
 *      failed — every product-day's hold is released through its
 *      InventoryDO, which asks D1 first (cancelled → released). A release
 *      that fails does not fail the answer: the cancel stands, and the
 *      object's alarm gives the units back once D1 answers it.
 *
 * A store error from step 2 is thrown: the UPDATE was sent and its outcome
 * is not known (the partner pipeline answers 9003 with HTTP 503; the admin
 * router 503). A repeat is safe: it answers the order as it then stands.
 */
import type { Clock } from "../clock";
import { cancelUnpaidOrder, type Order, type OrderItem } from "../db/orders";
import { cancelVerdict } from "../domain/orders";
import { workerFaults } from "../durable/faults";
import { releaseStock } from "../durable/inventory-client";
import type { Env } from "../env";

export type CancelOutcome =
  /** `cancelledNow`: this request cancelled it (false: a repeat, or a concurrent cancel won). */
  | { ok: true; order: Order; cancelledNow: boolean }
  | { ok: false; reason: "orderPaidUseRefund" | "orderExpired"; order: Order };

export async function cancelOrder(env: Env, found: { order: Order; items: readonly OrderItem[] }, clock: Clock): Promise<CancelOutcome> {
  const nowMs = clock.nowMs();
  let order = found.order;
  let cancelledNow = false;
  if (cancelVerdict(order.status, order.expiresAtMs, nowMs) === "cancel") {
    const cancelled = await workerFaults.write("order-cancel", env.DB, (db) => cancelUnpaidOrder(db, order.orderId, nowMs));
    if (!cancelled.order) throw new Error(`order ${order.orderId} vanished while being cancelled`);
    order = cancelled.order;
    cancelledNow = cancelled.changed;
  }
  const verdict = cancelVerdict(order.status, order.expiresAtMs, nowMs);
  switch (verdict) {
    case "cancel":
      // The guarded UPDATE matches exactly this state, in the transaction that read it.
      throw new Error(`order ${order.orderId} still unpaid within its hold after its guarded cancel`);
    case "cancelled":
      await releaseStock(env, order.orderId, order.effectDate, [...new Set(found.items.map((i) => i.productId))]);
      return { ok: true, order, cancelledNow };
    default:
      return { ok: false, reason: verdict, order };
  }
}
