/**
 * 入园 (check-ins): the tickets admitted on one Asia/Shanghai day, by the
 * instant they passed a gate (GET /admin/checkins), optionally for one
 * product or one gate: the total, a bar per hour 00–23 (plain HTML and CSS,
 * no chart library: each bar's height is its count over the axis's top, a
 * round number at or above the busiest hour), and the counts per gate and
 * per product. The day defaults to today in Shanghai.
 */
import * as api from "./api.js";
import { h, hashLink, replaceChildren } from "./dom.js";
import { field, input, select, valueOf } from "./forms.js";
import { businessDate, compactDate, dateTime, shanghaiToday } from "./format.js";
import { simpleTable } from "./list.js";

/** Enough choices for an area's products and gates; more would need a search field. */
const CHOICES_LIMIT = 200;

export function checkinsPage({ container, query }) {
  const day = query.date ?? shanghaiToday();
  document.title = `入园 ${businessDate(day)} · 运营控制台`;
  const productChoice = select("productid", [["", "全部产品"]], query.productid ?? "");
  const gateChoice = select("gateid", [["", "全部闸机"]], query.gateid ?? "");
  const filters = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("入园日期", input("date", { type: "date", value: businessDate(day) })),
    field("产品", productChoice),
    field("闸机", gateChoice),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "查询"), h("a", { class: "button secondary", href: "#/checkins" }, "今天")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/checkins", { date: compactDate(valueOf(filters, "date")), productid: valueOf(filters, "productid"), gateid: valueOf(filters, "gateid") });
  });
  fillChoices(productChoice, "/admin/products", (p) => [p.productId, `${p.name}（${p.productId}）`], query.productid, (p) => p.kind !== "retail");
  fillChoices(gateChoice, "/admin/gates", (g) => [g.gateId, `${g.name}（${g.gateId}）`], query.gateid);

  const body = h("div", { class: "checkins" }, h("p", { class: "list-status", role: "status" }, "加载中…"));
  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "入园"), h("button", { type: "button", class: "secondary", on: { click: load } }, "刷新")),
    h("p", { class: "muted" }, "按门票通过闸机的时间（上海时间）统计，每小时一栏。"),
    filters,
    body,
  );

  async function load() {
    try {
      const answer = await api.get("/admin/checkins", { date: day, productid: query.productid, gateid: query.gateid });
      replaceChildren(body, summary(answer));
    } catch (error) {
      const where = error.field ? `（${error.field}）` : "";
      replaceChildren(body, h("p", { class: "list-status error" }, `加载失败${where}：${error.message}`));
    }
  }
  load();
}

/** Adds the API's items to a <select> whose first option is "all"; a failure leaves "all" and the chosen id. */
async function fillChoices(control, path, option, chosen, keep = () => true) {
  try {
    const page = await api.get(path, { limit: CHOICES_LIMIT });
    const options = page.items.filter(keep).map(option);
    if (chosen && !options.some(([value]) => value === chosen)) options.push([chosen, chosen]);
    control.append(...options.map(([value, label]) => h("option", { value, selected: value === chosen }, label)));
  } catch {
    if (chosen) control.append(h("option", { value: chosen, selected: true }, chosen));
  }
}

function summary(answer) {
  const peak = answer.byHour.reduce((best, slot) => (slot.count > best.count ? slot : best), { hour: null, count: 0 });
  const scope = [answer.productId ? `产品 ${answer.productId}` : null, answer.gateId ? `闸机 ${answer.gateId}` : null].filter(Boolean).join("，");
  return [
    h(
      "div",
      { class: "balances checkin-totals" },
      h("div", { class: "balance", dataset: { key: "total" } }, h("span", { class: "label" }, `${businessDate(answer.date)} 入园${scope ? `（${scope}）` : ""}`), h("strong", {}, `${answer.total} 人次`)),
      h(
        "div",
        { class: "balance", dataset: { key: "peak" } },
        h("span", { class: "label" }, peak.hour === null ? "最多的一小时" : `最多的一小时：${peak.count} 人次`),
        h("strong", {}, peak.hour === null ? "—" : hourRange(peak.hour)),
      ),
      h("div", { class: "balance", dataset: { key: "gates" } }, h("span", { class: "label" }, "有入园的闸机"), h("strong", {}, `${answer.byGate.length} 台`)),
    ),
    hourChart(answer.byHour),
    h("h3", {}, "按闸机"),
    answer.byGate.length === 0
      ? h("p", { class: "muted" }, "这一天没有入园记录")
      : simpleTable(
          ["闸机", "名称", "入园人次", "第一位", "最后一位"],
          answer.byGate.map((g) => [h("a", { href: hashLink("/checkins", { date: answer.date, gateid: g.gateId }) }, g.gateId), g.name ?? "—", g.count, dateTime(g.firstAt), dateTime(g.lastAt)]),
          { className: "by-gate compact", money: [2], total: ["合计", "", answer.total, "", ""] },
        ),
    h("h3", {}, "按产品"),
    answer.byProduct.length === 0
      ? h("p", { class: "muted" }, "这一天没有入园记录")
      : simpleTable(
          ["产品", "名称", "入园人次"],
          answer.byProduct.map((p) => [h("a", { href: hashLink("/checkins", { date: answer.date, productid: p.productId }) }, p.productId), p.name ?? "—", p.count]),
          { className: "by-product compact", money: [2] },
        ),
  ];
}

/** "09:00–10:00" */
function hourRange(hour) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(hour)}:00–${pad(hour + 1)}:00`;
}

/** The axis's top: the smallest 1, 2 or 5 × 10ⁿ at or above the busiest hour (at least 1). */
export function axisTop(max) {
  for (let scale = 1; ; scale *= 10) {
    for (const step of [1, 2, 5]) if (step * scale >= max) return step * scale;
  }
}

function hourChart(byHour) {
  const top = axisTop(Math.max(1, ...byHour.map((slot) => slot.count)));
  const total = byHour.reduce((sum, slot) => sum + slot.count, 0);
  const bars = byHour.map(({ hour, count }) =>
    h(
      "div",
      { class: "bar-slot", dataset: { hour: String(hour), count: String(count) }, title: `${hourRange(hour)}：${count} 人次` },
      h(
        "div",
        { class: "bar-track" },
        h("div", { class: count > 0 ? "bar" : "bar empty", style: `height: ${(count / top) * 100}%` }),
        h("span", { class: "bar-value", style: `bottom: ${(count / top) * 100}%` }, count > 0 ? String(count) : ""),
      ),
      h("span", { class: "bar-hour" }, String(hour).padStart(2, "0")),
    ),
  );
  return h(
    "figure",
    { class: "card hour-chart" },
    h("figcaption", {}, "每小时入园人次", h("span", { class: "muted axis-top" }, `（纵轴最高 ${top}）`)),
    h(
      "div",
      { class: "chart", role: "img", "aria-label": `每小时入园人次，共 ${total} 人次：${byHour.filter((slot) => slot.count > 0).map((slot) => `${hourRange(slot.hour)} ${slot.count}`).join("，") || "无"}` },
      h("div", { class: "gridlines", "aria-hidden": "true" }, [top, top / 2, 0].map((v) => h("span", { dataset: { value: Number.isInteger(v) ? String(v) : "" } }))),
      h("div", { class: "bars", "aria-hidden": "true" }, bars),
    ),
  );
}
