/**
 * How the console shows values: money in yuan with two decimals (the admin
 * API sends decimal yuan numbers), instants in Asia/Shanghai, business dates
 * (yyyyMMdd, already Shanghai days) as yyyy-MM-dd, and the API's status
 * words in Chinese.
 */

export const TIME_ZONE = "Asia/Shanghai";

const money = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: true });

/** 1234.5 → "¥1,234.50"; null → "—". */
export function yuan(amount) {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = Number(amount);
  return Number.isFinite(value) ? `¥${money.format(value)}` : String(amount);
}

/** A signed ledger amount: "+¥500.00" / "−¥120.00". */
export function signedYuan(amount, negative) {
  return `${negative ? "−" : "+"}${yuan(Math.abs(Number(amount)))}`;
}

const instant = new Intl.DateTimeFormat("zh-CN", {
  timeZone: TIME_ZONE,
  year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit",
  hourCycle: "h23",
});

/** ISO instant → "2026/11/22 16:05:09" in Shanghai time; null → "—". */
export function dateTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : instant.format(date);
}

/** "20261122" → "2026-11-22". */
export function businessDate(day) {
  if (!day || !/^\d{8}$/.test(day)) return day || "—";
  return `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
}

/** "2026-11-22" (an <input type=date> value) → "20261122"; anything else unchanged, for the API to judge. */
export function compactDate(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.replace(/-/g, "") : value;
}

const dayParts = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

/** Today in Shanghai as yyyyMMdd. */
export function shanghaiToday(now = new Date()) {
  const parts = Object.fromEntries(dayParts.formatToParts(now).map((part) => [part.type, part.value]));
  return `${parts.year}${parts.month}${parts.day}`;
}

/** "202611" → "2026年11月". */
export function monthTitle(month) {
  return `${month.slice(0, 4)}年${Number(month.slice(4, 6))}月`;
}

/** A masked ID number for lists and screenshots: 430102********1234. */
export function maskedId(idNumber) {
  if (!idNumber) return "";
  if (idNumber.length <= 8) return idNumber;
  return `${idNumber.slice(0, 6)}${"*".repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

function wordsOf(table) {
  return (value) => table[value] ?? (value === null || value === undefined ? "—" : String(value));
}

export const customerKind = wordsOf({ 1: "地接社", 2: "组团社", 3: "协议单位", 4: "地接社部门", 5: "组团社部门", 6: "协议单位部门", 7: "导游员" });
export const productKind = wordsOf({ ticket: "门票", yearcard: "年卡", retail: "零售" });
export const orderStatus = wordsOf({ unpaid: "未支付", paid: "已支付", expired: "已过期", cancelled: "已取消" });
export const billStatus = wordsOf({ unpaid: "未支付", paid: "已支付", cancelled: "已取消" });
export const ticketStatus = wordsOf({ valid: "有效", used: "已使用", refunded: "已退票" });
export const ledgerKind = wordsOf({ deposit: "充值", debit: "扣款", refund: "退款" });
export const insuranceMode = wordsOf({ forced: "强制投保", optional: "自愿投保", none: "不提供" });
export const notificationKind = wordsOf({ order_paid: "订单支付", bill_paid: "单据支付", order_refunded: "订单退票", order_resent: "门票短信重发" });
export const notificationStatus = wordsOf({ pending: "待发送", enqueued: "排队中", sent: "已送达", failed: "发送失败", dead: "已放弃" });
