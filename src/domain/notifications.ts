/**
 * Pure rules of the paid-order / paid-bill notifications (issue 6; SPEC §5.1
 * "generates tickets and sends a notification to the guest or the agency"):
 * the outbox's ids and states, what each channel says, the retry schedule.
 * No I/O, no clock: times come in as arguments.
 *
 * An outbox row (written in the payment's D1 batch) is delivered on two
 * channels: the partner's signed callback and the guest's SMS. Each channel
 * is tracked on its own, so retrying the message never repeats a channel
 * that is already done. A refund (SPEC §10) is announced the same way; a
 * resend of an order's tickets (SPEC §10 Resend) is an SMS only. A customer's
 * available deposit falling below its threshold (SPEC §12 balance_low) is
 * the partner's callback and an SMS to the agency's own contact mobile.
 */
import { fenToYuan } from "./money";

export type NotificationKind = "order_paid" | "bill_paid" | "order_refunded" | "order_resent" | "ticket_used" | "balance_low";

/**
 * pending  — written by the payment, not yet handed to the queue;
 * enqueued — on the queue (retrying when attempts > 0 and last_error is set);
 * sent     — every channel done;
 * failed   — retries exhausted, the dead-letter consumer recorded it (operators retry);
 * dead     — undeliverable whatever the retries (its order or bill is gone).
 */
export const OUTBOX_STATUSES = ["pending", "enqueued", "sent", "failed", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export type Channel = "callback" | "sms";
export const CHANNELS: readonly Channel[] = ["callback", "sms"];

/**
 * The channels a kind is delivered on. A resend is the guest's SMS again,
 * asked for by the partner itself: the partner's callback is not called
 * (it learnt the tickets from the payment's).
 */
export function channelsOf(kind: NotificationKind): readonly Channel[] {
  return kind === "order_resent" ? ["sms"] : CHANNELS;
}

/** logged: no SMS gateway configured, the message went to the log (local dev). */
export type ChannelStatus = "sent" | "logged" | "skipped" | "failed";
const DONE: ReadonlySet<ChannelStatus> = new Set(["sent", "logged", "skipped"]);
export const channelDone = (status: ChannelStatus | undefined): boolean => status !== undefined && DONE.has(status);

/** Outbox ids, as the payment batch writes them (durable/payment-targets.ts): stable, so a partner drops duplicates by id. */
export const orderPaidOutboxId = (orderId: string): string => `order-paid:${orderId}`;
export const billPaidOutboxId = (billNum: string): string => `bill-paid:${billNum}`;
/** One per ticket: a ticket is used once. */
export const ticketUsedOutboxId = (ticketCode: string): string => `ticket-used:${ticketCode}`;
/** One per refund (an order may have several): by the refund's intent id. */
export const orderRefundedOutboxId = (refundIntentId: string): string => `order-refunded:${refundIntentId}`;
/**
 * One per alert the customer's AccountDO recorded (its own alert seq): a
 * retry of the object's write lands on the same row (INSERT OR IGNORE). A
 * dwid is at most 36 characters, so the id stays within OUTBOX_ID_MAX_CHARS.
 */
export const balanceLowOutboxId = (dwid: string, alertSeq: number): string => `balance-low:${dwid}:${alertSeq}`;
export const OUTBOX_ID_MAX_CHARS = 64;

// ---------------------------------------------------------------- limits

/** A partner callback or the SMS gateway answering slower than this is a failed attempt. */
export const CALLBACK_TIMEOUT_MS = 10_000;
export const SMS_TIMEOUT_MS = 10_000;
/** Retry backoff: base × 2^(attempt−1), at most this (Queues allow up to 12 h). */
export const RETRY_DELAY_CAP_SECONDS = 900;
/** Rows the sweep enqueues per batch (sendBatch takes at most 100 messages), and batches per run. */
export const SWEEP_BATCH_SIZE = 100;
export const SWEEP_MAX_BATCHES = 10;
/**
 * An 'enqueued' row untouched for this long lost its message (e.g. the
 * dead-letter consumer failed too): the sweep enqueues it again. Far beyond
 * the whole retry schedule (≈ 30 min).
 */
export const STALE_ENQUEUED_MS = 6 * 3_600_000;
/** Errors kept in last_error are cut to this. */
export const LAST_ERROR_MAX_CHARS = 500;
/** An SMS lists at most this many ticket codes; the rest are counted. */
export const SMS_MAX_CODES = 20;

/** Seconds before the next delivery of a message that failed its `attempt`-th delivery (1-based). */
export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 20);
  return Math.min(RETRY_DELAY_CAP_SECONDS, Math.round(baseSeconds * 2 ** exponent));
}

