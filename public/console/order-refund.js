/**
 * 退票 on a paid order's page (SPEC §10, POST /admin/orders/{orderid}/refunds)
 * and the order's refund history (退款记录).
 *
 * The operator picks valid tickets, sees each one's price and the fee its
 * product's refund policy takes (GET /admin/products/{id} `refund`), gives a
 * reason and a refund number (prefilled, editable: the API refunds once per
 * number and customer), may waive the fee or the deadline, confirms what
 * will be refunded, and then sees the API's answer. The page's figures are a
 * preview; the amounts shown after the refund are the API's own.
 */
import * as api from "./api.js";
import { h, p, replaceChildren } from "./dom.js";
import { actions, askConfirmation, busy, checkField, clearMessages, confirmationBox, describeError, field, input, showError, valueOf } from "./forms.js";
import {
  dateTime, fenOf, orderStatus, refundDeadline, refundRequester, shanghaiToday, suggestedNumber, ticketStatus, yuan, yuanOfFen,
} from "./format.js";
import { simpleTable } from "./list.js";

/**
 * Refusals (409) carry no `field`; these concern a control of the form, so
 * they are shown next to it. The others (4701 not allowed by the product,
 * 4005 not paid, …) are shown by the buttons with their code.
 */
const REFUSAL_FIELDS = { 4702: "ignoreDeadline", 4703: "ticketcodes", 4704: "ticketcodes", 4705: "ticketcodes", 4706: "ticketcodes", 4707: "refundid" };
/** Refusals that mean the tickets changed since the page was read (used at a gate, refunded by the partner). */
const TICKETS_CHANGED = new Set([4703, 4704, 4705, 4706]);

/** A refund number an operator may keep or replace: RF + Shanghai time + 4 random characters. */
export const suggestedRefundId = () => suggestedNumber("RF");

/** SPEC §10: the fee of one ticket is round half up of price × feePercent / 100, in fen. */
export function refundFeeFen(priceFen, feePercent) {
  return Math.floor((priceFen * feePercent + 50) / 100);
}

/** SPEC §10: tickets until the visit day ends (or the day before); annual cards before their effect date only. */
function withinDeadline(order, policy, today) {
  if (order.kind === "yearcard" || policy.deadline === "before_visit_day") return today < order.effectDate;
  return today <= order.effectDate;
}

/** The 退票… button of a paid order with valid tickets; it opens the form below it. `show(order, notice)` redraws the page. */
export function refundPanel(order, show) {
  const open = h("button", { type: "button" }, "退票…");
  const holder = h("div", { class: "refund-holder" });
  const close = () => {
    holder.replaceChildren();
    open.hidden = false;
    open.focus();
  };
  open.addEventListener("click", async () => {
    open.hidden = true;
    // What the last action said no longer concerns the refund being prepared.
    for (const notice of open.closest(".order-actions")?.querySelectorAll(":scope > .action-ok, :scope > .action-error") ?? []) notice.textContent = "";
    replaceChildren(holder, h("p", { class: "list-status", role: "status" }, "正在读取退票规则…"));
    const form = refundForm(order, await productsOf(order), { show, close });
    replaceChildren(holder, form);
    form.querySelector('input[name="ticket"]:not(:disabled)')?.focus();
  });
  return [h("div", { class: "buttons" }, open), holder];
}

/** The products of the order's tickets (for their refund policy and name); null where one could not be read. */
async function productsOf(order) {
  const ids = [...new Set(order.tickets.map((t) => t.productId))];
  const found = await Promise.all(ids.map((id) => api.get(p`/admin/products/${id}`).catch(() => null)));
  return new Map(ids.map((id, i) => [id, found[i]]));
}

