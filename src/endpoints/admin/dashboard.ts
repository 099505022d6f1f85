/**
 * GET /admin/dashboard?date=yyyyMMdd (SPEC §12): the console's home. For the
 * day (default today, Asia/Shanghai) and the 30 days ending with it: paid
 * orders, their tickets and amount, per product and per customer and per
 * day; refunds made; check-ins per hour of the day; notifications that
 * failed. One D1 batch (db/reports.ts); the same numbers the admin API's
 * lists give, summed. Customers below their low-balance threshold: each
 * customer with a threshold is asked its AccountDO's available balance (the
 * object is the authority; D1 has no balance), a few at a time.
 */
import { clockOf } from "../../clock";
import { customersWithThreshold } from "../../db/customers";
import { readDashboard, type DashboardRows, type SalesRow } from "../../db/reports";
import { addDays, shanghaiDate, shanghaiDayStartMs } from "../../domain/dates";
import { fenToYuanNumber } from "../../domain/money";
import { withAccount } from "../../durable/stubs";
import type { Env } from "../../env";
import { DashboardQuery } from "../../schemas/admin";
import { isoTime, json, validate, type AdminHandler } from "./http";

/** The window: the day and the 29 before it. */
export const DASHBOARD_DAYS = 30;
const DAY_MS = 86_400_000;

export const getDashboard: AdminHandler = async (request, env) => {
  const query = validate(DashboardQuery, request.query);
  const nowMs = clockOf(env).nowMs();
  const date = query.date ?? shanghaiDate(nowMs);
  const from = addDays(date, 1 - DASHBOARD_DAYS);
  const dayMs = shanghaiDayStartMs(date);
  const [rows, lowBalance] = await Promise.all([
    readDashboard(env.DB, { fromMs: shanghaiDayStartMs(from), dayMs, toMs: dayMs + DAY_MS }),
    customersBelowThreshold(env),
  ]);
  return json({ date, from, to: date, generatedAt: isoTime(nowMs), ...dashboardJson(rows, from), lowBalance });
};

/** Customers with a threshold asked at most this many; more are said to be left out (`checked` < `withThreshold`). */
export const LOW_BALANCE_CHECKED_MAX = 200;
const LOW_BALANCE_PARALLEL = 8;

/** Now, not of the dashboard's day: available (balance − held) below the threshold. */
async function customersBelowThreshold(env: Env) {
  const candidates = await customersWithThreshold(env.DB, LOW_BALANCE_CHECKED_MAX + 1);
  const checked = candidates.slice(0, LOW_BALANCE_CHECKED_MAX);
  const below: { dwid: string; name: string; available: number; threshold: number }[] = [];
  for (let i = 0; i < checked.length; i += LOW_BALANCE_PARALLEL) {
    const accounts = await Promise.all(checked.slice(i, i + LOW_BALANCE_PARALLEL).map((c) => withAccount(env, c.dwid, (account) => account.account())));
    accounts.forEach((a, j) => {
      const c = checked[i + j]!;
      if (a.availableFen < c.lowBalanceFen) below.push({ dwid: c.dwid, name: c.name, available: fenToYuanNumber(a.availableFen), threshold: fenToYuanNumber(c.lowBalanceFen) });
    });
  }
  return { customers: below, checked: checked.length, more: candidates.length > checked.length };
}

interface Sales {
  orders: number;
  tickets: number;
  amountFen: number;
}

const NO_SALES: Sales = { orders: 0, tickets: 0, amountFen: 0 };

/** A row's sales of the whole window, or (`day`) of its last day. */
function salesOf(r: SalesRow | undefined, day: boolean): Sales {
  if (!r) return NO_SALES;
  return day ? { orders: r.orders_day, tickets: r.tickets_day, amountFen: r.amount_fen_day } : { orders: r.orders, tickets: r.tickets, amountFen: r.amount_fen };
}

const salesJson = (s: Sales) => ({ orders: s.orders, tickets: s.tickets, amount: fenToYuanNumber(s.amountFen) });

