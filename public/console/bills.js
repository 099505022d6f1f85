/** POS bills (POS单据): retail bills of the area's terminals, by customer. */
import * as api from "./api.js";
import { h, hashLink } from "./dom.js";
import { field, input, valueOf } from "./forms.js";
import { billStatus, dateTime, yuan } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

export function billsPage({ container, query }) {
  document.title = "POS单据 · 运营控制台";
  const filters = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("客户ID", input("customer", { value: query.customer ?? "" })),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/bills", { customer: valueOf(filters, "customer") });
  });

  const table = pagedTable({
    rowKey: (b) => b.billNum,
    load: (cursor) => api.get("/admin/bills", { customer: query.customer, limit: PAGE_SIZE, cursor }),
    emptyText: "没有POS单据",
    columns: [
      { title: "单据号", cell: (b) => b.billNum },
      { title: "客户", cell: (b) => h("a", { href: hashLink("/bills", { customer: b.dwid }) }, b.dwid) },
      { title: "第三方单号", cell: (b) => b.senderBillNum ?? "—" },
      { title: "金额", className: "money", cell: (b) => yuan(b.amount) },
      { title: "状态", cell: (b) => h("span", { class: `badge ${b.status}` }, billStatus(b.status)) },
      { title: "取货码", cell: (b) => b.rndCode ?? "—" },
      { title: "创建时间", cell: (b) => dateTime(b.createdAt) },
      { title: "支付时间", cell: (b) => dateTime(b.paidAt) },
    ],
  });

  container.append(h("div", { class: "page-head" }, h("h2", {}, "POS单据")), filters, table.element);
}
