/**
 * Products (产品): tickets, annual cards and retail goods with their price,
 * real-name flag, purchase limits, insurance configuration and refund policy
 * (SPEC §10: allowed, deadline, fee %). A PUT replaces the whole product, so
 * the form always sends every field.
 */
import * as api from "./api.js";
import { h, hashLink, p } from "./dom.js";
import { actions, busy, checkField, field, input, integerOrText, select, showError, showOk, valueOf } from "./forms.js";
import { dateTime, insuranceMode, productKind, refundDeadline, yuan } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

const KINDS = [["ticket", "门票"], ["yearcard", "年卡"], ["retail", "零售"]];

export function productsPage({ container, query }) {
  document.title = "产品与库存 · 运营控制台";
  const filters = h(
    "form",
    { class: "filters", novalidate: true },
    field("类型", select("kind", [["", "全部"], ...KINDS], query.kind ?? "")),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "筛选")),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashLink("/products", { kind: valueOf(filters, "kind") });
  });

  const table = pagedTable({
    rowKey: (product) => product.productId,
    load: (cursor) => api.get("/admin/products", { kind: query.kind, limit: PAGE_SIZE, cursor }),
    emptyText: "还没有产品",
    columns: [
      { title: "产品ID", cell: (x) => h("a", { href: `#${p`/products/${x.productId}`}` }, x.productId) },
      { title: "名称", cell: (x) => x.name },
      { title: "类型", cell: (x) => productKind(x.kind) },
      { title: "价格", className: "money", cell: (x) => yuan(x.price) },
      { title: "实名制", cell: (x) => (x.realName ? "是" : "否") },
      { title: "限购", cell: limitsText },
      { title: "保险", cell: (x) => (x.insurance ? `${insuranceMode(x.insurance.mode)} ${yuan(x.insurance.price)}` : "—") },
      { title: "退票", cell: refundText },
      { title: "状态", cell: (x) => (x.onSale ? "在售" : "停售") },
      {
        title: "操作",
        className: "row-actions",
        cell: (x) => [
          h("a", { href: `#${p`/products/${x.productId}`}` }, "编辑"),
          x.kind === "retail" ? null : h("a", { href: `#${p`/products/${x.productId}`}/calendar` }, "库存日历"),
        ],
      },
    ],
  });

  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "产品与库存"), h("a", { class: "button", href: "#/products/new" }, "新建产品")),
    filters,
    table.element,
  );
}

function limitsText(x) {
  const parts = [
    x.maxPerOrder ? `每单≤${x.maxPerOrder}` : null,
    x.limitPerIdPerDay ? `每证件每日≤${x.limitPerIdPerDay}` : null,
    x.limitPerMobilePerDay ? `每手机每日≤${x.limitPerMobilePerDay}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join("，") : "—";
}

function refundText(x) {
  if (x.kind === "retail" || !x.refund) return "—";
  if (!x.refund.allowed) return "不可退";
  return x.refund.feePercent ? `可退，手续费${x.refund.feePercent}%` : "可退，免手续费";
}

/** The product the create form just made, for the page it opens (in memory, like customers.js). */
let justCreated = null;

/** #/products/new or #/products/{productid}. */
export function productEditPage({ container, params }) {
  const productId = params[0] ?? null;
  const created = justCreated === productId;
  justCreated = null;
  document.title = `${productId ? `产品 ${productId}` : "新建产品"} · 运营控制台`;
  container.append(h("div", { class: "page-head" }, h("h2", {}, productId ? `产品 ${productId}` : "新建产品"), h("a", { href: "#/products" }, "← 返回产品列表")));
  if (!productId) {
    container.append(productForm(null));
    return;
  }
  const status = h("p", { class: "list-status", role: "status" }, "加载中…");
  container.append(status);
  api.get(p`/admin/products/${productId}`).then(
    (product) => {
      status.replaceWith(
        created ? h("p", { class: "notice ok", role: "status" }, `产品 ${product.productId}（${product.name}）已创建。`) : "",
        product.kind === "retail" ? "" : h("nav", { class: "sub-links" }, h("a", { href: `#${p`/products/${productId}`}/calendar` }, "库存日历 →")),
        productForm(product),
      );
    },
    (error) => {
      status.classList.add("error");
      status.textContent = error.status === 404 ? `产品 ${productId} 不存在` : `加载失败：${error.message}`;
    },
  );
}

