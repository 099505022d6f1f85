/**
 * Callback notifications (回调通知): the ones that could not be delivered to a
 * customer's callback URL, with their last error, and a retry button
 * (GET /admin/notifications?status=…, POST /admin/notifications/{id}/retry).
 */
import * as api from "./api.js";
import { h, hashLink, p } from "./dom.js";
import { busy, describeError, field, select, valueOf } from "./forms.js";
import { dateTime, notificationKind, notificationStatus } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

const STATUSES = [["failed", "发送失败（将自动重试）"], ["dead", "已放弃（不再自动重试）"]];

export function notificationsPage({ container, query }) {
  document.title = "回调通知 · 运营控制台";
  const status = STATUSES.some(([value]) => value === query.status) ? query.status : "failed";
  const filters = h(
    "form",
    { class: "filters", novalidate: true },
    field("状态", select("status", STATUSES, status)),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/notifications", { status: valueOf(filters, "status") });
  });

  const table = pagedTable({
    rowKey: (n) => n.id,
    load: (cursor) => api.get("/admin/notifications", { status, limit: PAGE_SIZE, cursor }),
    emptyText: status === "failed" ? "没有发送失败的通知" : "没有已放弃的通知",
    columns: [
      { title: "通知", cell: (n) => [h("div", {}, notificationKind(n.kind)), h("small", { class: "muted" }, n.id)] },
      { title: "客户", cell: (n) => h("a", { href: `#${p`/customers/${n.dwid}`}` }, n.dwid) },
      { title: "关联单据", cell: targetOf },
      { title: "状态", className: "status", cell: (n) => h("span", { class: `badge ${n.status}` }, notificationStatus(n.status)) },
      { title: "尝试次数", cell: (n) => String(n.attempts) },
      { title: "最后错误", className: "last-error", cell: (n) => n.lastError ?? "—" },
      { title: "更新时间", cell: (n) => dateTime(n.updatedAt) },
      { title: "操作", className: "row-actions", cell: retryControl },
    ],
  });

  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "回调通知")),
    h("p", { class: "muted" }, "订单或单据支付后、订单退款后，系统会通知客户的回调地址。这里列出未能送达的通知；修正客户的回调地址后可以重试。"),
    filters,
    table.element,
  );
}

function targetOf(n) {
  if (n.kind === "order_paid" || n.kind === "order_refunded") return h("a", { href: `#${p`/orders/${n.targetId}`}` }, `订单 ${n.targetId}`);
  if (n.kind === "bill_paid") return h("a", { href: hashLink("/bills", { customer: n.dwid }) }, `POS单据 ${n.targetId}`);
  if (n.kind === "balance_low") return h("a", { href: `#${p`/customers/${n.dwid}`}/account` }, `客户 ${n.dwid} 的账户`);
  return n.targetId;
}

/** The retry button; its outcome (the notification's new status, or the API's error) is shown beside it. */
function retryControl(n) {
  const outcome = h("span", { class: "retry-outcome", role: "status" });
  const button = h("button", { type: "button", class: "secondary" }, "重试");
  button.addEventListener("click", () =>
    busy(button, async () => {
      outcome.classList.remove("error");
      outcome.textContent = "";
      try {
        const result = await api.post(p`/admin/notifications/${n.id}/retry`);
        outcome.textContent = `已重新加入发送队列，当前状态：${notificationStatus(result.status)}`;
        const row = button.closest("tr");
        const cell = row?.querySelector("td.status");
        if (cell) cell.replaceChildren(h("span", { class: `badge ${result.status}` }, notificationStatus(result.status)));
        button.hidden = true;
      } catch (error) {
        outcome.classList.add("error");
        outcome.textContent = `重试失败：${describeError(error)}`;
      }
    }),
  );
  return [button, outcome];
}
