/**
 * A product's calendar (库存日历): one month of days, each with its stock,
 * what unpaid orders hold, what is sold, what is left and the day's price,
 * live from the InventoryDO; a day opens an editor for its stock, price and
 * time slots (PUT /admin/products/{id}/calendar/{yyyyMMdd}); 批量设置 sets a
 * range of days, on chosen weekdays, in one go (calendar-bulk.js).
 */
import * as api from "./api.js";
import { bulkPanel } from "./calendar-bulk.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import { actions, busy, describeError, field, input, integerOrText, showError, showOk, valueOf } from "./forms.js";
import { businessDate, monthTitle, shanghaiToday, yuan } from "./format.js";
import { slotEditor } from "./slot-editor.js";

const WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"];

export function calendarPage({ container, params, query }) {
  const productId = params[0];
  const today = shanghaiToday();
  const month = /^\d{4}(0[1-9]|1[0-2])$/.test(query.month ?? "") ? query.month : today.slice(0, 6);
  document.title = `库存日历 ${productId} ${monthTitle(month)} · 运营控制台`;

  const title = h("h2", {}, `库存日历 · ${productId}`);
  const grid = h("div", { class: "calendar", role: "grid", "aria-label": `${monthTitle(month)}库存` });
  const status = h("p", { class: "list-status", role: "status" }, "加载中…");
  const editor = h("section", { class: "card day-editor", hidden: true, "aria-live": "polite" });
  const bulk = h("section", { class: "card bulk-editor", hidden: true, "aria-label": "批量设置" });
  const bulkToggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false" }, "批量设置…");
  const link = (m) => hashLink(p`/products/${productId}/calendar`, { month: m });
  container.append(
    h("div", { class: "page-head" }, title, h("div", { class: "buttons" }, bulkToggle, h("a", { class: "button secondary", href: `#${p`/products/${productId}`}` }, "← 产品资料"))),
    bulk,
    h(
      "nav",
      { class: "month-nav", "aria-label": "月份" },
      h("a", { class: "button secondary", href: link(shiftMonth(month, -1)) }, "‹ 上个月"),
      h("strong", { class: "month-title" }, monthTitle(month)),
      h("a", { class: "button secondary", href: link(shiftMonth(month, 1)) }, "下个月 ›"),
      month === today.slice(0, 6) ? null : h("a", { href: link(today.slice(0, 6)) }, "回到本月"),
    ),
    h("p", { class: "muted" }, "每格：库存 / 已售 / 占用（未支付订单）/ 可售 / 当日价格。点击日期设置库存、价格和入园时段。"),
    status,
    grid,
    editor,
  );

  let product = null;
  const days = new Map();
  const cells = new Map();

  /** Opens (or, after a save, reopens with the saved day and `okText`) the editor of `day`. */
  const openEditor = (day, okText) => {
    for (const [d, cell] of cells) cell.setAttribute("aria-selected", String(d === day));
    editor.hidden = false;
    const form = dayEditor(productId, product, day, days.get(day) ?? null, (saved) => {
      days.set(saved.day, saved);
      status.textContent = monthStatus(month, days);
      cells.get(saved.day)?.replaceWith(renderCell(saved.day));
      openEditor(saved.day, `已保存 ${businessDate(saved.day)}：库存 ${saved.stock}，可售 ${saved.available}`);
    });
    replaceChildren(editor, form);
    if (okText) showOk(form, okText);
    else editor.scrollIntoView({ block: "nearest" });
  };

  const renderCell = (day) => {
    const config = days.get(day) ?? null;
    const cell = h(
      "button",
      {
        type: "button",
        role: "gridcell",
        class: ["day", config ? "set" : "unset", day < today ? "past" : null, day === today ? "today" : null].filter(Boolean).join(" "),
        dataset: { day },
        "aria-label": `${businessDate(day)} ${config ? `库存 ${config.stock}，已售 ${config.sold}，占用 ${config.held}，可售 ${config.available}` : "未设置库存"}`,
        on: { click: () => openEditor(day) },
      },
      h("span", { class: "day-number" }, String(Number(day.slice(6)))),
      config ? cellFigures(config, product) : h("span", { class: "unset-text" }, "未设置"),
    );
    cells.set(day, cell);
    return cell;
  };

  /** The product and the month as they stand now (again after a bulk change); `refusedDay` marked. */
  const load = (refusedDay = null) =>
    Promise.all([api.get(p`/admin/products/${productId}`), api.get(p`/admin/products/${productId}/calendar`, { month })]).then(
      ([found, calendar]) => {
        product = found;
        title.textContent = `库存日历 · ${found.name}（${found.productId}）`;
        days.clear();
        for (const day of calendar.days) days.set(day.day, day);
        status.classList.remove("error");
        status.textContent = monthStatus(month, days);
        replaceChildren(
          grid,
          WEEKDAYS.map((w) => h("span", { class: "weekday", role: "columnheader" }, `周${w}`)),
          Array.from({ length: mondayOffset(month) }, () => h("span", { class: "blank" })),
          daysOf(month).map(renderCell),
        );
        cells.get(refusedDay)?.classList.add("refused");
      },
      (error) => {
        status.classList.add("error");
        status.textContent = error.status === 404 ? `产品 ${productId} 不存在` : `加载失败：${describeError(error)}`;
      },
    );

  bulkToggle.addEventListener("click", () => {
    const opening = bulk.hidden;
    bulk.hidden = !opening;
    bulkToggle.setAttribute("aria-expanded", String(opening));
    if (!opening) return;
    replaceChildren(bulk, bulkPanel({
      productId,
      product,
      month,
      today,
      monthLink: link,
      onApplied: () => load(),
      onRefused: (day) => load(day),
    }));
    bulk.querySelector("input")?.focus();
  });
  load();
}

