/**
 * Customers (客户): the list with search by dwid or name (suspended ones
 * marked), and the form that creates or edits one — name, type, callback
 * URL, the low-balance threshold (余额提醒额度) and the agency's contact
 * mobile its SMS goes to, and new login or pay passwords (the API keeps only their sealed
 * UPPER_MD5, so they are never shown back). A customer's page shows its
 * standing (正常 / 已停用) with a confirmed toggle (SPEC §11: suspending ends
 * every session at once; the customer cannot log in or pay until reinstated).
 */
import * as api from "./api.js";
import { h, hashLink, p, replaceChildren } from "./dom.js";
import {
  actions, askConfirmation, busy, checkField, confirmationBox, describeError, field, input, select, showError, showOk, valueOf,
} from "./forms.js";
import { customerKind, dateTime } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

const CUSTOMER_KINDS = ["1", "2", "3", "4", "5", "6", "7"].map((code) => [code, `${code} - ${customerKind(code)}`]);

export function customersPage({ container, query }) {
  document.title = "客户 · 运营控制台";
  const search = h(
    "form",
    { class: "filters", role: "search", novalidate: true },
    field("客户ID或名称", input("q", { value: query.q ?? "", type: "search", placeholder: "如 DEMO001 或 旅行社" })),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "搜索")),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/customers", { q: valueOf(search, "q") });
  });

  const table = pagedTable({
    rowKey: (c) => c.dwid,
    rowClass: (c) => (c.suspended ? "suspended" : null),
    load: (cursor) => api.get("/admin/customers", { q: query.q, limit: PAGE_SIZE, cursor }),
    emptyText: query.q ? `没有与“${query.q}”匹配的客户` : "还没有客户",
    columns: [
      { title: "客户ID", cell: (c) => h("a", { href: `#${p`/customers/${c.dwid}`}` }, c.dwid) },
      { title: "名称", cell: (c) => [c.name, c.suspended ? [" ", standingBadge(true)] : null] },
      { title: "类型", cell: (c) => customerKind(c.dwlx) },
      { title: "回调地址", cell: (c) => c.callbackUrl ?? "—", className: "url" },
      { title: "更新时间", cell: (c) => dateTime(c.updatedAt) },
      {
        title: "操作",
        className: "row-actions",
        cell: (c) => [
          h("a", { href: `#${p`/customers/${c.dwid}`}` }, "编辑"),
          h("a", { href: `#${p`/customers/${c.dwid}`}/account` }, "账户与充值"),
          h("a", { href: hashLink("/orders", { customer: c.dwid }) }, "订单"),
          h("a", { href: hashLink("/bills", { customer: c.dwid }) }, "POS单据"),
        ],
      },
    ],
  });

  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "客户"), h("a", { class: "button", href: "#/customers/new" }, "新建客户")),
    search,
    table.element,
  );
}

/**
 * What the create form hands to the page it opens, in memory only: the
 * callback signing secret is shown once and must not be written anywhere.
 */
let justCreated = null;

/** #/customers/new or #/customers/{dwid}. */
export function customerEditPage({ container, params }) {
  const dwid = params[0] ?? null;
  const created = justCreated?.dwid === dwid ? justCreated : null;
  justCreated = null;
  document.title = `${dwid ? `客户 ${dwid}` : "新建客户"} · 运营控制台`;
  container.append(
    h("div", { class: "page-head" }, h("h2", {}, dwid ? `客户 ${dwid}` : "新建客户"), h("a", { href: "#/customers" }, "← 返回客户列表")),
  );
  if (!dwid) {
    container.append(customerForm(null));
    return;
  }
  const status = h("p", { class: "list-status", role: "status" }, "加载中…");
  container.append(status);
  api.get(p`/admin/customers/${dwid}`).then(
    (customer) => {
      const standing = standingPanel(customer);
      const form = customerForm(customer, standing.update);
      status.replaceWith(
        created ? h("p", { class: "notice ok", role: "status" }, `客户 ${customer.dwid}（${customer.name}）已创建。`) : "",
        h(
          "nav",
          { class: "sub-links" },
          h("a", { href: `#${p`/customers/${dwid}`}/account` }, "账户与充值 →"),
          h("a", { href: hashLink("/orders", { customer: dwid }) }, "订单 →"),
          h("a", { href: hashLink("/refunds", { customer: dwid }) }, "退款 →"),
          h("a", { href: hashLink("/bills", { customer: dwid }) }, "POS单据 →"),
        ),
        standing.element,
        form,
      );
      if (created?.callbackSecret) form.showSecret(created.callbackSecret);
    },
    (error) => {
      status.classList.add("error");
      status.textContent = error.status === 404 ? `客户 ${dwid} 不存在` : `加载失败：${describeError(error)}`;
    },
  );
}