function refundForm(order, products, { show, close }) {
  const today = shanghaiToday();
  const priceOfLine = new Map(order.items.map((i) => [i.lineNo, fenOf(i.unitPrice)]));
  const ticketLines = new Set(order.tickets.map((t) => t.lineNo));
  // An annual card's insurance premium (the lines without tickets) comes back with the card, in full.
  const premiumFen = order.kind === "yearcard" ? order.items.filter((i) => !ticketLines.has(i.lineNo)).reduce((sum, i) => sum + fenOf(i.amount), 0) : 0;

  const waive = h("input", { type: "checkbox", name: "waiveFee" });
  const ignore = h("input", { type: "checkbox", name: "ignoreDeadline" });
  const all = h("input", { type: "checkbox", name: "allTickets" });
  const summary = h("p", { class: "refund-summary", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "退票…");
  const dismiss = h("button", { type: "button", class: "secondary" }, "收起");
  const retry = h("button", { type: "button" }, "用同一退款单号重新提交");
  const unknown = h("div", { class: "outcome-unknown", role: "alert", hidden: true });
  const confirmBox = confirmationBox();

  /** One ticket: what it costs, what the policy takes, and why it may be refused. */
  const figures = (ticket) => {
    const priceFen = priceOfLine.get(ticket.lineNo) ?? 0;
    const policy = products.get(ticket.productId)?.refund ?? null;
    const feeFen = waive.checked ? 0 : policy ? refundFeeFen(priceFen, policy.feePercent) : null;
    let warning = null;
    if (!policy) warning = "退票规则未能读取，手续费以实际退款为准";
    else if (!policy.allowed) warning = "该产品不允许退票";
    else if (!withinDeadline(order, policy, today)) warning = ignore.checked ? "已过退票期限（本次不受限制）" : "已过退票期限";
    return { priceFen, feeFen, warning };
  };

  const rows = order.tickets.map((ticket) => {
    const box = h("input", { type: "checkbox", name: "ticket", value: ticket.ticketCode, "aria-label": `选择 ${ticket.ticketCode}` });
    const cells = { status: h("td", { "data-label": "状态" }), fee: h("td", { class: "money", "data-label": "手续费" }), back: h("td", { class: "money", "data-label": "退回" }) };
    const row = { ticket, box, cells, tr: null };
    row.tr = h(
      "tr",
      { dataset: { key: ticket.ticketCode } },
      h("td", { class: "pick", "data-label": "选择" }, box),
      h("td", { "data-label": "票号" }, h("code", {}, ticket.ticketCode)),
      h("td", { "data-label": "产品" }, ticket.productId),
      cells.status,
      h("td", { class: "money", "data-label": "票价" }, yuan(yuanOfFen(priceOfLine.get(ticket.lineNo) ?? 0))),
      cells.fee,
      cells.back,
    );
    box.addEventListener("change", update);
    return row;
  });

  /** Statuses, figures, the 全部 box and the summary, from the boxes and options as they are now. */
  function update() {
    const selectable = rows.filter((r) => r.ticket.status === "valid");
    for (const row of rows) {
      const valid = row.ticket.status === "valid";
      row.box.disabled = !valid;
      if (!valid) row.box.checked = false;
      row.cells.status.textContent = ticketStatus(row.ticket.status);
      row.tr.classList.toggle("chosen", row.box.checked);
      const { priceFen, feeFen, warning } = figures(row.ticket);
      replaceChildren(row.cells.fee, valid ? (feeFen === null ? "—" : yuan(yuanOfFen(feeFen))) : "—", warning && valid ? h("small", { class: "warning" }, warning) : null);
      row.cells.back.textContent = valid && feeFen !== null ? yuan(yuanOfFen(priceFen - feeFen)) : "—";
    }
    const chosen = selectable.filter((r) => r.box.checked);
    all.checked = chosen.length > 0 && chosen.length === selectable.length;
    all.indeterminate = chosen.length > 0 && chosen.length < selectable.length;
    all.disabled = selectable.length === 0;
    const total = totals(chosen);
    summary.classList.toggle("muted", chosen.length === 0);
    summary.replaceChildren(
      ...(chosen.length === 0
        ? ["请选择要退的门票"]
        : [
            `已选 ${chosen.length} 张：票价 ${yuan(yuanOfFen(total.priceFen))}，手续费 ${total.feeText}，退回预订金 `,
            h("strong", {}, yuan(yuanOfFen(total.backFen))),
            total.premiumFen ? `（含保险费 ${yuan(yuanOfFen(total.premiumFen))}）` : "",
            total.unknownFee ? "；部分门票的手续费未知，以实际退款为准" : "",
          ]),
    );
  }

  function totals(chosen) {
    let priceFen = 0;
    let feeFen = 0;
    let unknownFee = false;
    for (const row of chosen) {
      const f = figures(row.ticket);
      priceFen += f.priceFen;
      if (f.feeFen === null) unknownFee = true;
      else feeFen += f.feeFen;
    }
    const premium = chosen.length > 0 ? premiumFen : 0;
    const feeText = `${yuan(yuanOfFen(feeFen))}${waive.checked ? "（免收）" : ""}`;
    return { priceFen, feeFen, premiumFen: premium, backFen: priceFen - feeFen + premium, unknownFee, feeText };
  }

  all.addEventListener("change", () => {
    for (const row of rows) if (!row.box.disabled) row.box.checked = all.checked;
    update();
  });
  waive.addEventListener("change", update);
  ignore.addEventListener("change", update);

  const validCount = order.tickets.filter((t) => t.status === "valid").length;
  const form = h(
    "form",
    { class: "card form-grid refund-form", novalidate: true, "aria-label": "退票" },
    h("h3", {}, "退票"),
    h(
      "fieldset",
      { dataset: { field: "ticketcodes" } },
      h("legend", {}, "选择门票"),
      h("label", { class: "check-all" }, all, h("span", {}, `全部（${validCount} 张有效门票）`)),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "list pick-tickets" },
          h("thead", {}, h("tr", {}, ["选择", "票号", "产品", "状态", "票价", "手续费", "退回"].map((t, i) => h("th", { scope: "col", class: i >= 4 ? "money" : null }, t)))),
          h("tbody", {}, rows.map((r) => r.tr)),
        ),
      ),
      summary,
      policyNotes(order, products),
      h("span", { class: "field-error", "aria-live": "polite" }),
    ),
    field("退款原因", input("reason", { maxlength: 200, placeholder: "如 游客行程取消，已核实" }), { wide: true }),
    field("退款单号（refundid）", input("refundid", { value: suggestedRefundId(), maxlength: 50 }), {
      hint: "已预填新单号，可改为审批单号；同一客户内唯一，同一单号只退一次",
    }),
    checkField("免收手续费", waive),
    checkField("不受退票期限限制", ignore),
    unknown,
    confirmBox,
    actions(submit, dismiss),
  );

  dismiss.addEventListener("click", close);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    unknown.hidden = true;
    const chosen = rows.filter((r) => r.box.checked && !r.box.disabled);
    const reason = valueOf(form, "reason");
    const refundid = valueOf(form, "refundid");
    if (chosen.length === 0) return showError(form, { message: "请选择要退的门票", field: "ticketcodes" });
    if (!reason) return showError(form, { message: "请填写退款原因", field: "reason" });
    if (!refundid) return showError(form, { message: "请填写退款单号", field: "refundid" });
    clearMessages(form);
    const body = { refundid, ticketcodes: chosen.map((r) => r.ticket.ticketCode), reason, waiveFee: waive.checked, ignoreDeadline: ignore.checked };
    const total = totals(chosen);
    submit.disabled = true;
    const confirmed = await askConfirmation(
      confirmBox,
      [
        `确认为订单 ${order.orderId} 退票 `,
        h("strong", {}, `${chosen.length} 张`),
        `（${body.ticketcodes.join("、")}）：票价 ${yuan(yuanOfFen(total.priceFen))}，手续费 ${total.feeText}，退回客户预订金 `,
        h("strong", {}, yuan(yuanOfFen(total.backFen))),
        total.premiumFen ? `（含保险费 ${yuan(yuanOfFen(total.premiumFen))}）` : "",
        total.unknownFee ? "（部分手续费未知，以实际退款为准）" : "",
        `。退款单号 ${refundid}，原因：${reason}。`,
        body.ignoreDeadline ? "不受退票期限限制。" : "",
        "门票将立即作废，此操作不能撤销。",
      ],
      "确认退票",
    );
    submit.disabled = false;
    if (!confirmed) return;
    await send(body, submit);
  });

  retry.addEventListener("click", () => send(unknown.body, retry));

  /** Sends `body`; the answer redraws the page, a refusal stays in the form with everything typed. */
  async function send(body, button) {
    await busy(button, async () => {
      clearMessages(form);
      try {
        const done = await api.post(p`/admin/orders/${order.orderId}/refunds`, body);
        const current = await api.get(p`/admin/orders/${order.orderId}`).catch(() => null);
        show(current ?? order, {
          ok: `退票成功：退回预订金 ${yuan(done.amount)}（手续费 ${yuan(done.fee)}），${done.tickets.length} 张门票已作废；退款单号 ${done.refundId}；订单状态：${orderStatus(done.orderStatus)}${current ? "" : "（订单未能刷新，请重新打开本页）"}`,
        });
      } catch (error) {
        if (error.status === 503) return showUnknown(body, error);
        unknown.hidden = true;
        showError(form, { code: error.code, message: error.message, field: error.field ?? REFUSAL_FIELDS[error.code] ?? null });
        if (TICKETS_CHANGED.has(error.code)) await refreshTickets();
      }
    });
  }

  /** 503: the refund may or may not have happened; the same number again learns which (it never refunds twice). */
  function showUnknown(body, error) {
    unknown.body = body;
    replaceChildren(
      unknown,
      h("p", {}, h("strong", {}, "退款结果尚未确定："), describeError(error)),
      h("p", {}, `这笔退款可能已经完成，也可能没有。用同一退款单号 ${body.refundid} 重新提交可以得知结果，不会重复退款。`),
      h("div", { class: "buttons" }, retry),
    );
    unknown.hidden = false;
    retry.focus();
  }

  /** The tickets as they stand now, keeping what was typed and which boxes are ticked. */
  async function refreshTickets() {
    const current = await api.get(p`/admin/orders/${order.orderId}`).catch(() => null);
    if (!current) return;
    const statuses = new Map(current.tickets.map((t) => [t.ticketCode, t.status]));
    for (const row of rows) row.ticket = { ...row.ticket, status: statuses.get(row.ticket.ticketCode) ?? row.ticket.status };
    update();
  }

  update();
  return form;
}