/** Keys of sales and refund rows alike, by the window's amount (then key): who sold most first. */
function rankedKeys(sales: ReadonlyMap<string, SalesRow>, refunds: Iterable<string>): string[] {
  const keys = new Set([...sales.keys(), ...refunds]);
  return [...keys].sort((a, b) => (sales.get(b)?.amount_fen ?? 0) - (sales.get(a)?.amount_fen ?? 0) || a.localeCompare(b));
}

function customersJson(rows: DashboardRows) {
  const sales = new Map(rows.salesByCustomer.map((r) => [String(r.key), r]));
  const refunds = new Map(rows.refundsByCustomer.map((r) => [r.key, r]));
  return rankedKeys(sales, refunds.keys()).map((dwid) => {
    const s = sales.get(dwid);
    const r = refunds.get(dwid);
    const period = (day: boolean) => ({
      ...salesJson(salesOf(s, day)),
      refunds: (day ? r?.refunds_day : r?.refunds) ?? 0,
      refundedTickets: (day ? r?.tickets_day : r?.tickets) ?? 0,
      refunded: fenToYuanNumber((day ? r?.amount_fen_day : r?.amount_fen) ?? 0),
    });
    return { dwid, name: s?.name ?? r?.name ?? null, today: period(true), last30Days: period(false) };
  });
}

function productsJson(rows: DashboardRows) {
  const sales = new Map(rows.salesByProduct.map((r) => [String(r.key), r]));
  const refunds = new Map(rows.refundsByProduct.map((r) => [r.key, r]));
  return rankedKeys(sales, refunds.keys()).map((productId) => {
    const s = sales.get(productId);
    const r = refunds.get(productId);
    return {
      productId,
      name: s?.name ?? r?.name ?? null,
      today: { ...salesJson(salesOf(s, true)), refundedTickets: r?.tickets_day ?? 0 },
      last30Days: { ...salesJson(salesOf(s, false)), refundedTickets: r?.tickets ?? 0 },
    };
  });
}

/** Totals are the customers' sums: every order and refund has exactly one customer. */
function totalsJson(rows: DashboardRows, day: boolean) {
  const sales = rows.salesByCustomer.map((r) => salesOf(r, day));
  const sum = <T>(items: readonly T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);
  return {
    orders: sum(sales, (s) => s.orders),
    tickets: sum(sales, (s) => s.tickets),
    amount: fenToYuanNumber(sum(sales, (s) => s.amountFen)),
    refunds: sum(rows.refundsByCustomer, (r) => (day ? r.refunds_day : r.refunds)),
    refundedTickets: sum(rows.refundsByCustomer, (r) => (day ? r.tickets_day : r.tickets)),
    refunded: fenToYuanNumber(sum(rows.refundsByCustomer, (r) => (day ? r.amount_fen_day : r.amount_fen))),
  };
}

/** One entry per day of the window, days without sales included. */
function dailyJson(rows: DashboardRows, from: string) {
  const first = dayNumber(from);
  const sales = new Map(rows.salesByDay.map((r) => [Number(r.key), r]));
  const refunds = new Map(rows.refundsByDay.map((r) => [Number(r.key), r]));
  return Array.from({ length: DASHBOARD_DAYS }, (_, i) => ({
    day: addDays(from, i),
    ...salesJson(salesOf(sales.get(first + i), false)),
    refunded: fenToYuanNumber(refunds.get(first + i)?.amount_fen ?? 0),
  }));
}

function dashboardJson(rows: DashboardRows, from: string) {
  const byHour = Array.from({ length: 24 }, (_, hour) => rows.checkinsByHour.find((r) => Number(r.key) === hour)?.checkins ?? 0);
  const notifications = { failed: 0, dead: 0 };
  for (const r of rows.notifications) notifications[r.key] = r.count;
  return {
    today: totalsJson(rows, true),
    last30Days: totalsJson(rows, false),
    byProduct: productsJson(rows),
    byCustomer: customersJson(rows),
    daily: dailyJson(rows, from),
    checkins: { total: byHour.reduce((n, c) => n + c, 0), byHour },
    notifications,
  };
}

/** The Shanghai day number of a business date, as db/reports.ts computes it from an instant. */
function dayNumber(date: string): number {
  return (shanghaiDayStartMs(date) + 8 * 3_600_000) / DAY_MS;
}
