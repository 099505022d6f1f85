/**
 * Orders: ids, states as a partner sees them, and the limits of one order.
 * Pure: the instant and the randomness come in as arguments.
 */
import { shanghaiDate } from "./dates";
import { refundedStatus } from "./refunds";

/** Lines one OrderAddParm may carry (a real-name group books one line per guest). */
export const MAX_ORDER_LINES = 100;
/** Ticket units one order may hold, whatever the product's own maximum. */
export const MAX_TICKETS_PER_ORDER = 1000;
/** Order ids: 8-digit creation date + this many random digits = 20 (orders.order_id ≤ 20). */
export const ORDER_ID_RANDOM_DIGITS = 12;
/** Random bytes `makeOrderId` needs. */
export const ORDER_ID_RANDOM_BYTES = 8;

export type OrderStatus = "unpaid" | "paid" | "expired" | "cancelled";

/**
 * yyyyMMdd (Asia/Shanghai, creation) + 12 random digits, e.g.
 * "20261126804215739906": sortable by day for operators, not guessable in
 * sequence (10^12 values a day; a collision is refused by the primary key
 * and retried). 64 random bits mod 10^12: bias below 10^-7, irrelevant here.
 */
export function makeOrderId(nowMs: number, random: Uint8Array): string {
  if (random.byteLength !== ORDER_ID_RANDOM_BYTES) throw new Error("order id needs 8 random bytes");
  let value = 0n;
  for (const byte of random) value = (value << 8n) | BigInt(byte);
  const digits = (value % 10n ** BigInt(ORDER_ID_RANDOM_DIGITS)).toString().padStart(ORDER_ID_RANDOM_DIGITS, "0");
  return `${shanghaiDate(nowMs)}${digits}`;
}

/** The status words a partner is told (SPEC §10). */
export type VisibleStatus = OrderStatus | "partially_refunded" | "refunded";

/**
 * The status a partner is told. An unpaid order past its hold can no longer
 * be paid (the pay batch is guarded by `expires_at_ms > now`), so it reads
 * as expired even before the InventoryDO alarm has written that to D1. A paid
 * order whose tickets were refunded reads partially_refunded, or refunded
 * once all were (`refunded`: its refunded units and its ticket units).
 */
export function visibleStatus(status: OrderStatus, expiresAtMs: number, nowMs: number, refunded?: { units: number; ticketUnits: number }): VisibleStatus {
  if (status === "unpaid" && expiresAtMs <= nowMs) return "expired";
  if (status === "paid" && refunded) return refundedStatus(refunded.units, refunded.ticketUnits);
  return status;
}

/**
 * SPEC §10 Cancel: what a cancel at `nowMs` does to an order — cancel it
 * (unpaid, within its hold), answer it as done (already cancelled: a
 * repeat), or refuse (paid: refund it; expired). The hold ends at
 * `expiresAtMs` exactly as for paying and for the expiry alarm, so a cancel
 * and an expiry at one instant never both win.
 */
export type CancelVerdict = "cancel" | "cancelled" | "orderPaidUseRefund" | "orderExpired";

export function cancelVerdict(status: OrderStatus, expiresAtMs: number, nowMs: number): CancelVerdict {
  switch (visibleStatus(status, expiresAtMs, nowMs)) {
    case "unpaid":
      return "cancel";
    case "cancelled":
      return "cancelled";
    case "paid":
    case "partially_refunded":
    case "refunded":
      return "orderPaidUseRefund";
    case "expired":
      return "orderExpired";
  }
}

/** True while an order counts against stock and purchase limits (SPEC §5.5). */
export function isLive(status: OrderStatus, expiresAtMs: number, nowMs: number): boolean {
  return status === "paid" || (status === "unpaid" && expiresAtMs > nowMs);
}
