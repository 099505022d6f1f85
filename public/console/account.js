/**
 * A customer's deposit account (预订金): balance, held and available; the
 * deposit form (idempotent on its reference, so a repeated click cannot pay
 * twice; asks for confirmation and shows the resulting balance); the ledger,
 * newest first with the running balance after each entry, paged on the
 * server: deposits, debits for orders and bills, and refund credits (退款,
 * linked to their order; their reference is the refund's internal id).
 */
import * as api from "./api.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import { actions, askConfirmation, busy, clearMessages, confirmationBox, describeError, field, input, showError, showOk, valueOf } from "./forms.js";
import { dateTime, ledgerKind, signedYuan, suggestedNumber, yuan } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

export function accountPage({ container, params }) {
  const dwid = params[0];
  document.title = `账户 ${dwid} · 运营控制台`;
  const title = h("h2", {}, `账户与充值 · ${dwid}`);
  const summary = h("div", { class: "balances", "aria-live": "polite" }, h("p", { class: "list-status" }, "加载中…"));
  container.append(
    h("div", { class: "page-head" }, title, h("a", { href: `#${p`/customers/${dwid}`}` }, "← 客户资料")),
    summary,
  );

  let customer = { dwid, name: "" };
  const showAccount = (account) =>
    replaceChildren(
      summary,
      balance("余额", account.balance, "balance"),
      balance("冻结（未完成支付）", account.held, "held"),
      balance("可用", account.available, "available"),
    );

  const ledger = pagedTable({
    rowKey: (e) => String(e.seq),
    load: (cursor) => api.get(p`/admin/customers/${dwid}/ledger`, { limit: PAGE_SIZE, cursor }),
    emptyText: "还没有流水",
    columns: [
      { title: "时间", cell: (e) => dateTime(e.createdAt) },
      { title: "类型", cell: (e) => ledgerKind(e.kind) },
      { title: "金额", className: "money", cell: (e) => signedYuan(e.amount, e.kind === "debit") },
      { title: "变动后余额", className: "money", cell: (e) => yuan(e.balanceAfter) },
      { title: "流水号", cell: (e) => e.reference },
      { title: "关联单据", cell: (e) => targetLink(e.target, dwid) },
    ],
  });

  const refreshAccount = () =>
    api.get(p`/admin/customers/${dwid}/account`).then(showAccount, (error) => {
      replaceChildren(summary, h("p", { class: "list-status error" }, error.status === 404 ? `客户 ${dwid} 不存在` : `加载失败：${describeError(error)}`));
    });

  container.append(
    depositForm(() => customer, (result) => {
      showAccount(result.account);
      ledger.reload();
    }),
    h("h3", {}, "流水（最新在前）"),
    ledger.element,
  );

  refreshAccount();
  api.get(p`/admin/customers/${dwid}`).then(
    (found) => {
      customer = found;
      title.textContent = `账户与充值 · ${found.name}（${found.dwid}）`;
    },
    () => {},
  );
}

function balance(label, amount, key) {
  return h("div", { class: "balance", dataset: { key } }, h("span", { class: "label" }, label), h("strong", {}, yuan(amount)));
}

/** A ledger entry's target ("order:{orderid}" or "bill:{billnum}"): a link to the order or to the customer's bills. */
function targetLink(target, dwid) {
  const [kind, id] = String(target ?? "").split(/:(.*)/s);
  if (kind === "order" && id) return h("a", { href: `#${p`/orders/${id}`}` }, `订单 ${id}`);
  if (kind === "bill" && id) return h("a", { href: hashLink("/bills", { customer: dwid }) }, `POS单据 ${id}`);
  return target || "—";
}

/** A reference an operator may keep or replace with the bank's: DEP + Shanghai time + 4 random characters. */
const suggestedReference = () => suggestedNumber("DEP");

function depositForm(currentCustomer, onDeposited) {
  const submit = h("button", { type: "submit" }, "充值…");
  const confirmBox = confirmationBox();
  const form = h(
    "form",
    { class: "card form-grid deposit", novalidate: true },
    h("h3", { class: "wide" }, "充值"),
    field("金额（元）", input("amount", { inputmode: "decimal", placeholder: "如 5000 或 199.50" })),
    field("流水号（reference）", input("reference", { value: suggestedReference(), maxlength: 64 }), {
      hint: "银行或财务流水号；同一流水号只入账一次",
    }),
    confirmBox,
    actions(submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const amount = valueOf(form, "amount");
    const reference = valueOf(form, "reference");
    if (!amount) return showError(form, { message: "请填写充值金额", field: "amount" });
    if (!reference) return showError(form, { message: "请填写流水号", field: "reference" });
    clearMessages(form);
    const customer = currentCustomer();
    const who = customer.name ? `${customer.name}（${customer.dwid}）` : customer.dwid;
    submit.disabled = true;
    const confirmed = await askConfirmation(confirmBox, [`确认向 ${who} 充值 `, h("strong", {}, yuan(amount)), `，流水号 ${reference}？`], "确认充值");
    submit.disabled = false;
    if (!confirmed) return;
    await busy(submit, async () => {
      try {
        const result = await api.post(p`/admin/customers/${customer.dwid}/deposits`, { amount, reference });
        showOk(
          form,
          result.duplicate
            ? `流水号 ${reference} 已入账过，本次没有重复入账。当前余额 ${yuan(result.account.balance)}（可用 ${yuan(result.account.available)}）`
            : `充值成功：${yuan(result.entry.amount)}。充值后余额 ${yuan(result.account.balance)}（可用 ${yuan(result.account.available)}）`,
        );
        form.elements.namedItem("amount").value = "";
        form.elements.namedItem("reference").value = suggestedReference();
        onDeposited(result);
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}
