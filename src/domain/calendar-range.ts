/**
 * The calendar in bulk (SPEC §12): which days one PUT of a product's
 * calendar sets — `from` to `to` (yyyyMMdd, Asia/Shanghai business days,
 * both included), on the ISO weekdays asked for (1 = Monday … 7 = Sunday).
 *
 * Pure: today comes in as an argument.
 */
import { calendarSpanDays } from "./calendar";
import { addDays } from "./dates";

/**
 * Days one bulk PUT may span (SPEC §12: "≤ 366 days"). Each day costs two
 * InventoryDO calls (prepare, then commit or abort), so a call stays within
 * 2 × 366 + a few D1 queries: under the 1,000 subrequests a Workers request
 * may make on the paid plan.
 */
export const BULK_MAX_DAYS = 366;

export const ALL_WEEKDAYS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

export type RangeDays = { ok: true; days: string[] } | { ok: false; field: "from" | "to" | "weekdays"; message: string };

/** The days of the range on `weekdays`, in date order; or the field and the rule the range breaks. */
export function daysOfRange(from: string, to: string, weekdays: ReadonlySet<number>, today: string): RangeDays {
  if (from < today) return { ok: false, field: "from", message: `from 不能早于今天(${today}):过去的日期不能再设置` };
  const span = calendarSpanDays(from, to);
  if (span < 1) return { ok: false, field: "to", message: "to 不能早于 from" };
  if (span > BULK_MAX_DAYS) return { ok: false, field: "to", message: `from 到 to 最多${BULK_MAX_DAYS}天(含两端),现为${span}天` };
  const days: string[] = [];
  for (let i = 0; i < span; i++) {
    const day = addDays(from, i);
    if (weekdays.has(isoWeekday(day))) days.push(day);
  }
  if (days.length === 0) return { ok: false, field: "weekdays", message: "from 到 to 之间没有 weekdays 所列星期的日期" };
  return { ok: true, days };
}

/** 1 = Monday … 7 = Sunday, of a calendar date (no time zone involved). */
export function isoWeekday(day: string): number {
  const weekday = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)))).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}
