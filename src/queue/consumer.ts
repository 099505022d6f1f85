/**
 * The notification queue's consumers (wrangler.toml [[queues.consumers]]).
 *
 * scenic-notifications: each message names an outbox row. The rows of a
 * batch, their customers, orders or bills and per-channel states are read
 * from D1 in one round trip; every channel not yet done is tried; the
 * outcomes are recorded in one batch; a message is acked when every channel
 * is done (or the row is undeliverable), else retried with exponential
 * backoff. After max_retries the queue moves it to the dead-letter queue.
 *
 * scenic-notifications-dlq: the row says 'failed' (attempts and last error
 * kept) and waits for an operator (POST /admin/notifications/{id}/retry).
 *
 * Delivery is at least once: a duplicate message (sweep, operator retry)
 * finds the row sent and is acked; two copies in one batch are processed
 * once. A failed read or write retries every message of the batch (nothing
 * was recorded for any of them). Two copies in flight at the same moment in different batches can
 * both deliver a channel — the partner drops the second by its id.
 */
import { clockOf } from "../clock";
import { configOf, type Config } from "../config";
import { importSealingKey, open } from "../crypto/sealed";
import { callbackSecretContext } from "../db/callback-secrets";
import { loadDeliveryViews, markDeadLettered, recordAttempts, type AttemptOutcome, type AttemptRecord, type ChannelOutcome, type DeliveryView } from "../db/outbox";
import {
  CALLBACK_TIMEOUT_MS, callbackBody, channelDone, channelsOf, NOTIFY_DEAD_LETTER_QUEUE_NAME, outboxIdOf, retryDelaySeconds, SMS_TIMEOUT_MS, smsFor, truncateError,
  type CallbackTarget, type Channel, type NotificationTarget,
} from "../domain/notifications";
import type { Env } from "../env";
import { postCallback, sendSms, type ChannelResult } from "./channels";

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === NOTIFY_DEAD_LETTER_QUEUE_NAME) return recordDeadLetters(batch, env);
  const config = configOf(env);
  const byId = new Map<string, Message<unknown>>();
  for (const message of batch.messages) {
    const outboxId = outboxIdOf(message.body);
    if (outboxId === null) {
      console.error(JSON.stringify({ event: "notify_message_unreadable", queue: batch.queue, messageId: message.id }));
      message.ack();
    } else if (byId.has(outboxId)) {
      message.ack();
    } else {
      byId.set(outboxId, message);
    }
  }
  if (byId.size === 0) return;
  // The whole batch shares two D1 round trips: one read of every row, one write of every attempt.
  const nowMs = clockOf(env).nowMs();
  let verdicts: Map<string, "ack" | "retry">;
  try {
    verdicts = await deliverAll(env, config, [...byId.keys()], nowMs);
  } catch (error) {
    // D1 or the sealing key failed: nothing was recorded; try the messages again later.
    console.error(JSON.stringify({ event: "notify_delivery_error", ids: [...byId.keys()], error: String(error) }));
    verdicts = new Map([...byId.keys()].map((id) => [id, "retry" as const]));
  }
  for (const [id, message] of byId) {
    if (verdicts.get(id) === "ack") message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds(message.attempts, config.notifyRetryBaseSeconds) });
  }
}

/** One delivery attempt of one outbox row. */
export async function deliver(env: Env, config: Config, outboxId: string, nowMs: number): Promise<"ack" | "retry"> {
  return (await deliverAll(env, config, [outboxId], nowMs)).get(outboxId)!;
}

/** One delivery attempt of each row: read them all, try their channels, record every attempt. */
async function deliverAll(env: Env, config: Config, ids: readonly string[], nowMs: number): Promise<Map<string, "ack" | "retry">> {
  const views = await loadDeliveryViews(env.DB, ids);
  const attempts = await Promise.all(ids.map((id) => attemptOn(env, config, id, views.get(id) ?? null, nowMs)));
  await recordAttempts(env.DB, attempts.flatMap((a) => (a.record ? [a.record] : [])), nowMs);
  return new Map(attempts.map((a) => [a.id, a.verdict]));
}

