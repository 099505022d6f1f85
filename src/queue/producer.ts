/**
 * Hands outbox rows to the notification queue. Send first, then mark the
 * rows 'enqueued': a crash in between leaves them 'pending', and the sweep
 * (queue/sweep.ts) sends them again — a duplicate message, which the
 * consumer recognises by the outbox id. The reverse order could mark a row
 * whose message was never sent, and nothing would ever deliver it.
 */
import { markEnqueued } from "../db/outbox";
import type { OutboxStatus } from "../domain/notifications";
import type { Env } from "../env";
import { notificationMessage } from "./messages";

/** sendBatch takes at most 100 messages. */
const SEND_BATCH_MAX = 100;

/** Sends one message per outbox id (at most 100), without touching the rows. */
export async function sendMessages(env: Env, ids: readonly string[]): Promise<void> {
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

/**
 * After a payment committed (the pay endpoints, through ctx.waitUntil).
 * Never rejects: a failure is logged and the sweep enqueues the row later.
 */
export async function notifyPaid(env: Env, outboxId: string): Promise<void> {
  try {
    await enqueueOutbox(env, [outboxId], ["pending"], Date.now());
  } catch (error) {
    console.error(JSON.stringify({ event: "notify_enqueue_failed", outboxId, error: String(error) }));
  }
}