function productForm(product) {
  const creating = product === null;
  const submit = h("button", { type: "submit" }, creating ? "创建产品" : "保存修改");
  const insurance = insuranceFieldset(product?.insurance ?? null);
  const refund = refundFieldset(product?.refund ?? null);
  const form = h(
    "form",
    { class: "card form-grid", novalidate: true },
    creating
      ? field("产品ID", input("productId", { maxlength: 36 }), { hint: "1–36位字母、数字、_ 或 -，创建后不能修改" })
      : field("产品ID", input("productId", { value: product.productId, readonly: true })),
    field("名称", input("name", { value: product?.name ?? "", maxlength: 100 })),
    field("类型", select("kind", KINDS, product?.kind ?? "ticket")),
    field("价格（元）", input("price", { value: product ? String(product.price) : "", inputmode: "decimal" }), { hint: "日历中未单独定价的日期按此价格" }),
    field("每单限购（张）", input("maxPerOrder", { value: product?.maxPerOrder ?? "", inputmode: "numeric" }), { hint: "留空表示不限" }),
    field("每证件每日限购", input("limitPerIdPerDay", { value: product?.limitPerIdPerDay ?? "", inputmode: "numeric" }), { hint: "留空表示不限" }),
    field("每手机每日限购", input("limitPerMobilePerDay", { value: product?.limitPerMobilePerDay ?? "", inputmode: "numeric" }), { hint: "留空表示不限" }),
    checkField("实名制（一人一票，需填写游客证件）", h("input", { type: "checkbox", name: "realName", checked: product?.realName ?? false })),
    checkField("在售", h("input", { type: "checkbox", name: "onSale", checked: product?.onSale ?? true })),
    refund.element,
    insurance.element,
    actions(submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const productId = valueOf(form, "productId");
    if (!productId) return showError(form, { message: "请填写产品ID", field: "productId" });
    const body = {
      name: valueOf(form, "name"),
      kind: valueOf(form, "kind"),
      price: valueOf(form, "price"),
      realName: form.elements.namedItem("realName").checked,
      onSale: form.elements.namedItem("onSale").checked,
      maxPerOrder: integerOrText(valueOf(form, "maxPerOrder")),
      limitPerIdPerDay: integerOrText(valueOf(form, "limitPerIdPerDay")),
      limitPerMobilePerDay: integerOrText(valueOf(form, "limitPerMobilePerDay")),
      insurance: insurance.read(form),
      refund: refund.read(form),
    };
    await busy(submit, async () => {
      try {
        const saved = await api.put(p`/admin/products/${productId}`, body);
        if (creating) {
          justCreated = saved.productId;
          location.hash = `#${p`/products/${saved.productId}`}`;
          return;
        }
        showOk(form, `已保存（${dateTime(saved.updatedAt)}）`);
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}

/** SPEC §10's default when a product has none: refundable until the visit day ends, no fee. */
const DEFAULT_REFUND = { allowed: true, deadline: "visit_day_end", feePercent: 0 };

/**
 * The refund policy (退票规则): {allowed, deadline, feePercent}; the fee is per
 * ticket, a percentage of its price. The deadline and fee stay editable (and
 * are kept) while refunds are not allowed.
 */
function refundFieldset(current) {
  const policy = current ?? DEFAULT_REFUND;
  const allowed = h("input", { type: "checkbox", name: "refund.allowed", checked: policy.allowed });
  const deadline = field("退票期限", select("refund.deadline", [["visit_day_end", refundDeadline("visit_day_end")], ["before_visit_day", refundDeadline("before_visit_day")]], policy.deadline), {
    hint: "按上海时间的日期；年卡只能在生效日前退",
  });
  const fee = field("手续费（%）", input("refund.feePercent", { value: String(policy.feePercent), inputmode: "numeric" }), {
    hint: "0–100 的整数：每张门票按票价的百分比收取，四舍五入到分；0 表示不收",
  });
  const element = h(
    "fieldset",
    { class: "wide", dataset: { field: "refund" } },
    h("legend", {}, "退票规则"),
    h("div", { class: "form-grid" }, checkField("允许退票", allowed), deadline, fee),
    h("span", { class: "field-error" }),
  );
  const read = (form) => ({
    allowed: allowed.checked,
    deadline: valueOf(form, "refund.deadline"),
    feePercent: integerOrText(valueOf(form, "refund.feePercent")),
  });
  return { element, read };
}

/** The insurance configuration (annual cards): absent, or {mode, price, count, plan…, holder?}. */
function insuranceFieldset(current) {
  const holder = current?.holder ?? null;
  const mode = select("insurance.mode", [["", "未配置"], ["forced", "强制投保"], ["optional", "自愿投保"], ["none", "不提供"]], current?.mode ?? "");
  const withHolder = h("input", { type: "checkbox", name: "insurance.withHolder", checked: holder !== null });
  const details = h(
    "div",
    { class: "form-grid" },
    field("保险单价（元）", input("insurance.price", { value: current ? String(current.price) : "", inputmode: "decimal" })),
    field("份数", input("insurance.count", { value: current?.count ?? 1, inputmode: "numeric" })),
    field("险种代码", input("insurance.planCode", { value: current?.planCode ?? "", maxlength: 30 })),
    field("险种名称", input("insurance.planName", { value: current?.planName ?? "", maxlength: 30 })),
    field("目的地", input("insurance.destZone", { value: current?.destZone ?? "", maxlength: 50 })),
    field("保障天数", input("insurance.timeRange", { value: current?.timeRange ?? "", inputmode: "numeric" })),
    checkField("填写投保人（企业）", withHolder),
  );
  const holderFields = h(
    "div",
    { class: "form-grid", dataset: { field: "insurance.holder" } },
    field("投保类型", select("insurance.holder.type", [["2", "2 - 企业"], ["1", "1 - 个人"]], holder?.type ?? "2")),
    field("企业名称", input("insurance.holder.companyName", { value: holder?.companyName ?? "", maxlength: 60 })),
    field("企业代码", input("insurance.holder.companyCode", { value: holder?.companyCode ?? "", maxlength: 20 })),
    field("联系地址", input("insurance.holder.address", { value: holder?.address ?? "", maxlength: 60 })),
    field("联系人", input("insurance.holder.contactName", { value: holder?.contactName ?? "", maxlength: 40 })),
    field("联系电话", input("insurance.holder.contactPhone", { value: holder?.contactPhone ?? "", maxlength: 20 })),
    field("Email", input("insurance.holder.email", { value: holder?.email ?? "", maxlength: 60 })),
    h("span", { class: "field-error" }),
  );
  const sync = () => {
    details.hidden = mode.value === "";
    holderFields.hidden = mode.value === "" || !withHolder.checked;
  };
  mode.addEventListener("change", sync);
  withHolder.addEventListener("change", sync);
  sync();

  const element = h(
    "fieldset",
    { class: "wide", dataset: { field: "insurance" } },
    h("legend", {}, "保险配置（年卡）"),
    field("投保方式", mode),
    details,
    holderFields,
    h("span", { class: "field-error" }),
  );

  const read = (form) => {
    const text = (name) => valueOf(form, `insurance.${name}`);
    if (mode.value === "") return null;
    return {
      mode: mode.value,
      price: text("price"),
      count: integerOrText(text("count")),
      planCode: text("planCode"),
      planName: text("planName"),
      destZone: text("destZone") || null,
      timeRange: integerOrText(text("timeRange")),
      holder: withHolder.checked
        ? Object.fromEntries(["type", "companyName", "companyCode", "address", "contactName", "contactPhone", "email"].map((k) => [k, text(`holder.${k}`)]))
        : null,
    };
  };
  return { element, read };
}