/** 正常 or 已停用, as a badge. */
function standingBadge(suspended) {
  return h("span", { class: `badge ${suspended ? "suspended" : "active"}` }, suspended ? "已停用" : "正常");
}

/**
 * The customer's standing and the toggle that changes it, through the same
 * PUT as the form (with the name and type last saved, never the form's
 * unsaved edits). Asks first: suspending ends every session of the customer.
 */
function standingPanel(customer) {
  let current = customer;
  const badge = h("span", { class: "standing-state" });
  const explanation = h("p", { class: "muted" });
  const toggle = h("button", { type: "button" });
  const confirmBox = confirmationBox();
  const outcome = h("p", { class: "action-error", role: "alert" });
  const done = h("p", { class: "action-ok", role: "status" });
  const render = () => {
    replaceChildren(badge, standingBadge(current.suspended));
    explanation.textContent = current.suspended
      ? "已停用：客户不能登录，也不能用预订金支付；停用前的会话均已失效。恢复后客户可以重新登录。"
      : "停用后，该客户的所有会话立即失效，不能再登录和支付，直到恢复。";
    toggle.textContent = current.suspended ? "恢复客户…" : "停用客户…";
    toggle.className = current.suspended ? "secondary" : "danger";
  };
  const update = (saved) => {
    current = saved;
    render();
  };
  toggle.addEventListener("click", async () => {
    outcome.textContent = "";
    done.textContent = "";
    const suspending = !current.suspended;
    const who = `${current.name}（${current.dwid}）`;
    toggle.disabled = true;
    const confirmed = await askConfirmation(
      confirmBox,
      suspending ? `确定停用 ${who}？其所有会话立即失效，不能再登录和支付，直到恢复。` : `确定恢复 ${who}？客户可以重新登录（停用前的会话不会恢复）。`,
      suspending ? "确认停用" : "确认恢复",
    );
    toggle.disabled = false;
    if (!confirmed) return;
    await busy(toggle, async () => {
      try {
        update(await api.put(p`/admin/customers/${current.dwid}`, { dwlx: current.dwlx, name: current.name, suspended: suspending }));
        done.textContent = `${suspending ? "已停用" : "已恢复"}（${dateTime(current.updatedAt)}）`;
      } catch (error) {
        outcome.textContent = describeError(error);
      }
    });
  });
  render();
  const element = h(
    "section",
    { class: "card standing", "aria-label": "客户状态" },
    h("div", { class: "standing-line" }, h("strong", {}, "状态"), badge, toggle),
    explanation,
    confirmBox,
    outcome,
    done,
  );
  return { element, update };
}

