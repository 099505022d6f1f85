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
export const orderStatus = wordsOf({
  unpaid: "未支付", paid: "已支付", partially_refunded: "部分退款", refunded: "已退款", expired: "已过期", cancelled: "已取消",
});
export const billStatus = wordsOf({ unpaid: "未支付", paid: "已支付", cancelled: "已取消" });
export const ticketStatus = wordsOf({ valid: "有效", used: "已使用", refunded: "已退" });
export const ledgerKind = wordsOf({ deposit: "充值", debit: "扣款", refund: "退款" });
export const insuranceMode = wordsOf({ forced: "强制投保", optional: "自愿投保", none: "不提供" });
export const notificationKind = wordsOf({
  order_paid: "订单支付", bill_paid: "单据支付", order_refunded: "订单退款", order_resent: "门票短信重发", ticket_used: "门票入园",
  balance_low: "余额不足提醒",
});
export const notificationStatus = wordsOf({ pending: "待发送", enqueued: "排队中", sent: "已送达", failed: "发送失败", dead: "已放弃" });
export const refundRequester = wordsOf({ partner: "合作方", operator: "运营方" });
export const refundDeadline = wordsOf({ visit_day_end: "游玩日当天结束前", before_visit_day: "游玩日前一天结束前" });

/**
 * The status an order has for the people it concerns (SPEC §10 status
 * words): the admin API keeps a paid order `paid` and counts its refunded
 * tickets, so `部分退款` / `已退款` come from refundedUnits against its tickets.
 */
export function orderStanding(order) {
  if (order.status !== "paid" || !order.refundedUnits) return order.status;
  return order.refundedUnits >= order.tickets.length ? "refunded" : "partially_refunded";
}

/** yuan (a decimal number from the API) → whole fen, free of binary fractions: 33.3 → 3330. */
export function fenOf(amount) {
  return Math.round(Number(amount) * 100);
}

/** fen → yuan for yuan(): 3330 → 33.3. */
export function yuanOfFen(fen) {
  return fen / 100;
}

/**
 * A number an operator may keep or replace: PREFIX + Shanghai time to the
 * second + 4 random characters, e.g. RF20261122160509K3QZ (20 characters).
 */
export function suggestedNumber(prefix, now = new Date()) {
  const stamp = new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  })
    .format(now)
    .replace(/\D/g, "");
  return `${prefix}${stamp}${Math.random().toString(36).slice(2, 6).toUpperCase().padEnd(4, "0")}`;
}