// ---------------------------------------------------------------- what is said

/**
 * The paid order or bill, the refund, or the resent order, as D1 has it when
 * the notification is delivered; a balance alert as the object recorded it
 * at the crossing, with the customer's contact mobile at delivery.
 */
export type NotificationTarget =
  | CallbackTarget
  /** The order's tickets still valid when delivered, to `mobile`: the one the resend named, else the order's. */
  | { kind: "order_resent"; dwid: string; orderId: string; senderId: string | null; mobile: string; ticketCodes: string[] };

/** What a partner's callback announces. */
export type CallbackTarget =
  | { kind: "order_paid"; dwid: string; orderId: string; senderId: string | null; status: string; mobile: string | null; paidAtMs: number; ticketCodes: string[] }
  | { kind: "bill_paid"; dwid: string; billNum: string; senderBillNum: string | null; status: string; rndCode: string | null; paidAtMs: number }
  | { kind: "ticket_used"; dwid: string; orderId: string; senderId: string | null; ticketCode: string; usedAtMs: number; gateId: string }
  | {
      kind: "order_refunded";
      dwid: string;
      refundNo: string;
      orderId: string;
      senderId: string | null;
      mobile: string | null;
      refundAmountFen: number;
      ticketCodes: string[];
      refundedAtMs: number;
    }
  | {
      kind: "balance_low";
      dwid: string;
      balanceFen: number;
      availableFen: number;
      thresholdFen: number;
      /** When the crossing was posted (the debit's, or the operator's change of threshold). */
      atMs: number;
      /** The agency's own number (PUT /admin/customers contactMobile); null: no SMS. */
      contactMobile: string | null;
    };

/**
 * The partner callback's JSON body. Field names follow the partner API's
 * spelling (senderid, orderid); `id` is the outbox id, the same on every
 * retry and duplicate.
 */
export function callbackBody(id: string, target: CallbackTarget): Record<string, unknown> {
  if (target.kind === "balance_low") {
    // SPEC §12 issue 17: {id, kind, dwid, balance, available, threshold, at}
    return {
      id, kind: target.kind, dwid: target.dwid, balance: fenToYuan(target.balanceFen), available: fenToYuan(target.availableFen),
      threshold: fenToYuan(target.thresholdFen), at: new Date(target.atMs).toISOString(),
    };
  }
  if (target.kind === "ticket_used") {
    // SPEC §10: {id, kind, dwid, orderid, senderid, ticketcode, usedAt, gateid}
    return {
      id, kind: target.kind, dwid: target.dwid, orderid: target.orderId, senderid: target.senderId, ticketcode: target.ticketCode,
      usedAt: new Date(target.usedAtMs).toISOString(), gateid: target.gateId,
    };
  }
  if (target.kind === "order_refunded") {
    // SPEC §10: {id, kind, dwid, refundid, orderid, senderid, refundamount, tickets, refundedAt}
    return {
      id, kind: target.kind, dwid: target.dwid, refundid: target.refundNo, orderid: target.orderId, senderid: target.senderId,
      refundamount: fenToYuan(target.refundAmountFen), tickets: target.ticketCodes, refundedAt: new Date(target.refundedAtMs).toISOString(),
    };
  }
  const paidAt = new Date(target.paidAtMs).toISOString();
  if (target.kind === "order_paid") {
    return {
      id, kind: target.kind, dwid: target.dwid, senderid: target.senderId, orderid: target.orderId,
      status: target.status, tickets: target.ticketCodes, paidAt,
    };
  }
  return {
    id, kind: target.kind, dwid: target.dwid, billNum: target.billNum, senderBillNum: target.senderBillNum,
    status: target.status, rndCode: target.rndCode, paidAt,
  };
}

