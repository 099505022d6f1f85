/**
 * The console's entry: sign-in with the admin token, the navigation, and a
 * hash router (#/customers, #/orders/…) so every page has an address and the
 * static assets need no server-side routing.
 */
import * as api from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { actions, busy, field, input, showError, valueOf } from "./forms.js";
import { customerEditPage, customersPage } from "./customers.js";
import { accountPage } from "./account.js";
import { productEditPage, productsPage } from "./products.js";
import { calendarPage } from "./calendar.js";
import { orderPage, ordersPage } from "./orders.js";
import { refundsPage } from "./refunds.js";
import { billsPage } from "./bills.js";
import { notificationsPage } from "./notifications.js";
import { checkinsPage } from "./checkins.js";
import { ticketsPage } from "./tickets.js";
import { gatesPage } from "./gates.js";
import { dashboardPage } from "./dashboard.js";

const HOME = "#/dashboard";

/** [pattern of the hash path, page, section of the navigation it belongs to] */
const ROUTES = [
  [/^\/dashboard$/, dashboardPage, "dashboard"],
  [/^\/customers$/, customersPage, "customers"],
  [/^\/customers\/new$/, customerEditPage, "customers"],
  [/^\/customers\/([^/]+)\/account$/, accountPage, "customers"],
  [/^\/customers\/([^/]+)$/, customerEditPage, "customers"],
  [/^\/products$/, productsPage, "products"],
  [/^\/products\/new$/, productEditPage, "products"],
  [/^\/products\/([^/]+)\/calendar$/, calendarPage, "products"],
  [/^\/products\/([^/]+)$/, productEditPage, "products"],
  [/^\/orders$/, ordersPage, "orders"],
  [/^\/orders\/([^/]+)$/, orderPage, "orders"],
  [/^\/refunds$/, refundsPage, "refunds"],
  [/^\/tickets$/, ticketsPage, "tickets"],
  [/^\/checkins$/, checkinsPage, "checkins"],
  [/^\/gates$/, gatesPage, "gates"],
  [/^\/bills$/, billsPage, "bills"],
  [/^\/notifications$/, notificationsPage, "notifications"],
];

const view = document.getElementById("view");
const nav = document.getElementById("nav");
const signOutButton = document.getElementById("sign-out");

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || HOME.slice(1);
  const [path, search = ""] = raw.split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

function render() {
  if (!api.token()) return renderSignIn();
  nav.hidden = false;
  signOutButton.hidden = false;
  const { path, query } = parseHash();
  for (const [pattern, page, section] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    for (const link of nav.querySelectorAll("a")) link.toggleAttribute("aria-current", link.dataset.section === section);
    const params = match.slice(1).map((part) => decodeURIComponent(part));
    const container = h("section", { class: "page" });
    replaceChildren(view, container);
    page({ container, params, query });
    return;
  }
  replaceChildren(view, h("section", { class: "page" }, h("h2", {}, "页面不存在"), h("p", {}, h("a", { href: HOME }, "返回概况"))));
}

function renderSignIn(notice) {
  nav.hidden = true;
  signOutButton.hidden = true;
  document.title = "登录 · 运营控制台";
  const token = input("token", { type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit" }, "登录");
  const form = h(
    "form",
    { class: "card sign-in", novalidate: true },
    h("h2", {}, "运营人员登录"),
    h("p", { class: "muted" }, "请输入管理令牌（ADMIN_TOKEN）。令牌只保存在本浏览器会话中，关闭浏览器后需重新登录。"),
    field("管理令牌", token),
    actions(submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = valueOf(form, "token");
    if (!value) return showError(form, { message: "请输入管理令牌", field: "token" });
    await busy(submit, async () => {
      try {
        await api.request("GET", "/admin/customers", { query: { limit: 1 }, bearer: value, signOutOn401: false });
        api.setToken(value);
        if (!location.hash || location.hash === "#") location.hash = HOME;
        render();
      } catch (error) {
        showError(form, error.status === 401 ? { ...error, message: "管理令牌错误，请核对后重试", code: error.code, field: "token" } : error);
      }
    });
  });
  replaceChildren(view, h("section", { class: "page" }, form));
  if (notice) showError(form, { message: notice });
  token.focus();
}

api.onUnauthorized(() => {
  api.clearToken();
  renderSignIn("登录已失效或管理令牌已更换，请重新登录");
});

signOutButton.addEventListener("click", () => {
  api.clearToken();
  renderSignIn();
});

window.addEventListener("hashchange", render);
render();
