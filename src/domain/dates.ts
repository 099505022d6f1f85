/**
 * Business dates. The scenic area runs on Asia/Shanghai time (UTC+8, no
 * daylight saving since 1991), so a fixed offset is exact. Pure: the caller
 * passes the instant.
 */

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** yyyyMMdd of the instant in Asia/Shanghai. */
export function shanghaiDate(instantMs: number): string {
  const d = new Date(instantMs + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
}

/** Minutes since midnight, Asia/Shanghai. */
export function shanghaiMinuteOfDay(instantMs: number): number {
  const d = new Date(instantMs + SHANGHAI_OFFSET_MS);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** True when `text` is yyyyMMdd and names a real calendar day. */
export function isRealDate(text: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** yyyyMMdd plus `days`. */
export function addDays(date: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a yyyyMMdd date: ${date}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * DAY_MS;
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
}

/** "HH:mm" -> minutes since midnight, or null when not a time of day. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * The payment's business date (SPEC §5.1 `settotommrowtime`): a payment at or
 * after that time of day belongs to the next day. "00:00" rolls nothing over:
 * midnight already begins the next day (read literally, every payment of
 * every day would belong to the day after). `instantMs` is the payment's own
 * instant — when its D1 batch is built, not when the request arrived.
 */
export function businessDate(instantMs: number, rollOverAt: string | null): string {
  const today = shanghaiDate(instantMs);
  const rollMinute = rollOverAt ? parseTimeOfDay(rollOverAt) : null;
  if (rollMinute === null || rollMinute === 0) return today;
  return shanghaiMinuteOfDay(instantMs) >= rollMinute ? addDays(today, 1) : today;
}

/** The instant a Shanghai business day (yyyyMMdd) begins. */
export function shanghaiDayStartMs(date: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a yyyyMMdd date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SHANGHAI_OFFSET_MS;
}

/**
 * "请15分钟后（北京时间 14:06 之后）再试", for a limit that lifts at
 * `retryAtMs` (login lockouts, resends): the minute shown is rounded up, so
 * trying then always works.
 */
export function whenToRetry(retryAtMs: number, nowMs: number): string {
  const minutes = Math.max(1, Math.ceil((retryAtMs - nowMs) / 60_000));
  const minuteOfDay = shanghaiMinuteOfDay(Math.ceil(retryAtMs / 60_000) * 60_000);
  return `请${minutes}分钟后（北京时间 ${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)} 之后）再试`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** "2026-11-27 14:03:05", the instant in Asia/Shanghai (statements, for people reading them in a spreadsheet). */
export function shanghaiDateTime(instantMs: number): string {
  const d = new Date(instantMs + SHANGHAI_OFFSET_MS);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return `${date} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}
