/**
 * Resending an order's ticket codes by SMS (SPEC §10 Resend), its pure
 * rules: which orders may be resent, how many times an hour, the outbox id
 * of each resend, and the words of the answers. No I/O, no clock: instants
 * come in as arguments.
 *
 * The count itself lives in D1: an order's resends are its outbox rows of
 * kind 'order_resent', and db/resends.ts inserts one only while fewer than
 * RESENDS_PER_ORDER_PER_HOUR of them are younger than RESEND_WINDOW_MS.
 */
import type { ResultKey } from "./codes";
import { whenToRetry } from "./dates";
import type { VisibleStatus } from "./orders";

/** SPEC §10: "at most 3 per order per hour". */
export const RESENDS_PER_ORDER_PER_HOUR = 3;
/** The rolling hour: a resend counts while it is younger than this. */
export const RESEND_WINDOW_MS = 3_600_000;

/** `order-resent:<orderid>:<n>`, n = 1, 2, … the order's resends in order: stable, so a duplicate message is dropped by id. */
export const orderResentOutboxId = (orderId: string, n: number): string => `order-resent:${orderId}:${n}`;

/**
 * Whether an order's tickets may be texted again, by what the partner sees
 * of it: only a paid order (partially refunded too) with at least one valid
 * ticket. A fully refunded one (or one whose tickets are all used) has
 * nothing to send.
 */
export type ResendRefusal = { key: ResultKey; message?: string };

export function resendRefusal(status: VisibleStatus, validTickets: number): ResendRefusal | null {
  switch (status) {
    case "unpaid":
      return { key: "orderNotPaid", message: "订单未支付,没有门票可重发" };
    case "expired":
      return { key: "orderExpired" };
    case "cancelled":
      return { key: "orderCancelled" };
    case "paid":
    case "partially_refunded":
    case "refunded":
      return validTickets > 0 ? null : { key: "nothingToResend" };
  }
}

/**
 * When the next resend will be allowed, given the creation instants of the
 * resends inside the window (any order): once all but LIMIT − 1 of them
 * have left it.
 */
export function nextResendAtMs(inWindowMs: readonly number[]): number {
  const sorted = [...inWindowMs].sort((a, b) => a - b);
  const leaving = sorted[sorted.length - RESENDS_PER_ORDER_PER_HOUR];
  if (leaving === undefined) throw new Error(`no resend limit reached with ${sorted.length} resends in the window`);
  return leaving + RESEND_WINDOW_MS;
}

/** resendLimited (4008): the rule, and when to try again (Asia/Shanghai). */
export function resendLimitedMessage(retryAtMs: number, nowMs: number): string {
  return `该订单1小时内已重发${RESENDS_PER_ORDER_PER_HOUR}次短信,${whenToRetry(retryAtMs, nowMs)}`;
}

/** The answer's words: where it goes (masked), how many tickets, how many resends remain this hour. */
export function resendQueuedMessage(maskedMobile: string, validTickets: number, remaining: number): string {
  return `门票短信将重新发送至${maskedMobile}(${validTickets}张有效门票),本小时内该订单还可重发${remaining}次`;
}
