/**
 * Orders (订单): search by order id or senderid (q), customer, visit date and
 * status; an order's detail with its items, amount, status history, tickets
 * (each linked to 门票查询, with when and at which gate it was admitted) and
 * refunds; while it is unpaid a cancel, confirmed first (SPEC §10:
 * POST /admin/orders/{id}/cancel; the stock comes back at once), and once
 * paid, while it has valid tickets, 退票 (order-refund.js). The history is
 * derived from the order's own timestamps (created, paid, expires) and its
 * refunds: the API keeps no separate log of order states. The admin API
 * keeps a refunded order `paid`; its 部分退款 / 已退款 label is derived
 * (format.js orderStanding). 导出CSV downloads every order the applied
 * filters match (GET /admin/orders?…&format=csv, SPEC §12).
 */
import * as api from "./api.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import { askConfirmation, busy, confirmationBox, describeError, field, input, select, valueOf } from "./forms.js";
import { businessDate, compactDate, dateTime, maskedId, orderStanding, orderStatus, refundRequester, ticketStatus, yuan } from "./format.js";
import { PAGE_SIZE, pagedTable, simpleTable } from "./list.js";
import { refundHistory, refundPanel } from "./order-refund.js";

const STATUSES = [["", "全部"], ["unpaid", "未支付"], ["paid", "已支付"], ["expired", "已过期"], ["cancelled", "已取消"]];

export function ordersPage({ container, query }) {
  document.title = "订单 · 运营控制台";
  const filters = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("订单号或第三方单号", input("q", { value: query.q ?? "", type: "search" })),
    field("客户ID", input("customer", { value: query.customer ?? "" })),
    field("游玩日期", input("date", { type: "date", value: query.date ? businessDate(query.date) : "" })),
    field("状态", select("status", STATUSES, query.status ?? "")),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询"), h("a", { class: "button secondary", href: "#/orders" }, "清除")),
  );
  const exported = exportButton(query);
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/orders", {
      q: valueOf(filters, "q"),
      customer: valueOf(filters, "customer"),
      date: compactDate(valueOf(filters, "date")),
      status: valueOf(filters, "status"),
    });
  });

  const table = pagedTable({
    rowKey: (o) => o.orderId,
    load: (cursor) =>
      api.get("/admin/orders", { q: query.q, customer: query.customer, date: query.date, status: query.status, limit: PAGE_SIZE, cursor }),
    columns: [
      { title: "订单号", cell: (o) => h("a", { href: `#${p`/orders/${o.orderId}`}` }, o.orderId) },
      { title: "客户", cell: (o) => h("a", { href: hashLink("/orders", { customer: o.dwid }) }, o.dwid) },
      { title: "第三方单号", cell: (o) => o.senderId ?? "—" },
      { title: "类型", cell: (o) => (o.kind === "yearcard" ? "年卡" : "门票") },
      { title: "游玩日期", cell: (o) => businessDate(o.effectDate) },
      { title: "金额", className: "money", cell: (o) => yuan(o.amount) },
      { title: "状态", cell: listStatus },
      { title: "下单时间", cell: (o) => dateTime(o.createdAt) },
    ],
  });

  container.append(h("div", { class: "page-head" }, h("h2", {}, "订单"), exported.element), filters, table.element);
}

/**
 * 导出CSV: every order the list's filters match (the query in the address,
 * as the table shows them), as the API's CSV file (GET /admin/orders?…&format=csv).
 */
function exportButton(query) {
  const button = h("button", { type: "button", class: "secondary export", title: "按当前的查询条件导出全部匹配的订单（CSV，Excel 可直接打开）" }, "导出CSV");
  const status = h("span", { class: "export-status", role: "status" }, "按当前查询条件导出全部订单");
  button.addEventListener("click", () =>
    busy(button, async () => {
      status.classList.remove("error");
      status.textContent = "正在导出…";
      try {
        const file = await api.download("/admin/orders", { q: query.q, customer: query.customer, date: query.date, status: query.status, format: "csv" });
        status.textContent = `已导出 ${file.name}`;
      } catch (error) {
        status.classList.add("error");
        status.textContent = `导出失败：${describeError(error)}`;
      }
    }),
  );
  return { element: h("div", { class: "export-box" }, button, status) };
}

function statusBadge(status) {
  return h("span", { class: `badge ${status}` }, orderStatus(status));
}

/**
 * A list row has refundedUnits but not its number of tickets, so it cannot
 * tell 部分退款 from 已退款 (the order's page can): it says how many were refunded.
 */
function listStatus(o) {
  if (o.status !== "paid" || !o.refundedUnits) return statusBadge(o.status);
  return [statusBadge(o.kind === "yearcard" ? "refunded" : "paid"), o.kind === "yearcard" ? null : h("small", { class: "refunded-units" }, ` 已退 ${o.refundedUnits} 张`)];
}

export function orderPage({ container, params }) {
  const orderId = params[0];
  document.title = `订单 ${orderId} · 运营控制台`;
  const body = h("div", {}, h("p", { class: "list-status", role: "status" }, "加载中…"));
  container.append(h("div", { class: "page-head" }, h("h2", {}, `订单 ${orderId}`), h("a", { href: "#/orders" }, "← 返回订单列表")), body);
  /** The order as it stands, with what the last action said (`notice`: {ok} or {error}). */
  const show = (order, notice = {}) => replaceChildren(body, orderDetail(order, { onChanged: show, notice }));
  api.get(p`/admin/orders/${orderId}`).then(
    (order) => show(order),
    (error) =>
      replaceChildren(body, h("p", { class: "list-status error" }, error.status === 404 ? `订单 ${orderId} 不存在` : `加载失败：${error.message}`)),
  );
}