async function attemptOn(env: Env, config: Config, id: string, view: DeliveryView | null, nowMs: number): Promise<{ id: string; verdict: "ack" | "retry"; record: AttemptRecord | null }> {
  if (!view) {
    console.error(JSON.stringify({ event: "notify_unknown_outbox_id", outboxId: id }));
    return { id, verdict: "ack", record: null };
  }
  if (view.entry.status === "sent") return { id, verdict: "ack", record: null };
  if (!view.target) {
    const error = view.entry.kind === "balance_low" ? `balance alert payload unreadable` : `${view.entry.kind === "bill_paid" ? "bill" : "order"} ${view.entry.targetId} not found`;
    return { id, verdict: "ack", record: { id, channels: [], outcome: { status: "dead", error } } };
  }

  // Only the kind's own channels (a resend: SMS only), each not yet done.
  const pending = (channel: Channel) => channelsOf(view.entry.kind).includes(channel) && !channelDone(view.deliveries.get(channel)?.status);
  const target = view.target;
  const [callback, sms] = await Promise.all([
    pending("callback") && target.kind !== "order_resent" ? callbackChannel(env, view, target, nowMs) : null,
    pending("sms") ? smsChannel(config, view) : null,
  ]);
  const tried: ChannelOutcome[] = [];
  if (callback) tried.push({ channel: "callback", ...callback });
  if (sms) tried.push({ channel: "sms", ...sms });

  const failures = tried.filter((c) => c.status === "failed").map((c) => `${c.channel}: ${c.error}`);
  const outcome: AttemptOutcome = failures.length === 0 ? { status: "sent" } : { status: "enqueued", error: truncateError(failures.join("; ")) };
  return { id, verdict: outcome.status === "sent" ? "ack" : "retry", record: { id, channels: tried, outcome } };
}

async function callbackChannel(env: Env, view: DeliveryView, target: CallbackTarget, nowMs: number): Promise<ChannelResult> {
  const url = view.customer?.callbackUrl ?? null;
  if (!url) return { status: "skipped", target: null, error: "customer has no callbackUrl" };
  const sealed = view.customer?.callbackSecretSealed ?? null;
  if (!sealed) {
    return { status: "failed", target: url, error: `no callback secret: rotate it with POST /admin/customers/${view.entry.dwid}/callback-secret` };
  }
  const secret = await open(await importSealingKey(env.PASSWORD_KEY), sealed, callbackSecretContext(view.entry.dwid));
  const body = JSON.stringify(callbackBody(view.entry.id, target));
  return postCallback({ url, secret, id: view.entry.id, body, nowMs, timeoutMs: CALLBACK_TIMEOUT_MS });
}

async function smsChannel(config: Config, view: DeliveryView): Promise<ChannelResult> {
  const sms = smsFor(view.target!);
  if (!sms) return { status: "skipped", target: null, error: NO_SMS[view.target!.kind] };
  return sendSms(config.smsGateway, { ...sms, reference: view.entry.id }, SMS_TIMEOUT_MS);
}

async function recordDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const ids: string[] = [];
  for (const message of batch.messages) {
    const id = outboxIdOf(message.body);
    if (id !== null) ids.push(id);
  }
  // A D1 failure throws: the whole batch is retried (wrangler.toml max_retries of the DLQ consumer).
  await markDeadLettered(env.DB, ids, clockOf(env).nowMs());
  console.error(JSON.stringify({ event: "notify_dead_lettered", ids }));
  batch.ackAll();
}

/** Why a notification of this kind sent no SMS. */
const NO_SMS: Record<NotificationTarget["kind"], string> = {
  order_paid: "order has no mobile",
  order_refunded: "order has no mobile",
  bill_paid: "bills carry no mobile",
  order_resent: "no valid ticket left to resend",
  ticket_used: "the guest is at the gate: the partner is told",
  balance_low: "customer has no contactMobile",
};
