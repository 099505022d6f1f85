/**
 * 闸机 (gates): the registered gate devices, registering one or changing its
 * name and products (PUT /admin/gates/{id}), and a new token for one (POST
 * …/token; the old one stops at once, so this asks first). A token is shown
 * once — when a gate is registered or its token replaced — with a copy
 * button: it is pasted into the gate screen (/gate) on the device.
 */
import * as api from "./api.js";
import { h, p, replaceChildren } from "./dom.js";
import { actions, askConfirmation, busy, confirmationBox, describeError, field, input, showError, showOk, valueOf } from "./forms.js";
import { dateTime } from "./format.js";
import { PAGE_SIZE, pagedTable } from "./list.js";

export function gatesPage({ container }) {
  document.title = "闸机 · 运营控制台";
  const tokenPanel = h("div", { class: "secret-panel", "aria-live": "polite" });
  const form = gateForm((gate, token) => {
    if (token) showToken(tokenPanel, gate, token, "已登记");
    table.reload();
  });
  const rowOutcome = h("p", { class: "action-error", role: "alert" });
  const table = pagedTable({
    rowKey: (g) => g.gateId,
    load: (cursor) => api.get("/admin/gates", { limit: PAGE_SIZE, cursor }),
    emptyText: "还没有登记闸机",
    columns: [
      { title: "闸机ID", cell: (g) => h("code", {}, g.gateId) },
      { title: "名称", cell: (g) => g.name },
      { title: "接待产品", cell: (g) => (g.products === null ? "全部产品" : g.products.join("、") || "（无）") },
      { title: "令牌发放时间", cell: (g) => dateTime(g.tokenSetAt) },
      { title: "登记时间", cell: (g) => dateTime(g.createdAt) },
      {
        title: "操作",
        className: "row-actions",
        cell: (g) => [
          h("button", { type: "button", class: "secondary", on: { click: () => form.edit(g) } }, "修改"),
          " ",
          rotateButton(g, tokenPanel, rowOutcome, () => table.reload()),
        ],
      },
    ],
  });
  container.append(
    h("div", { class: "page-head" }, h("h2", {}, "闸机")),
    h("p", { class: "muted" }, "每台闸机（入口的平板或手机）用自己的令牌登录验票页 /gate；令牌只在登记或更换时显示一次。"),
    tokenPanel,
    rowOutcome,
    table.element,
    h("h3", {}, "登记或修改闸机"),
    form,
  );
}

/** The register / edit form; `onSaved(gate, token?)` after a save (a token only for a new gate). */
function gateForm(onSaved) {
  const submit = h("button", { type: "submit" }, "保存");
  const form = h(
    "form",
    { class: "card form-grid gate-form", novalidate: true },
    field("闸机ID", input("gateid", { placeholder: "如 EAST-1" }), { hint: "字母、数字、_ 或 -，最多36位；已登记的ID则修改该闸机" }),
    field("名称", input("name", { placeholder: "如 东门1号闸机" })),
    field("接待产品", input("products", { placeholder: "留空则接待全部产品" }), { hint: "产品ID，用逗号分隔", wide: true }),
    actions(submit),
  );
  form.edit = (gate) => {
    form.elements.namedItem("gateid").value = gate.gateId;
    form.elements.namedItem("name").value = gate.name;
    form.elements.namedItem("products").value = gate.products === null ? "" : gate.products.join(",");
    form.elements.namedItem("name").focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const gateId = valueOf(form, "gateid");
    if (!gateId) return showError(form, { message: "请填写闸机ID", field: "gateid" });
    const products = valueOf(form, "products");
    const body = { name: valueOf(form, "name"), products: products ? products.split(/[,，\s]+/).filter(Boolean) : null };
    await busy(submit, async () => {
      try {
        const saved = await api.put(p`/admin/gates/${gateId}`, body);
        showOk(form, saved.token ? `闸机 ${gateId} 已登记，令牌见上方（只显示一次）` : `闸机 ${gateId} 已修改（令牌不变）`);
        onSaved(saved, saved.token ?? null);
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}

function rotateButton(gate, tokenPanel, outcome, reload) {
  const button = h("button", { type: "button", class: "secondary" }, "更换令牌…");
  const box = confirmationBox();
  button.addEventListener("click", async () => {
    outcome.textContent = "";
    button.disabled = true;
    const confirmed = await askConfirmation(box, `更换后 ${gate.name}（${gate.gateId}）的旧令牌立即失效，该闸机须用新令牌重新登录。确定更换？`, "确认更换");
    button.disabled = false;
    if (!confirmed) return;
    await busy(button, async () => {
      try {
        const rotated = await api.post(p`/admin/gates/${gate.gateId}/token`);
        showToken(tokenPanel, rotated, rotated.token, "已更换令牌");
        reload();
      } catch (error) {
        outcome.textContent = describeError(error);
      }
    });
  });
  return h("span", { class: "rotate" }, button, box);
}

/** The token, once, with a copy button (the clipboard API, or selecting the text where it is unavailable). */
function showToken(panel, gate, token, what) {
  const value = h("code", { class: "secret-value", id: "gate-token-value" }, token);
  const copied = h("span", { class: "copy-outcome", role: "status" });
  const copy = h("button", { type: "button", class: "secondary" }, "复制令牌");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(token);
      copied.textContent = "已复制";
    } catch {
      getSelection().selectAllChildren(value);
      copied.textContent = document.execCommand?.("copy") ? "已复制" : "请手动复制已选中的令牌";
    }
  });
  replaceChildren(
    panel,
    h(
      "div",
      { class: "secret gate-token", dataset: { gate: gate.gateId } },
      h("p", {}, h("strong", {}, `${gate.name}（${gate.gateId}）${what}。闸机令牌只显示这一次：请复制，在闸机上打开 ${location.origin}/gate 粘贴登录。`)),
      value,
      h("div", { class: "buttons" }, copy, copied),
    ),
  );
  panel.scrollIntoView({ block: "nearest" });
}
