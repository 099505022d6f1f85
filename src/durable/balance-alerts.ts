/**
 * Writing the low-balance alerts an AccountDO recorded (balance-watch.ts) to
 * D1's outbox, oldest first, then handing each to the notification queue.
 * The row's id is the alert's own seq (INSERT OR IGNORE): a retry after a
 * lost reply writes nothing twice. A message that cannot be sent leaves the
 * row 'pending' for the cron sweep; a row that cannot be written stays
 * unwritten in the object, whose alarm comes back for it.
 */
import type { Clock } from "../clock";
import { insertBalanceLow } from "../db/outbox";
import { balanceLowOutboxId, notificationMessage, type NotificationMessage } from "../domain/notifications";
import type { BalanceWatch } from "./balance-watch";
import type { Faults } from "./faults";

export interface AlertOutbox {
  watch: BalanceWatch;
  dwid: string;
  db: D1Database;
  queue: Queue<NotificationMessage>;
  faults: Faults;
  clock: Clock;
}

/** Writes what is unwritten; the number still unwritten (0, or all from the first failure on, `retryAt` called). */
export async function writeAlerts(o: AlertOutbox, retryAt: (nowMs: number) => void): Promise<number> {
  for (let alert = o.watch.nextUnwritten(); alert; alert = o.watch.nextUnwritten()) {
    const id = balanceLowOutboxId(o.dwid, alert.alertSeq);
    const nowMs = o.clock.nowMs();
    try {
      await o.faults.d1("alert", () => insertBalanceLow(o.db, { id, dwid: o.dwid, ...alert }, nowMs));
    } catch (error) {
      console.warn(JSON.stringify({ event: "balance_alert_not_written", id, error: String(error) }));
      retryAt(nowMs);
      return o.watch.unwrittenCount();
    }
    o.watch.markWritten(alert.alertSeq, nowMs);
    await o.queue.send(notificationMessage(id), { contentType: "json" }).catch((error: unknown) => {
      console.warn(JSON.stringify({ event: "balance_alert_not_enqueued", id, error: String(error) }));
    });
  }
  return 0;
}
