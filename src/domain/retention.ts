/**
 * How long state that serves no future decision is kept, and how much one
 * pass removes (issue 19). Each window is far longer than anything that
 * could still ask for the row, so every guarantee of SPEC §6 and §10 holds:
 *
 *  - a settled payment intent: a retry of the request that placed it comes
 *    within seconds (its object's reset), a client's own retry within
 *    minutes; after the window, the intent's debit in the ledger — kept for
 *    ever, it is the money record — answers for it (payment-desk.ts);
 *  - a voided refund intent: nothing answers from it (a void charged and
 *    credited nothing); posted refund intents stay, they are the refund
 *    numbers' idempotency record (as rare as refunds);
 *  - a released hold: a hold call, a release and a confirm of one order
 *    come within seconds of each other, a move-out's retry within minutes;
 *  - a past day's object: nothing sells, holds or changes dates on a day
 *    gone by; an operator's late refund finds no hold and returns no units
 *    (a day gone by has no stock to return them to) — only the day's usage
 *    totals stay, for the operators' calendar;
 *  - a delivered notification: its delivery is done; the resend limit
 *    counts the last hour only.
 *
 * Idle sessions go as soon as they could no longer authenticate.
 */

const DAY_MS = 86_400_000;

export const SETTLED_INTENT_RETENTION_MS = 30 * DAY_MS;
export const RELEASED_HOLD_RETENTION_MS = 7 * DAY_MS;
/** Counted from the end of the visit day. */
export const PAST_DAY_RETENTION_MS = 30 * DAY_MS;
export const SENT_NOTIFICATION_RETENTION_MS = 30 * DAY_MS;

/** Rows one purge pass removes at most; what is left waits for the next pass (soon after, while any is left). */
export const PURGE_BATCH_ROWS = 500;
/** A purge that left a backlog comes back this much later. */
export const PURGE_AGAIN_MS = 1_000;
/** Past days' objects compacted by one cron run at most; the days of a week are tried, so a missed run is caught up. */
export const PAST_DAYS_PER_RUN = 1_000;
export const PAST_DAY_CATCH_UP_DAYS = 7;
/** The cron run (Asia/Shanghai minute of the day) that compacts past days: 03:00. */
export const PAST_DAY_COMPACTION_MINUTE = 180;
