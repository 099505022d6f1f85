/**
 * Refunds (退款): committed refunds, partners' and operators', newest first,
 * by customer and by the day they were made (Asia/Shanghai), paged on the
 * server (GET /admin/refunds?customer=&date=).
 */
import * as api from "./api.js";
import { h, hashLink, p } from "./dom.js";
import { field, input, valueOf } from "./forms.js";
import { businessDate, compactDate, dateTime, refundRequester, yuan } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

/** How many ticket codes a row shows before "等". */
const CODES_SHOWN = 3;

export function refundsPage({ container, query }) {
  document.title = "退款 · 运营控制台";
  const filters = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("客户ID", input("customer", { value: query.customer ?? "" })),
    field("退款日期", input("date", { type: "date", value: query.date ? businessDate(query.date) : "" })),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询"), h("a", { class: "button secondary", href: "#/refunds" }, "清除")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/refunds", { customer: valueOf(filters, "customer"), date: compactDate(valueOf(filters, "date")) });
  });

  const table = pagedTable({
    rowKey: (r) => `${r.dwid}/${r.refundId}`,
    load: (cursor) => api.get("/admin/refunds", { customer: query.customer, date: query.date, limit: PAGE_SIZE, cursor }),
    emptyText: "没有符合条件的退款",
    columns: [
      { title: "退款时间", cell: (r) => dateTime(r.refundedAt) },
      { title: "退款单号", cell: (r) => r.refundId },
      { title: "客户", cell: (r) => h("a", { href: hashLink("/refunds", { customer: r.dwid }) }, r.dwid) },
      { title: "订单", cell: (r) => h("a", { href: `#${p`/orders/${r.orderId}`}` }, r.orderId) },
      { title: "门票", cell: ticketsOf },
      { title: "退回金额", className: "money", cell: (r) => yuan(r.amount) },
      { title: "手续费", className: "money", cell: (r) => yuan(r.fee) },
      { title: "原因", className: "reason", cell: (r) => r.reason ?? "—" },
      { title: "发起方", cell: (r) => refundRequester(r.requestedBy) },
    ],
  });

  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "退款")),
    h("p", { class: "muted" }, "已完成的退款（合作方通过接口发起的和运营方在订单页发起的），最新在前；退款日期按上海时间。"),
    filters,
    table.element,
  );
}

function ticketsOf(r) {
  const shown = r.tickets.slice(0, CODES_SHOWN).join("、");
  const more = r.tickets.length > CODES_SHOWN ? " 等" : "";
  return [h("span", {}, `${r.tickets.length} 张`), " ", h("small", { class: "muted", title: r.tickets.join("、") }, `${shown}${more}`)];
}
