/**
 * 运营概况, the console's home (SPEC §12; GET /admin/dashboard?date=): the
 * day's and the last 30 days' paid orders, tickets and amount, refunds,
 * check-ins per hour, per product and per customer, the notifications
 * that failed and the customers below their low-balance threshold — as figures, charts (charts.js, inline SVG) and tables. The
 * numbers are the API's, shown as they come.
 */
import * as api from "./api.js";
import { columnChart, barList } from "./charts.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import { field, input, valueOf } from "./forms.js";
import { businessDate, compactDate, dateTime, shanghaiToday, yuan } from "./format.js";
import { simpleTable } from "./list.js";

/** Products and customers drawn in a chart; the tables list them all. */
const CHART_ROWS = 8;

export function dashboardPage({ container, query }) {
  document.title = "运营概况 · 运营控制台";
  const today = shanghaiToday();
  const date = /^\d{8}$/.test(query.date ?? "") ? query.date : today;
  const picker = h(
    "form",
    { class: "filters dash-date", novalidate: true },
    field("统计日", input("date", { type: "date", value: businessDate(date), max: businessDate(today) })),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查看"), date === today ? null : h("a", { class: "button secondary", href: "#/dashboard" }, "回到今天")),
  );
  picker.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = compactDate(valueOf(picker, "date"));
    location.hash = hashLink("/dashboard", { date: chosen === today ? "" : chosen });
  });
  const body = h("div", { class: "dashboard" }, h("p", { class: "list-status", role: "status" }, "加载中…"));
  container.append(h("div", { class: "page-head" }, h("h2", {}, "运营概况"), picker), body);

  api.get("/admin/dashboard", { date: date === today ? undefined : date }).then(
    (data) => replaceChildren(body, dashboard(data, date === today ? "今日" : "当日")),
    (error) => replaceChildren(body, h("p", { class: "list-status error" }, `加载失败：${error.message}`)),
  );
}

function dashboard(d, dayWord) {
  return [
    h(
      "p",
      { class: "muted dash-note" },
      `${businessDate(d.date)}${dayWord === "今日" ? "（今天）" : ""}及近30天（${businessDate(d.from)} 至 ${businessDate(d.to)}）。已支付订单按支付时间计入，退款按退款时间计入，均为北京时间；更新于 ${dateTime(d.generatedAt)}。`,
    ),
    figures(d, dayWord),
    h(
      "div",
      { class: "dash-grid" },
      chartCard(`近30天每日销售额`, columnChart({
        title: "近30天每日销售额（元）",
        values: d.daily.map((x) => x.amount),
        labels: d.daily.map((x) => businessDate(x.day)),
        tick: (label, i) => (i % 5 === 4 || i === d.daily.length - 1 ? label.slice(5) : null),
        format: shortYuan,
        className: "daily-amount",
      })),
      chartCard(`${dayWord}每小时入园（共 ${d.checkins.total} 人次）`, columnChart({
        title: `${businessDate(d.date)}每小时入园人次`,
        values: d.checkins.byHour,
        labels: d.checkins.byHour.map((_, hour) => `${String(hour).padStart(2, "0")}时`),
        tick: (label, hour) => (hour % 3 === 0 ? String(hour) : null),
        format: (v) => String(Math.round(v)),
        className: "checkins",
      })),
      chartCard("近30天各产品销售额", topBars("近30天各产品销售额（元）", d.byProduct.map((x) => ({ label: x.name ?? x.productId, value: x.last30Days.amount, note: `${x.last30Days.tickets} 张` })), "products")),
      chartCard("近30天各客户销售额", topBars("近30天各客户销售额（元）", d.byCustomer.map((x) => ({ label: x.name ?? x.dwid, value: x.last30Days.amount, note: `${x.last30Days.orders} 单` })), "customers")),
    ),
    h("h3", {}, "按产品"),
    d.byProduct.length === 0
      ? h("p", { class: "muted" }, "近30天没有销售")
      : simpleTable(
          ["产品", `${dayWord}订单`, `${dayWord}门票`, `${dayWord}金额`, "近30天订单", "近30天门票", "近30天金额", "近30天退票"],
          d.byProduct.map((x) => [
            productCell(x), x.today.orders, x.today.tickets, yuan(x.today.amount), x.last30Days.orders, x.last30Days.tickets, yuan(x.last30Days.amount),
            x.last30Days.refundedTickets ? `${x.last30Days.refundedTickets} 张` : "—",
          ]),
          { className: "by-product", money: [3, 6] },
        ),
    h("h3", {}, "按客户"),
    d.byCustomer.length === 0
      ? h("p", { class: "muted" }, "近30天没有销售")
      : simpleTable(
          ["客户", `${dayWord}订单`, `${dayWord}门票`, `${dayWord}金额`, `${dayWord}退款`, "近30天订单", "近30天门票", "近30天金额", "近30天退款"],
          d.byCustomer.map((x) => [
            customerCell(x), x.today.orders, x.today.tickets, yuan(x.today.amount), refundText(x.today), x.last30Days.orders, x.last30Days.tickets,
            yuan(x.last30Days.amount), refundText(x.last30Days),
          ]),
          { className: "by-customer", money: [3, 4, 7, 8] },
        ),
    h("h3", {}, "可用余额低于提醒额度的客户（此刻）"),
    d.lowBalance.customers.length === 0
      ? h("p", { class: "muted" }, d.lowBalance.checked === 0 ? "没有客户设置余额提醒额度" : `设置了提醒额度的 ${d.lowBalance.checked} 个客户余额都充足`)
      : simpleTable(
          ["客户", "可用余额", "提醒额度"],
          d.lowBalance.customers.map((x) => [
            [h("a", { href: `#${p`/customers/${x.dwid}`}/account` }, x.name), h("small", { class: "muted" }, ` ${x.dwid}`)], yuan(x.available), yuan(x.threshold),
          ]),
          { className: "low-balance", money: [1, 2] },
        ),
    d.lowBalance.more ? h("p", { class: "muted" }, "设置了提醒额度的客户超过200个，只查询了前200个") : null,
  ];
}