function monthStatus(month, days) {
  return days.size === 0 ? `${monthTitle(month)}还没有设置库存的日期` : `${monthTitle(month)}已设置 ${days.size} 天`;
}

function cellFigures(config, product) {
  const price = config.price ?? product?.price ?? null;
  return [
    h("span", { class: "fig stock" }, `库存 ${config.stock}`),
    h("span", { class: "fig sold" }, `已售 ${config.sold}`),
    h("span", { class: "fig held" }, `占用 ${config.held}`),
    h("span", { class: "fig available" }, `可售 ${config.available}`),
    h("span", { class: config.price === null ? "fig price default" : "fig price" }, yuan(price)),
    config.timeslots?.length ? h("span", { class: "fig slots" }, `${config.timeslots.length}个时段`) : null,
  ];
}

function dayEditor(productId, product, day, config, onSaved) {
  const submit = h("button", { type: "submit" }, "保存");
  const slots = slotEditor({ slots: config?.timeslots ?? [], idPrefix: "f-day" });

  const form = h(
    "form",
    { class: "form-grid", novalidate: true },
    h("h3", { class: "wide" }, `${businessDate(day)}（周${WEEKDAYS[(weekday(day) + 6) % 7]}）`),
    config
      ? h("p", { class: "wide day-live" }, `当前：库存 ${config.stock}，已售 ${config.sold}，占用 ${config.held}，可售 ${config.available}`)
      : h("p", { class: "wide day-live muted" }, "该日尚未设置库存。"),
    field("库存（张）", input("stock", { value: config?.stock ?? "", inputmode: "numeric" })),
    field("当日价格（元）", input("price", { value: config?.price ?? "", inputmode: "decimal", placeholder: product ? `默认 ${product.price}` : "" }), {
      hint: "留空则按产品价格",
    }),
    slots.element,
    actions(submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { stock: integerOrText(valueOf(form, "stock")), price: valueOf(form, "price") || null, timeslots: slots.read(form) };
    if (body.stock === null) return showError(form, { message: "请填写库存", field: "stock" });
    await busy(submit, async () => {
      try {
        onSaved(await api.put(p`/admin/products/${productId}/calendar/${day}`, body));
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}

function shiftMonth(month, delta) {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(4, 6)) - 1 + delta;
  return `${Math.floor(index / 12)}${String((index % 12) + 1).padStart(2, "0")}`;
}

function daysOf(month) {
  const count = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4, 6)), 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}${String(i + 1).padStart(2, "0")}`);
}

/** 0 = Sunday … 6 = Saturday, of a calendar date (no time zone involved). */
function weekday(day) {
  return new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)))).getUTCDay();
}

/** Blank cells before the 1st in a Monday-first week. */
function mondayOffset(month) {
  return (weekday(`${month}01`) + 6) % 7;
}
