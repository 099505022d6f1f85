/**
 * Tables. A server-paged list (`?limit=&cursor=` → {items, nextCursor}):
 * the first page on creation, "加载更多" for the next one; a failed page
 * keeps the rows already shown and offers to try again. And a plain table
 * of rows the page already has.
 */
import { h } from "./dom.js";
import { describeError } from "./forms.js";

export const PAGE_SIZE = 20;

/**
 * pagedTable({ columns: [{ title, cell: (item) => node|string, className? }],
 *              load: (cursor) => Promise<{items, nextCursor}>, rowKey?, rowClass?, emptyText? })
 */
export function pagedTable({ columns, load, rowKey, rowClass, emptyText = "没有符合条件的记录" }) {
  const tbody = h("tbody");
  const status = h("p", { class: "list-status", role: "status" });
  const more = h("button", { type: "button", class: "secondary more", hidden: true }, "加载更多");
  let cursor = null;
  let generation = 0;

  const row = (item) =>
    h(
      "tr",
      { dataset: rowKey ? { key: rowKey(item) } : {}, class: rowClass?.(item) || null },
      columns.map((column) => h("td", { class: column.className, "data-label": column.title }, column.cell(item))),
    );

  async function fetchPage(reset) {
    const mine = reset ? ++generation : generation;
    if (reset) {
      cursor = null;
      tbody.replaceChildren();
    }
    more.disabled = true;
    status.classList.remove("error");
    status.textContent = "加载中…";
    try {
      const page = await load(cursor);
      if (mine !== generation) return;
      tbody.append(...page.items.map(row));
      cursor = page.nextCursor ?? null;
      const shown = tbody.children.length;
      status.textContent = shown === 0 ? emptyText : cursor ? `已显示 ${shown} 条，还有更多` : `共 ${shown} 条`;
      more.textContent = "加载更多";
      more.hidden = !cursor;
    } catch (error) {
      if (mine !== generation) return;
      status.classList.add("error");
      status.textContent = `加载失败：${describeError(error)}`;
      more.textContent = "重试";
      more.hidden = false;
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => fetchPage(false));
  const table = h(
    "table",
    { class: "list" },
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { class: column.className, scope: "col" }, column.title)))),
    tbody,
  );
  const element = h("div", { class: "paged" }, h("div", { class: "table-wrap" }, table), status, more);
  fetchPage(true);
  return { element, reload: () => fetchPage(true) };
}

/**
 * A table of rows already at hand (an order's items, tickets, refunds):
 * simpleTable(headings, rows of cells, { total?: cells, className?, money?: [column index] }).
 */
export function simpleTable(headings, rows, { total, className, money = [] } = {}) {
  const cellClass = (i) => (money.includes(i) ? "money" : null);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: ["list", className].filter(Boolean).join(" ") },
      h("thead", {}, h("tr", {}, headings.map((t, i) => h("th", { scope: "col", class: cellClass(i) }, t)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => h("td", { class: cellClass(i), "data-label": headings[i] }, c))))),
      total ? h("tfoot", {}, h("tr", {}, total.map((c, i) => h("td", { class: cellClass(i) }, c)))) : null,
    ),
  );
}