/** The guest's SMS: ticket codes, or the bill's pickup code. null when there is nobody to send it to. */
export function smsFor(target: NotificationTarget): { to: string; text: string } | null {
  // The guest is at the gate: the partner is told, the guest is not texted.
  if (target.kind === "ticket_used") return null;
  if (target.kind === "order_resent") {
    // Every ticket refunded (or used) since the resend was asked: nothing left to send.
    if (target.ticketCodes.length === 0) return null;
    return { to: target.mobile, text: `您的订单${target.orderId}的门票码：${ticketList(target.ticketCodes)}。入园时请出示门票码。` };
  }
  if (target.kind === "balance_low") {
    if (!target.contactMobile) return null;
    return {
      to: target.contactMobile,
      text: `您的预订金可用余额${fenToYuan(target.availableFen)}元，已低于提醒额度${fenToYuan(target.thresholdFen)}元，请及时充值。`,
    };
  }
  if (target.kind === "order_refunded") {
    if (!target.mobile) return null;
    return { to: target.mobile, text: `您的订单${target.orderId}已退票${target.ticketCodes.length}张，退款${fenToYuan(target.refundAmountFen)}元已退回预订金。` };
  }
  if (target.kind === "order_paid") {
    if (!target.mobile) return null;
    return { to: target.mobile, text: `您的订单${target.orderId}已支付成功，门票码：${ticketList(target.ticketCodes)}。入园时请出示门票码。` };
  }
  // POS bills carry no mobile (SPEC §5.4): the pickup code is printed by the terminal.
  return null;
}

/** At most SMS_MAX_CODES codes, the rest counted. */
function ticketList(codes: readonly string[]): string {
  const shown = codes.slice(0, SMS_MAX_CODES).join("、");
  return codes.length > SMS_MAX_CODES ? `${shown}等共${codes.length}张` : shown;
}

/** 13800138000 → 138****8000, for logs and the operators' view. */
export function maskMobile(mobile: string): string {
  return mobile.length >= 11 ? `${mobile.slice(0, 3)}****${mobile.slice(-4)}` : "****";
}

export function truncateError(text: string): string {
  return text.length <= LAST_ERROR_MAX_CHARS ? text : `${text.slice(0, LAST_ERROR_MAX_CHARS - 1)}…`;
}

// ---------------------------------------------------------------- the queue message

/**
 * What travels on the notification queue: only the outbox id. The consumer
 * reads everything else from D1 at delivery time, so a message is tiny, a
 * duplicate is harmless (same id, same row), and a message never carries
 * ticket codes or secrets through the queue.
 */
export interface NotificationMessage {
  v: 1;
  outboxId: string;
}

/** Queue names as wrangler.toml declares them. */
export const NOTIFY_QUEUE_NAME = "scenic-notifications";
export const NOTIFY_DEAD_LETTER_QUEUE_NAME = "scenic-notifications-dlq";

export const notificationMessage = (outboxId: string): NotificationMessage => ({ v: 1, outboxId });

/** The outbox id of a received body, or null when the body is not one of ours. */
export function outboxIdOf(body: unknown): string | null {
  const message = body as Partial<NotificationMessage> | null;
  if (!message || typeof message !== "object" || message.v !== 1) return null;
  const id = message.outboxId;
  return typeof id === "string" && id.length > 0 && id.length <= OUTBOX_ID_MAX_CHARS ? id : null;
}