function customerForm(customer, onSaved = () => {}) {
  const creating = customer === null;
  const submit = h("button", { type: "submit" }, creating ? "创建客户" : "保存修改");
  const dropPay = h("input", { type: "checkbox", name: "removePayPassword" });
  const secret = callbackSecretPanel(customer);
  const form = h(
    "form",
    { class: "card form-grid", novalidate: true },
    creating
      ? field("客户ID（dwid）", input("dwid", { maxlength: 36 }), { hint: "1–36位字母、数字、_ 或 -，创建后不能修改" })
      : field("客户ID（dwid）", input("dwid", { value: customer.dwid, readonly: true })),
    field("名称", input("name", { value: customer?.name ?? "", maxlength: 100 })),
    field("客户类型", select("dwlx", CUSTOMER_KINDS, customer?.dwlx ?? "1")),
    field("回调地址（callbackUrl）", input("callbackUrl", { value: customer?.callbackUrl ?? "", type: "url", placeholder: "https://…" }), {
      hint: "订单或单据支付后通知该地址；留空表示不通知",
      wide: true,
    }),
    secret.element,
    field("余额提醒额度（元）", input("lowBalanceAlert", { value: customer?.lowBalanceAlert ?? "", inputmode: "decimal", placeholder: "如 1000" }), {
      hint: "可用余额在扣款后低于此额度时，回调通知客户并短信提醒联系手机一次；充值或退款使余额回到额度以上后会再次提醒。留空表示不提醒",
    }),
    field("联系手机（余额提醒短信）", input("contactMobile", { value: customer?.contactMobile ?? "", inputmode: "numeric", maxlength: 11 }), {
      hint: "客户自己的11位手机号码；留空表示不发短信",
    }),
    h(
      "fieldset",
      { class: "wide" },
      h("legend", {}, creating ? "密码" : "重置密码"),
      h(
        "p",
        { class: "muted" },
        creating ? "登录密码必填；支付密码可稍后设置。" : "留空表示不修改。改为新密码后，该客户的所有会话立即失效，需要重新登录。系统只保存密码的加密摘要，无法查看原密码。",
      ),
      h(
        "div",
        { class: "form-grid" },
        field(creating ? "登录密码" : "新登录密码", input("loginPassword", { type: "password", autocomplete: "new-password" })),
        field(creating ? "支付密码" : "新支付密码", input("payPassword", { type: "password", autocomplete: "new-password" })),
        creating ? null : checkField("删除支付密码（客户将无法用预订金支付）", dropPay),
      ),
    ),
    actions(submit),
  );
  form.showSecret = secret.show;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const dwid = valueOf(form, "dwid");
    if (!dwid) return showError(form, { message: "请填写客户ID", field: "dwid" });
    const body = {
      dwlx: valueOf(form, "dwlx"),
      name: valueOf(form, "name"),
      callbackUrl: valueOf(form, "callbackUrl") || null,
      lowBalanceAlert: valueOf(form, "lowBalanceAlert") || null,
      contactMobile: valueOf(form, "contactMobile") || null,
    };
    const login = form.elements.namedItem("loginPassword").value;
    const pay = form.elements.namedItem("payPassword").value;
    if (login) body.loginPassword = login;
    if (dropPay.checked) body.payPassword = null;
    else if (pay) body.payPassword = pay;
    await busy(submit, async () => {
      try {
        const saved = await api.put(p`/admin/customers/${dwid}`, body);
        const changed = [login ? "登录密码" : null, "payPassword" in body ? "支付密码" : null].filter(Boolean);
        form.elements.namedItem("loginPassword").value = "";
        form.elements.namedItem("payPassword").value = "";
        dropPay.checked = false;
        if (creating) {
          justCreated = { dwid: saved.dwid, callbackSecret: saved.callbackSecret ?? null };
          location.hash = `#${p`/customers/${saved.dwid}`}`;
          return;
        }
        onSaved(saved);
        showOk(form, `已保存（${dateTime(saved.updatedAt)}）${changed.length ? `，已更新${changed.join("和")}` : ""}`);
        if (saved.callbackSecret) secret.show(saved.callbackSecret);
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}

/**
 * The callback signing secret: the API shows it once, when a callback URL is
 * first set or when an operator generates a new one (the old one stops
 * signing at once, so this asks first).
 */
function callbackSecretPanel(customer) {
  const shown = h("div", { class: "secret", role: "status", hidden: true });
  const confirmBox = confirmationBox();
  const outcome = h("p", { class: "action-error", role: "alert" });
  const rotate = h("button", { type: "button", class: "secondary" }, "重新生成回调签名密钥…");
  const show = (value) => {
    replaceChildren(
      shown,
      h("p", {}, h("strong", {}, "回调签名密钥（只显示这一次，请立即复制并安全地交给客户）：")),
      h("code", { class: "secret-value" }, value),
    );
    shown.hidden = false;
  };
  rotate.addEventListener("click", async () => {
    outcome.textContent = "";
    rotate.disabled = true;
    const confirmed = await askConfirmation(confirmBox, "生成新密钥后，旧密钥立即失效，客户必须改用新密钥验证回调签名。确定重新生成？", "确认重新生成");
    rotate.disabled = false;
    if (!confirmed) return;
    await busy(rotate, async () => {
      try {
        show((await api.post(p`/admin/customers/${customer.dwid}/callback-secret`)).callbackSecret);
      } catch (error) {
        outcome.textContent = describeError(error);
      }
    });
  });
  const element = h(
    "div",
    { class: "wide secret-panel" },
    shown,
    customer?.callbackUrl ? [h("div", { class: "buttons" }, rotate), confirmBox, outcome] : null,
  );
  return { element, show };
}
