/**
 * The cron's retention work (domain/retention.ts), after the outbox sweep:
 * every run, notifications delivered more than SENT_NOTIFICATION_RETENTION_MS
 * ago go (a bounded batch); once a day (03:00 Asia/Shanghai), each day gone
 * by more than PAST_DAY_RETENTION_MS is compacted in its InventoryDO — the
 * days of a week are asked, so a missed run is caught up, and asking a day
 * already compacted costs one call that finds nothing.
 */
import { addDays, shanghaiDate, shanghaiMinuteOfDay } from "../domain/dates";
import {
  PAST_DAY_CATCH_UP_DAYS, PAST_DAY_COMPACTION_MINUTE, PAST_DAY_RETENTION_MS, PAST_DAYS_PER_RUN, PURGE_BATCH_ROWS, SENT_NOTIFICATION_RETENTION_MS,
} from "../domain/retention";
import { purgeSent } from "../db/outbox";
import { productDaysBetween } from "../db/products";
import { inventoryOf } from "../durable/inventory-client";
import { retryingReset } from "../durable/stubs";
import type { Env } from "../env";

/** Objects compacted at once. */
const COMPACTION_WIDTH = 20;

export async function retire(env: Env, asOfMs: number): Promise<{ notifications: number; pastDays: number }> {
  const notifications = await purgeSent(env.DB, asOfMs - SENT_NOTIFICATION_RETENTION_MS, PURGE_BATCH_ROWS);
  const pastDays = shanghaiMinuteOfDay(asOfMs) === PAST_DAY_COMPACTION_MINUTE ? await compactPastDays(env, asOfMs) : 0;
  return { notifications, pastDays };
}

/** Asks each product-day gone by past its window (the last PAST_DAY_CATCH_UP_DAYS of them) to compact; returns how many were asked. */
export async function compactPastDays(env: Env, asOfMs: number): Promise<number> {
  // A day D is past its window once D < the Shanghai date of (now − window): its last instant is that long ago.
  const newest = addDays(shanghaiDate(asOfMs - PAST_DAY_RETENTION_MS), -1);
  const days = await productDaysBetween(env.DB, addDays(newest, -(PAST_DAY_CATCH_UP_DAYS - 1)), newest, PAST_DAYS_PER_RUN);
  let next = 0;
  await Promise.all(
    Array.from({ length: COMPACTION_WIDTH }, async () => {
      while (next < days.length) {
        const { productId, day } = days[next++]!;
        try {
          await retryingReset(() => inventoryOf(env, productId, day), (inventory) => inventory.compact());
        } catch (error) {
          console.error(JSON.stringify({ event: "past_day_compaction_failed", productId, day, error: String(error) }));
        }
      }
    }),
  );
  return days.length;
}
