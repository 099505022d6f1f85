/**
 * 批量设置: the calendar in bulk (SPEC §12; PUT /admin/products/{id}/calendar
 * ?from=&to=&weekdays=). A range of days, the weekdays among them, and the
 * stock, price and time slots every such day gets — all or nothing. When a
 * day has sold and held more than the new stock the API refuses the whole
 * call (409) naming that day and its numbers: they are shown next to the
 * form, the day is marked in the month when it is there, and nothing was
 * changed on any day.
 */
import * as api from "./api.js";
import { h, p } from "./dom.js";
import { actions, busy, clearMessages, field, input, integerOrText, showError, showOk, valueOf } from "./forms.js";
import { businessDate, compactDate } from "./format.js";
import { slotEditor } from "./slot-editor.js";

const WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/**
 * bulkPanel({ productId, product, month, today, monthLink, onApplied, onRefused(day) })
 * The form starts on the shown month (from today when it is the current one).
 */
export function bulkPanel({ productId, product, month, today, monthLink, onApplied, onRefused }) {
  const first = `${month}01` < today ? today : `${month}01`;
  const last = lastDayOf(month) < first ? first : lastDayOf(month);
  const submit = h("button", { type: "submit" }, "批量设置");
  const refusal = h("div", { class: "bulk-refusal", role: "alert", hidden: true });
  const slots = slotEditor({ idPrefix: "f-bulk" });
  const weekdays = h(
    "fieldset",
    { class: "weekdays wide", dataset: { field: "weekdays" } },
    h("legend", {}, "星期"),
    h(
      "div",
      { class: "weekday-picks" },
      WEEKDAY_NAMES.map((name, i) =>
        h("label", { class: "weekday-pick" }, h("input", { type: "checkbox", name: "weekday", value: String(i + 1), checked: true }), h("span", {}, name)),
      ),
    ),
    h("span", { class: "field-error" }),
  );

  const form = h(
    "form",
    { class: "form-grid bulk-form", novalidate: true },
    h("h3", {}, "批量设置库存、价格和时段"),
    h("p", { class: "wide muted" }, "所选日期范围内、所选星期的每一天都设为下面的库存、价格和时段（最多366天，不能早于今天）。只要有一天已售与占用之和超过新的库存，就一天也不修改。"),
    field("开始日期", input("from", { type: "date", value: businessDate(first), min: businessDate(today) })),
    field("结束日期", input("to", { type: "date", value: businessDate(last), min: businessDate(today) })),
    weekdays,
    field("库存（张）", input("stock", { inputmode: "numeric", id: "f-bulk-stock" })),
    field("当日价格（元）", input("price", { inputmode: "decimal", id: "f-bulk-price", placeholder: product ? `默认 ${product.price}` : "" }), { hint: "留空则按产品价格" }),
    slots.element,
    refusal,
    actions(submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    refusal.hidden = true;
    const chosen = [...form.querySelectorAll("input[name=weekday]:checked")].map((box) => box.value);
    if (chosen.length === 0) return showError(form, { message: "请至少选择一个星期", field: "weekdays" });
    const body = { stock: integerOrText(valueOf(form, "stock")), price: valueOf(form, "price") || null, timeslots: slots.read(form) };
    if (body.stock === null) return showError(form, { message: "请填写库存", field: "stock" });
    const query = {
      from: compactDate(valueOf(form, "from")),
      to: compactDate(valueOf(form, "to")),
      weekdays: chosen.length === 7 ? undefined : chosen.join(","),
    };
    await busy(submit, async () => {
      try {
        const done = await api.request("PUT", p`/admin/products/${productId}/calendar`, { query, body });
        clearMessages(form);
        showOk(form, `已设置 ${done.days.length} 天（${businessDate(done.from)} 至 ${businessDate(done.to)}${chosen.length === 7 ? "" : `，${chosen.map((d) => WEEKDAY_NAMES[d - 1]).join("、")}`}）：库存 ${body.stock}`);
        onApplied(done);
      } catch (error) {
        showError(form, error);
        if (error.detail?.day) {
          showRefusal(refusal, error.detail, monthLink);
          onRefused(error.detail.day);
        }
      }
    });
  });
  return form;
}

/** The 409's day and numbers, in words, with the way to its month. */
function showRefusal(box, detail, monthLink) {
  const where = detail.slotIndex === null ? "当日库存" : `时段 ${detail.slotIndex} 的容量`;
  box.replaceChildren(
    h("strong", {}, "未修改任何日期。"),
    h(
      "p",
      { class: "refused-day" },
      `${businessDate(detail.day)}：已售 ${detail.sold}，占用 ${detail.held}（未支付订单），共 ${detail.sold + detail.held}，超过新的${where} ${detail.capacity}。`,
    ),
    h("p", {}, "请调高库存，或把这一天排除在外（缩小日期范围或去掉它的星期）后再试。", " ", h("a", { href: monthLink(detail.day.slice(0, 6)) }, "查看该月")),
  );
  box.hidden = false;
}

function lastDayOf(month) {
  const count = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4, 6)), 0)).getUTCDate();
  return `${month}${String(count).padStart(2, "0")}`;
}