/** Each product's refund policy, as the form computes with it. */
function policyNotes(order, products) {
  const notes = [...products].map(([productId, product]) => {
    const name = product ? `${productId}（${product.name}）` : productId;
    if (!product) return h("li", {}, `${name}：退票规则未能读取`);
    const { allowed, deadline, feePercent } = product.refund;
    if (!allowed) return h("li", {}, `${name}：不允许退票`);
    const until = order.kind === "yearcard" ? "年卡生效日前" : refundDeadline(deadline);
    return h("li", {}, `${name}：${until}可退，手续费 ${feePercent}%（按票价四舍五入到分）`);
  });
  return h("ul", { class: "refund-policies muted" }, notes);
}

/** The order's refunds, oldest first: when, number, tickets, money back, fee, reason, and who asked. */
export function refundHistory(order) {
  if (order.refunds.length === 0) return h("p", { class: "muted refunds-empty" }, "还没有退款");
  return simpleTable(
    ["退款时间", "退款单号", "门票", "退回金额", "手续费", "原因", "发起方"],
    order.refunds.map((r) => [
      dateTime(r.refundedAt),
      r.refundId,
      h("span", { class: "codes" }, r.tickets.map((code, i) => [i > 0 ? "、" : null, h("code", {}, code)])),
      yuan(r.amount),
      yuan(r.fee),
      r.reason ?? "—",
      refundRequester(r.requestedBy),
    ]),
    { className: "refunds", money: [3, 4] },
  );
}
