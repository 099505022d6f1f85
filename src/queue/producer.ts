/**
 * Hands outbox rows to the notification queue. The sweep sends, then marks
 * the rows 'enqueued': a crash in between leaves them 'pending', and the
 * next sweep sends them again — a duplicate message, which the consumer
 * recognises by the outbox id. The reverse order could mark a row whose
 * message was never sent, and nothing would ever deliver it.
 *
 * After a payment (endpoints/partner/follow-ups.ts) the message is only
 * sent: the row stays 'pending' until the consumer records its first
 * attempt, which saves a D1 write per payment; should the consumer lag past
 * NOTIFY_SWEEP_AFTER_SECONDS, the sweep sends a duplicate, dropped by id.
 */
import { markEnqueued } from "../db/outbox";
import { notificationMessage, type OutboxStatus } from "../domain/notifications";
import type { Env } from "../env";

/** sendBatch takes at most 100 messages. */
const SEND_BATCH_MAX = 100;

/** Sends one message per outbox id (at most 100), without touching the rows. */
export async function sendMessages(env: Pick<Env, "NOTIFY_QUEUE">, ids: readonly string[]): Promise<void> {
  if (ids.length > SEND_BATCH_MAX) throw new Error(`at most ${SEND_BATCH_MAX} messages per send, got ${ids.length}`);
  await env.NOTIFY_QUEUE.sendBatch(ids.map((id) => ({ body: notificationMessage(id), contentType: "json" as const })));
}

/** Sends, then marks the rows that are still in one of the `from` states 'enqueued'. */
export async function enqueueOutbox(env: Env, ids: readonly string[], from: readonly OutboxStatus[], nowMs: number): Promise<void> {
  for (let i = 0; i < ids.length; i += SEND_BATCH_MAX) {
    const chunk = ids.slice(i, i + SEND_BATCH_MAX);
    await sendMessages(env, chunk);
    await markEnqueued(env.DB, chunk, from, nowMs);
  }
}