/** The headline numbers, each with a name tests and people can find it by. */
function figures(d, dayWord) {
  const figure = (name, label, value, note, href) =>
    h(
      href ? "a" : "div",
      { class: `figure ${name}`, dataset: { figure: name.split(" ")[0] }, href },
      h("span", { class: "label" }, label),
      h("strong", { class: "value" }, value),
      note ? h("span", { class: "note" }, note) : null,
    );
  const failed = d.notifications.failed + d.notifications.dead;
  return h(
    "section",
    { class: "figures", "aria-label": "主要数字" },
    figure("today-orders", `${dayWord}订单`, String(d.today.orders), `门票 ${d.today.tickets} 张`),
    figure("today-amount", `${dayWord}销售额`, yuan(d.today.amount)),
    figure("today-refunds", `${dayWord}退款`, yuan(d.today.refunded), `${d.today.refunds} 笔，${d.today.refundedTickets} 张`),
    figure("today-checkins", `${dayWord}入园`, `${d.checkins.total}`, "人次"),
    figure("month-amount", "近30天销售额", yuan(d.last30Days.amount), `订单 ${d.last30Days.orders}，门票 ${d.last30Days.tickets} 张`),
    figure("month-refunds", "近30天退款", yuan(d.last30Days.refunded), `${d.last30Days.refunds} 笔，${d.last30Days.refundedTickets} 张`),
    figure(
      failed > 0 ? "notifications alert" : "notifications",
      "回调通知未送达",
      String(failed),
      `发送失败 ${d.notifications.failed}，已放弃 ${d.notifications.dead} · 查看`,
      hashLink("/notifications", { status: d.notifications.failed > 0 || d.notifications.dead === 0 ? "failed" : "dead" }),
    ),
    figure(
      d.lowBalance.customers.length > 0 ? "low-balance alert" : "low-balance",
      "余额低于提醒额度",
      String(d.lowBalance.customers.length),
      d.lowBalance.customers.slice(0, 3).map((x) => x.name).join("、") || "个客户",
    ),
  );
}

function chartCard(title, chart) {
  return h("section", { class: "card chart-card" }, h("h4", {}, title), chart);
}

function topBars(title, items, className) {
  if (items.length === 0) return h("p", { class: "muted" }, "近30天没有销售");
  const shown = items.slice(0, CHART_ROWS);
  return [barList({ title, items: shown, format: shortYuan, className }), items.length > shown.length ? h("p", { class: "muted chart-more" }, `另有 ${items.length - shown.length} 个，见下表`) : null];
}

function productCell(x) {
  return [h("a", { href: `#${p`/products/${x.productId}`}/calendar` }, x.name ?? x.productId), h("small", { class: "muted" }, ` ${x.productId}`)];
}

function customerCell(x) {
  return [h("a", { href: `#${p`/customers/${x.dwid}`}/account` }, x.name ?? x.dwid), h("small", { class: "muted" }, ` ${x.dwid}`)];
}

function refundText(period) {
  return period.refunds ? `${yuan(period.refunded)}（${period.refunds} 笔）` : "—";
}

/** Axis and bar values: whole yuan, 万 above ten thousand. */
function shortYuan(value) {
  const v = Number(value);
  if (Math.abs(v) >= 10_000) return `¥${(v / 10_000).toFixed(v % 10_000 === 0 ? 0 : 1)}万`;
  return `¥${Math.round(v * 100) / 100}`;
}
