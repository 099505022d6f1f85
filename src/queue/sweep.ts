/**
 * The cron sweep (wrangler.toml [triggers] crons, every minute): enqueues
 * outbox rows a pay endpoint never handed to the queue (the Worker died, or
 * the queue refused, right after the payment committed), once they are
 * older than NOTIFY_SWEEP_AFTER_SECONDS so the endpoint's own enqueue wins
 * the common case; and rows 'enqueued' so long ago that their message must
 * be lost. Enqueuing a row twice is harmless: the consumer finds it sent.
 */
import { clockOf } from "../clock";
import { configOf } from "../config";
import { listDue } from "../db/outbox";
import { STALE_ENQUEUED_MS, SWEEP_BATCH_SIZE, SWEEP_MAX_BATCHES } from "../domain/notifications";
import type { Env } from "../env";
import { enqueueOutbox } from "./producer";
import { retire } from "./retention";

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const enqueued = await sweepOutbox(env, controller.scheduledTime);
  if (enqueued > 0) console.log(JSON.stringify({ event: "notify_sweep", cron: controller.cron, enqueued }));
  // Retention after the sweep, whose work matters more; a failure waits for the next run.
  try {
    const retired = await retire(env, controller.scheduledTime);
    if (retired.notifications > 0 || retired.pastDays > 0) console.log(JSON.stringify({ event: "retention", cron: controller.cron, ...retired }));
  } catch (error) {
    console.error(JSON.stringify({ event: "retention_failed", error: String(error) }));
  }
}

/** Rows enqueued by this run; `asOfMs` decides which rows are due. */
export async function sweepOutbox(env: Env, asOfMs: number): Promise<number> {
  const { notifySweepAfterMs } = configOf(env);
  let enqueued = 0;
  for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
    const ids = await listDue(env.DB, { pendingBeforeMs: asOfMs - notifySweepAfterMs, staleBeforeMs: asOfMs - STALE_ENQUEUED_MS, limit: SWEEP_BATCH_SIZE });
    if (ids.length === 0) break;
    // Marking moves every listed row out of the query (pending → enqueued, stale ones get a fresh updated_at).
    await enqueueOutbox(env, ids, ["pending", "enqueued"], Math.max(clockOf(env).nowMs(), asOfMs));
    enqueued += ids.length;
    if (ids.length < SWEEP_BATCH_SIZE) break;
  }
  return enqueued;
}
