/**
 * Time slots (入园时段) as a form edits them: one row per slot, its inputs
 * named timeslots[i].index/start/end/capacity as the API names its errors,
 * so an error lands next to the input it concerns. Used by the day editor
 * and the calendar in bulk (calendar.js, calendar-bulk.js).
 */
import { h } from "./dom.js";
import { field, integerOrText, valueOf } from "./forms.js";

/**
 * slotEditor({ slots?: [{index, start, end, capacity, sold?, held?, available?}], idPrefix })
 * → { element, read(form) }: read gives the slots as the API takes them, or null for none.
 */
export function slotEditor({ slots = [], idPrefix }) {
  const rows = h("div", { class: "slots" });
  const element = h(
    "div",
    { class: "slot-editor wide", dataset: { field: "timeslots" } },
    h("h4", {}, "入园时段（分时段预约）"),
    h("p", { class: "muted" }, "不设时段则全天通用；设时段时各时段容量之和不能小于当日库存。"),
    rows,
    h("span", { class: "field-error" }),
    h("button", { type: "button", class: "secondary", on: { click: () => addSlot(rows, null, idPrefix) } }, "添加时段"),
  );
  for (const slot of slots) addSlot(rows, slot, idPrefix);
  const read = (form) => {
    const count = rows.querySelectorAll(".slot-row").length;
    if (count === 0) return null;
    return Array.from({ length: count }, (_, i) => ({
      index: integerOrText(valueOf(form, `timeslots[${i}].index`)),
      start: valueOf(form, `timeslots[${i}].start`),
      end: valueOf(form, `timeslots[${i}].end`),
      capacity: integerOrText(valueOf(form, `timeslots[${i}].capacity`)),
    }));
  };
  return { element, read };
}

/** One editable time slot (with its live counts when it has them). */
function addSlot(rows, slot, idPrefix) {
  const next = slot?.index ?? Math.max(0, ...[...rows.querySelectorAll(".slot-row")].map((r) => Number(r.querySelector("[data-part=index]").value) || 0)) + 1;
  const row = h(
    "div",
    { class: "slot-row" },
    field("序号", h("input", { dataset: { part: "index" }, value: next, inputmode: "numeric", class: "narrow" })),
    field("开始", h("input", { dataset: { part: "start" }, type: "time", value: slot?.start ?? "" })),
    field("结束", h("input", { dataset: { part: "end" }, type: "time", value: slot?.end ?? "" })),
    field("容量", h("input", { dataset: { part: "capacity" }, value: slot?.capacity ?? "", inputmode: "numeric", class: "narrow" })),
    slot && slot.sold !== undefined ? h("span", { class: "slot-live" }, `已售 ${slot.sold}，占用 ${slot.held}，可售 ${slot.available}`) : null,
    h("button", { type: "button", class: "secondary", on: { click: () => { row.remove(); renumber(rows, idPrefix); } } }, "删除"),
  );
  rows.append(row);
  renumber(rows, idPrefix);
}

function renumber(rows, idPrefix) {
  [...rows.querySelectorAll(".slot-row")].forEach((row, i) => {
    for (const control of row.querySelectorAll("[data-part]")) {
      control.name = `timeslots[${i}].${control.dataset.part}`;
      control.id = `${idPrefix}-timeslots-${i}-${control.dataset.part}`;
    }
  });
}
