/**
 * 门票查询 (ticket search): a ticket by its code, or the real-name tickets
 * of an ID number (newest first, at most what the API answers), each with
 * its order, customer, product, visit day and slot, holder, and its history
 * as a timeline — ordered, paid and issued, moved to another day, admitted
 * at a gate, refunded (GET /admin/tickets). A guest at the ticket office
 * asking "was my ticket used, where, when" is answered here.
 */
import * as api from "./api.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import { field, input, select, valueOf } from "./forms.js";
import { businessDate, dateTime, maskedId, orderStatus, refundRequester, ticketStatus } from "./format.js";

const SEARCH_BY = [["code", "门票码"], ["idnumber", "证件号码"]];

export function ticketsPage({ container, query }) {
  const by = query.idnumber !== undefined ? "idnumber" : "code";
  const value = query[by] ?? "";
  document.title = value ? `门票 ${value} · 运营控制台` : "门票查询 · 运营控制台";
  const search = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("查询方式", select("by", SEARCH_BY, by)),
    field("门票码或证件号码", input("q", { value, type: "search", placeholder: "扫码或输入", autofocus: !value })),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询")),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = valueOf(search, "q");
    location.hash = hashLink("/tickets", text ? { [valueOf(search, "by")]: text } : {});
  });
  const body = h("div", { class: "ticket-results" });
  container.append(h("div", { class: "page-head" }, h("h2", {}, "门票查询")), search, body);
  if (!value) {
    body.append(h("p", { class: "muted" }, "按门票码查一张门票，或按证件号码查该游客的实名制门票：订单、客户、改期、入园（时间和闸机）、退票。"));
    return;
  }
  body.append(h("p", { class: "list-status", role: "status" }, "加载中…"));
  api.get("/admin/tickets", { [by]: value }).then(
    (answer) => replaceChildren(body, results(answer, by, value)),
    (error) => replaceChildren(body, h("p", { class: "list-status error" }, `查询失败：${error.message}${error.code ? `（错误码 ${error.code}）` : ""}`)),
  );
}

function results(answer, by, value) {
  if (answer.items.length === 0) {
    return h("p", { class: "list-status" }, by === "code" ? `没有门票码为 ${value} 的门票` : `证件号码 ${maskedId(value)} 没有实名制门票`);
  }
  const count = by === "code" ? null : h("p", { class: "list-status" }, answer.truncated ? `最新的 ${answer.items.length} 张（更早的未列出）` : `共 ${answer.items.length} 张`);
  return [count, answer.items.map(ticketCard)];
}

function ticketCard(t) {
  const facts = [
    ["产品", `${t.productName ?? ""}（${t.productId}）`],
    ["订单", [h("a", { href: `#${p`/orders/${t.orderId}`}` }, t.orderId), " ", h("span", { class: "muted" }, orderStatus(t.orderStatus))]],
    ["客户", [h("a", { href: `#${p`/customers/${t.dwid}`}/account` }, t.dwid), t.customerName ? ` ${t.customerName}` : ""]],
    ["第三方单号", t.senderId ?? "—"],
    ["游玩日期", businessDate(t.effectDate)],
    ["入园时段", t.timespanIndex === null ? "不分时段" : `第${t.timespanIndex}时段`],
    ["游客", t.fullname ? `${t.fullname} ${maskedId(t.idNumber) || ""}`.trim() : "—"],
    ["手机", t.mobile],
  ];
  return h(
    "article",
    { class: "card ticket-card", dataset: { code: t.ticketCode } },
    h("div", { class: "ticket-head" }, h("h3", {}, h("code", {}, t.ticketCode)), h("span", { class: `badge ticket-${t.status}` }, ticketStatus(t.status))),
    h("dl", { class: "facts" }, facts.map(([term, v]) => [h("dt", {}, term), h("dd", {}, v)])),
    h("ol", { class: "timeline ticket-history" }, t.history.map((e) => h("li", { class: `event-${e.event}` }, h("time", {}, dateTime(e.at)), h("span", {}, eventText(e, t))))),
  );
}

function slotText(index) {
  return index === null || index === undefined ? "" : `第${index}时段`;
}

function eventText(e, t) {
  switch (e.event) {
    case "ordered":
      return `下单（订单 ${t.orderId}，客户 ${t.dwid}）`;
    case "issued":
      return "支付成功，出票";
    case "dateChanged":
      return `改期：${businessDate(e.fromDate)}${slotText(e.fromTimespan)} → ${businessDate(e.toDate)}${slotText(e.toTimespan)}`;
    case "used":
      return `入园：闸机 ${e.gateId ?? "—"}${e.gateName ? `（${e.gateName}）` : ""}`;
    case "refunded":
      return `退票：退款单号 ${e.refundId ?? "—"}${e.requestedBy ? `，${refundRequester(e.requestedBy)}` : ""}${e.reason ? `，原因：${e.reason}` : ""}`;
    default:
      return e.event;
  }
}