/**
 * 取消订单 for an unpaid order: asks first, then the operators' cancel. The
 * page then shows the order as the API answered it; a refusal (paid or
 * expired meanwhile: 409) is shown with the order as it now stands.
 */
function cancelPanel(order, show) {
  const button = h("button", { type: "button", class: "danger" }, "取消订单…");
  const confirmBox = confirmationBox();
  button.addEventListener("click", async () => {
    button.disabled = true;
    const confirmed = await askConfirmation(
      confirmBox,
      `确定取消订单 ${order.orderId}（${yuan(order.amount)}）？订单将变为已取消，占用的库存立即释放；此操作不能撤销。`,
      "确认取消订单",
    );
    button.disabled = false;
    if (!confirmed) return;
    await busy(button, async () => {
      try {
        show(await api.post(p`/admin/orders/${order.orderId}/cancel`), { ok: "订单已取消，占用的库存已释放" });
      } catch (error) {
        const current = await api.get(p`/admin/orders/${order.orderId}`).catch(() => order);
        show(current, { error: describeError(error) });
      }
    });
  });
  return [h("div", { class: "buttons" }, button), confirmBox];
}

function orderDetail(order, { onChanged, notice }) {
  const refundable = order.status === "paid" && order.tickets.some((t) => t.status === "valid");
  const facts = [
    ["状态", statusBadge(orderStanding(order))],
    ["客户", h("a", { href: `#${p`/customers/${order.dwid}`}/account` }, order.dwid)],
    ["第三方单号", order.senderId ?? "—"],
    ["类型", order.kind === "yearcard" ? "年卡" : "门票"],
    ["游玩日期", businessDate(order.effectDate)],
    ["入园时段", order.timespanIndex ?? "—"],
    ["订单金额", yuan(order.amount)],
    ["联系手机", order.mobile],
    ["营业日", businessDate(order.businessDate)],
    ["售票站点", order.sellStationId ?? "—"],
    order.refundedUnits ? ["已退款", `${yuan(order.refunded)}（${order.refundedUnits} 张）`] : null,
  ].filter(Boolean);
  const actions = h(
    "section",
    { class: "order-actions", "aria-label": "订单操作" },
    order.status === "unpaid" ? cancelPanel(order, onChanged) : null,
    refundable ? refundPanel(order, onChanged) : null,
    h("p", { class: "action-error", role: "alert" }, notice.error ?? null),
    h("p", { class: "action-ok", role: "status" }, notice.ok ?? null),
  );
  return [
    h("dl", { class: "card facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    actions,
    h("h3", {}, "状态记录"),
    h("ol", { class: "timeline" }, history(order).map(([when, what]) => h("li", {}, h("time", {}, when), h("span", {}, what)))),
    h("h3", {}, "订单明细"),
    simpleTable(
      ["行号", "产品", "数量", "单价", "金额", "游客", "证件号码", "手机"],
      order.items.map((i) => [i.lineNo, i.productId, i.quantity, yuan(i.unitPrice), yuan(i.amount), i.fullname ?? "—", maskedId(i.idNumber) || "—", i.mobile ?? "—"]),
      { total: ["合计", "", "", "", yuan(order.amount), "", "", ""], money: [3, 4] },
    ),
    h("h3", {}, "门票"),
    order.tickets.length === 0
      ? h("p", { class: "muted tickets-empty" }, TICKETS_EMPTY[order.status] ?? "订单支付后出票")
      : simpleTable(
          ["票号", "行号", "产品", "状态", "出票时间", "退款单号", "入园"],
          order.tickets.map((t) => [
            h("a", { href: hashLink("/tickets", { code: t.ticketCode }), title: "门票查询：这张门票的经历" }, h("code", {}, t.ticketCode)),
            t.lineNo, t.productId, h("span", { class: `ticket-${t.status}` }, ticketStatus(t.status)), dateTime(t.issuedAt),
            refundOf(order, t.ticketCode)?.refundId ?? "—",
            t.usedAt ? `${dateTime(t.usedAt)} 闸机 ${t.gateId}` : "—",
          ]),
          { className: "tickets" },
        ),
    order.status === "paid" ? [h("h3", {}, "退款记录"), refundHistory(order)] : null,
  ];
}

/** The refund a ticket went back with, if any. */
function refundOf(order, ticketCode) {
  return (order.refunds ?? []).find((r) => r.tickets.includes(ticketCode)) ?? null;
}

/** Why an order shows no tickets, by its status. */
const TICKETS_EMPTY = { paid: "没有门票", cancelled: "订单已取消，未出票", expired: "订单已过期，未出票" };

/** [when, what] pairs from the order's timestamps, oldest first. */
function history(order) {
  const events = [[dateTime(order.createdAt), `下单，金额 ${yuan(order.amount)}，占用库存，等待支付`]];
  if (order.paidAt) events.push([dateTime(order.paidAt), `已支付（预订金扣款 ${yuan(order.amount)}），出票 ${order.tickets.length} 张`]);
  let refundedUnits = 0;
  for (const r of order.refunds ?? []) {
    refundedUnits += r.tickets.length;
    const after = refundedUnits >= order.tickets.length ? "已退款" : "部分退款";
    events.push([
      dateTime(r.refundedAt),
      `${refundRequester(r.requestedBy)}退票 ${r.tickets.length} 张（退款单号 ${r.refundId}），退回预订金 ${yuan(r.amount)}，手续费 ${yuan(r.fee)}；${after}`,
    ]);
  }
  if (order.status === "unpaid") events.push([dateTime(order.expiresAt), "未支付将于此时自动过期并释放库存"]);
  if (order.status === "expired") events.push([dateTime(order.expiresAt), "超时未支付，已过期，库存已释放"]);
  if (order.status === "cancelled") events.push(["—", "已取消"]);
  return events;
}
