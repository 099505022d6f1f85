/**
 * The operators' console (issue 11) in a real browser: Debian's chromium
 * driven by playwright-core against `wrangler dev` serving the Worker and its
 * static assets. Each test does what an operator does and checks what the
 * page then shows — amounts, balances, ledger rows, stock, tickets, errors
 * next to their fields — and, where it matters, what the API then holds.
 *
 * The browser runs in America/Los_Angeles: the dates the page shows must
 * still be Shanghai's.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  expectText, launchChromium, newPage, pageErrors, screenshot, shownShanghaiTime, shownYuan, signIn, tableRows, textOf, TABLET,
} from "./browser";
import { Api, shanghaiDay, uniqueId, upperMd5 } from "./partner";
import { freePort, startServer, type TestServer } from "./server";

let server: TestServer;
let browser: Browser;
let api: Api;
const pages: Page[] = [];

beforeAll(async () => {
  // Notification retries without waiting, so an undeliverable callback reaches 'failed' in seconds.
  [server, browser] = await Promise.all([startServer({ vars: { NOTIFY_RETRY_BASE_SECONDS: "0" } }), launchChromium()]);
  api = new Api(server.baseUrl, server.adminToken);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const page of pages.splice(0)) {
    expect(pageErrors(page), "script errors in the page").toEqual([]);
    await page.context().close();
  }
});

async function openConsole(hash = "#/customers", viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(browser, server.baseUrl, viewport);
  pages.push(page);
  await signIn(page, server.adminToken, hash);
  return page;
}

const main = (page: Page) => page.locator("#view");
/** The error slot of the field labelled `label`. */
const fieldError = (page: Page, label: string) => page.locator("label.field", { hasText: label }).locator(".field-error");

describe("serving", () => {
  it("serves the console at /console from the assets, and every API path still reaches the Worker", async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${server.baseUrl}${path}`, { redirect: "manual", ...init });
    const json = async (response: Response): Promise<any> => response.json();

    const consolePage = await get("/console");
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers.get("content-type")).toMatch(/text\/html/);
    expect(await consolePage.text()).toContain("运营控制台");
    const slash = await get("/console/");
    expect([slash.status, slash.headers.get("location")]).toEqual([307, "/console"]);
    const script = await get("/console/app.js");
    expect(script.headers.get("content-type")).toMatch(/javascript/);

    // The legacy paths match case-insensitively; an asset miss falls through to the Worker.
    const login = await get("/API/WebInterface/Session/Login", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect((await json(login)).errcode).toBe(1101);
    const legacyPay = await get("/Source/UseAccountToPayByPwd.aspx?orderid=1&paypassword=x");
    expect((await json(legacyPay)).resultcode).toBe(2001);
    expect(await (await get("/health")).json()).toEqual({ ok: true });
    expect((await get("/admin/customers")).status).toBe(401);
    for (const path of ["/Help", "/help", "/openapi.json", "/docs"]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).not.toContain("运营控制台");
    }
    const unknown = await get("/no-such-page");
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, 1003]);
  });
});

describe("signing in", () => {
  it("refuses a wrong token next to the field, keeps the right one for the browser session only, and signs out", async () => {
    const { page, context } = await newPage(browser, server.baseUrl);
    pages.push(page);
    await page.goto("/console");
    await screenshot(page, "sign-in");
    await page.getByLabel("管理令牌").fill("not-the-token");
    await page.getByRole("button", { name: "登录" }).click();
    await expectText(fieldError(page, "管理令牌"), "管理令牌错误，请核对后重试（错误码 6001）");
    expect(await page.locator("#nav").isVisible()).toBe(false);
    expect(await page.getByLabel("管理令牌").inputValue()).toBe("not-the-token");

    await page.getByLabel("管理令牌").fill(server.adminToken);
    await page.getByRole("button", { name: "登录" }).click();
    await expectText(main(page).locator("h2"), "运营概况");
    expect(await page.evaluate("sessionStorage.getItem('eticket.console.adminToken')")).toBe(server.adminToken);
    expect(await page.evaluate("localStorage.length")).toBe(0);

    await page.reload();
    await expectText(main(page).locator("h2"), "运营概况");
    const other = await context.newPage();
    await other.goto("/console");
    await other.getByLabel("管理令牌").waitFor();
    await other.close();

    // A token that stops working (changed on the server) sends the operator back to sign in, saying why.
    await page.evaluate("sessionStorage.setItem('eticket.console.adminToken', 'a-stale-token')");
    await page.goto("/console#/orders");
    await expectText(page.locator(".sign-in .form-error"), "登录已失效或管理令牌已更换，请重新登录");
    await signIn(page, server.adminToken, "#/orders");
    await expectText(main(page).locator("h2"), "订单");

    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByLabel("管理令牌").waitFor();
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
  });
});

describe("customers", () => {
  it("creates a customer, shows the API's refusal next to its field without losing the form, finds it by name, and resets its passwords", async () => {
    const page = await openConsole("#/customers/new");
    const dwid = uniqueId("NEW");
    const name = `湘江旅行社${dwid.slice(-4)}`;
    await page.getByLabel("客户ID（dwid）").fill(dwid);
    await page.getByLabel("名称").fill(name);
    await page.getByLabel("客户类型").selectOption("2");
    await page.getByLabel("回调地址（callbackUrl）").fill("ftp://partner.example/callback");
    await page.getByLabel("登录密码").fill("first-login");
    await page.getByRole("button", { name: "创建客户" }).click();
    await expectText(fieldError(page, "回调地址"), /callbackUrl .*（错误码 6006）/);
    expect(await page.getByLabel("名称").inputValue()).toBe(name);
    expect(await page.getByLabel("登录密码").inputValue()).toBe("first-login");

    await page.getByLabel("回调地址（callbackUrl）").fill("https://partner.example/callback");
    await page.getByLabel("登录密码").fill("");
    await page.getByRole("button", { name: "创建客户" }).click();
    await expectText(fieldError(page, "登录密码"), "新客户必须设置登录密码（错误码 6004）");

    await page.getByLabel("登录密码").fill("first-login");
    await page.getByLabel("支付密码").fill("112233");
    await page.getByRole("button", { name: "创建客户" }).click();
    await expectText(main(page), `客户 ${dwid}（${name}）已创建。`);
    // The callback signing secret is shown once, on the page the create form opens.
    await expectText(main(page).locator(".secret"), /只显示这一次/);
    expect((await textOf(main(page).locator(".secret-value"))).length).toBeGreaterThan(20);
    expect(await api.partner("api/WebInterface/Session/Login", { dwid, dwlx: "2", password: upperMd5("first-login") })).toMatchObject({ errcode: 0 });

    await page.getByRole("link", { name: "客户", exact: true }).click();
    await page.getByLabel("客户ID或名称").fill(name.slice(0, 4));
    await page.getByRole("button", { name: "搜索" }).click();
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.find((r) => r[0] === dwid))).toEqual([
      dwid, name, "组团社", "https://partner.example/callback", expect.any(String), expect.stringContaining("账户与充值"),
    ]);
    await screenshot(page, "customers");

    await main(page).getByRole("link", { name: dwid }).click();
    await page.getByLabel("新登录密码").fill("second-login");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已更新登录密码");
    expect(await page.getByLabel("新登录密码").inputValue()).toBe("");
    expect(await api.partner("api/WebInterface/Session/Login", { dwid, dwlx: "2", password: upperMd5("first-login") })).toMatchObject({ errcode: 2003 });
    expect(await api.partner("api/WebInterface/Session/Login", { dwid, dwlx: "2", password: upperMd5("second-login") })).toMatchObject({ errcode: 0 });

    // The low-balance threshold and the agency's own mobile its SMS goes to (SPEC §12).
    await page.getByLabel("余额提醒额度（元）").fill("1000");
    await page.getByLabel("联系手机（余额提醒短信）").fill("1391234567");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(fieldError(page, "联系手机（余额提醒短信）"), /contactMobile 必须是11位手机号码（错误码 6006）/);
    await page.getByLabel("联系手机（余额提醒短信）").fill("13912345678");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), /已保存/);
    expect(await api.admin("GET", `/admin/customers/${dwid}`)).toMatchObject({ lowBalanceAlert: 1000, contactMobile: "13912345678" });
    await page.reload();
    expect(await page.getByLabel("余额提醒额度（元）").inputValue()).toBe("1000");
    expect(await page.getByLabel("联系手机（余额提醒短信）").inputValue()).toBe("13912345678");
    await screenshot(page, "customer-edit");
  });
});

describe("suspending a customer", () => {
  it("shows the standing, suspends after confirmation (sessions end, login refused), marks the customer in the list, and reinstates it", async () => {
    const customer = await api.aCustomer({ depositYuan: 50 });
    const before = await api.login(customer);
    const page = await openConsole(`#/customers/${customer.dwid}`);
    const standing = main(page).locator(".standing");
    await expectText(standing.locator(".standing-state"), "正常");

    // Cancelled: nothing changes.
    await page.getByRole("button", { name: "停用客户…" }).click();
    await expectText(standing.locator(".confirm"), `确定停用 ${customer.name}（${customer.dwid}）？其所有会话立即失效，不能再登录和支付，直到恢复。`);
    await page.getByRole("button", { name: "取消" }).click();
    expect(await standing.locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}`)).suspended).toBe(false);

    await page.getByRole("button", { name: "停用客户…" }).click();
    await page.getByRole("button", { name: "确认停用" }).click();
    await expectText(standing.locator(".standing-state"), "已停用");
    await expectText(standing.locator(".action-ok"), /^已停用（/);
    expect(await page.getByRole("button", { name: "恢复客户…" }).isVisible()).toBe(true);
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}`)).suspended).toBe(true);
    // The old session ended at once; the right password is refused with its own code.
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: "NOSUCH" }, before.token)).toMatchObject({ errcode: 2002 });
    expect(await api.partner("api/WebInterface/Session/Login", { dwid: customer.dwid, dwlx: customer.dwlx, password: upperMd5(customer.loginPassword) })).toMatchObject({ errcode: 2007 });
    // The rest of the page still works, and saving the form keeps the standing.
    await page.getByLabel("名称").fill(`${customer.name}（暂停合作）`);
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator("form .form-ok"), /^已保存/);
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}`)).suspended).toBe(true);
    await screenshot(page, "customer-suspended");

    // The list marks it among active customers.
    const active = await api.aCustomer();
    await page.getByRole("link", { name: "← 返回客户列表" }).click();
    await page.getByLabel("客户ID或名称").fill("测试旅行社");
    await page.getByRole("button", { name: "搜索" }).click();
    const nameOf = (dwid: string) => tableRows(main(page)).then((rows) => rows.find((r) => r[0] === dwid)?.[1]);
    await expect.poll(() => nameOf(customer.dwid)).toBe(`${customer.name}（暂停合作） 已停用`);
    expect(await nameOf(active.dwid)).toBe(active.name);
    expect(await main(page).locator(`tr[data-key="${customer.dwid}"]`).getAttribute("class")).toBe("suspended");
    expect(await main(page).locator(`tr[data-key="${active.dwid}"]`).getAttribute("class")).toBeNull();
    await screenshot(page, "customers-suspended");

    await main(page).getByRole("link", { name: customer.dwid }).click();
    await page.getByRole("button", { name: "恢复客户…" }).click();
    await expectText(main(page).locator(".standing .confirm"), `确定恢复 ${customer.name}（暂停合作）（${customer.dwid}）？客户可以重新登录（停用前的会话不会恢复）。`);
    await page.getByRole("button", { name: "确认恢复" }).click();
    await expectText(main(page).locator(".standing .standing-state"), "正常");
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}`)).suspended).toBe(false);
    await api.login(customer);
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: "NOSUCH" }, before.token)).toMatchObject({ errcode: 2002 });
  });
});

describe("a customer's account", () => {
  it("deposits after confirmation, shows the resulting balance, and the ledger gains a row on top with its running balance", async () => {
    const customer = await api.aCustomer({ depositYuan: 100 });
    const page = await openConsole(`#/customers/${customer.dwid}/account`);
    const balances = main(page).locator(".balances");
    await expectText(balances.locator("[data-key=balance]"), "¥100.00");
    await expectText(main(page).locator("h2"), `${customer.name}（${customer.dwid}）`);

    await page.getByLabel("金额（元）").fill("250.5");
    await page.getByLabel("流水号（reference）").fill("BANK-0001");
    await page.getByRole("button", { name: "充值…" }).click();
    await expectText(main(page).locator(".confirm"), `确认向 ${customer.name}（${customer.dwid}） 充值 ¥250.50，流水号 BANK-0001？`);
    await page.getByRole("button", { name: "取消" }).click();
    expect(await main(page).locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}/account`)).balance).toBe(100);

    await page.getByRole("button", { name: "充值…" }).click();
    await page.getByRole("button", { name: "确认充值" }).click();
    await expectText(main(page).locator(".form-ok"), "充值成功：¥250.50。充值后余额 ¥350.50（可用 ¥350.50）");
    await expectText(balances.locator("[data-key=balance]"), "¥350.50");
    await expectText(balances.locator("[data-key=available]"), "¥350.50");
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.length)).toBe(2);
    const ledger = await api.admin("GET", `/admin/customers/${customer.dwid}/ledger`);
    const [newest, opening] = await tableRows(main(page));
    expect(newest).toEqual([shownShanghaiTime(ledger.items[0].createdAt), "充值", "+¥250.50", "¥350.50", "BANK-0001", "—"]);
    expect(opening!.slice(1, 4)).toEqual(["充值", "+¥100.00", "¥100.00"]);
    await screenshot(page, "account");

    // The same reference with another amount: 409, shown next to the reference; nothing typed is lost.
    await page.getByLabel("金额（元）").fill("99");
    await page.getByLabel("流水号（reference）").fill("BANK-0001");
    await page.getByRole("button", { name: "充值…" }).click();
    await page.getByRole("button", { name: "确认充值" }).click();
    await expectText(fieldError(page, "流水号"), "充值流水号已存在且金额不同（错误码 6003）");
    expect(await page.getByLabel("金额（元）").inputValue()).toBe("99");
    expect(await page.getByLabel("流水号（reference）").inputValue()).toBe("BANK-0001");
    await expectText(balances.locator("[data-key=balance]"), "¥350.50");

    await page.getByLabel("金额（元）").fill("12.345");
    await page.getByLabel("流水号（reference）").fill("BANK-0002");
    await page.getByRole("button", { name: "充值…" }).click();
    await page.getByRole("button", { name: "确认充值" }).click();
    await expectText(fieldError(page, "金额"), /amount .*最多两位小数/);
    expect((await api.admin("GET", `/admin/customers/${customer.dwid}/account`)).balance).toBe(350.5);
  });

  it("pages the ledger on the server, newest first", async () => {
    const customer = await api.aCustomer();
    for (let i = 1; i <= 23; i++) {
      await api.admin("POST", `/admin/customers/${customer.dwid}/deposits`, { amount: i, reference: `R${String(i).padStart(2, "0")}` });
    }
    const page = await openConsole(`#/customers/${customer.dwid}/account`);
    await expectText(main(page).locator(".list-status"), "已显示 20 条，还有更多");
    const first = await tableRows(main(page));
    expect(first.map((r) => r[4])).toEqual(Array.from({ length: 20 }, (_, i) => `R${String(23 - i).padStart(2, "0")}`));
    expect(first[0]![3]).toBe(shownYuan((23 * 24) / 2));
    await page.getByRole("button", { name: "加载更多" }).click();
    await expectText(main(page).locator(".list-status"), "共 23 条");
    const all = await tableRows(main(page));
    expect(all.slice(20).map((r) => [r[4], r[3]])).toEqual([["R03", "¥6.00"], ["R02", "¥3.00"], ["R01", "¥1.00"]]);
    expect(await page.getByRole("button", { name: "加载更多" }).isVisible()).toBe(false);
  });
});

describe("products and their calendar", () => {
  it("creates a product, then sets a day's stock and time slots in the month view", async () => {
    const page = await openConsole("#/products/new");
    const productId = uniqueId("PT");
    await page.getByLabel("产品ID").fill(productId);
    await page.getByLabel("名称", { exact: true }).fill("测试游船票");
    await page.getByLabel(/^类型/).selectOption("ticket");
    await page.getByLabel("价格（元）").fill("88.8.8");
    await page.getByLabel("每单限购（张）").fill("5");
    await page.getByRole("button", { name: "创建产品" }).click();
    await expectText(fieldError(page, "价格（元）"), /price .*（错误码 6006）/);
    expect(await page.getByLabel("名称", { exact: true }).inputValue()).toBe("测试游船票");

    await page.getByLabel("价格（元）").fill("88");
    await page.getByRole("button", { name: "创建产品" }).click();
    await expectText(main(page), `产品 ${productId}（测试游船票）已创建。`);
    expect(await api.admin("GET", `/admin/products/${productId}`)).toMatchObject({ kind: "ticket", price: 88, maxPerOrder: 5, realName: false, onSale: true });

    const day = shanghaiDay(2);
    await page.goto(`/console#/products/${productId}/calendar?month=${day.slice(0, 6)}`);
    const cell = main(page).locator(`button.day[data-day="${day}"]`);
    await expectText(cell, "未设置");
    await cell.click();
    const editor = main(page).locator(".day-editor");
    await editor.getByLabel("库存（张）").fill("100");
    for (const [start, end] of [["09:00", "12:00"], ["12:00", "17:00"]] as const) {
      await editor.getByRole("button", { name: "添加时段" }).click();
      const row = editor.locator(".slot-row").last();
      await row.getByLabel("开始").fill(start);
      await row.getByLabel("结束").fill(end);
      await row.getByLabel("容量").fill("30");
    }
    await editor.getByRole("button", { name: "保存" }).click();
    await expectText(editor.locator("[data-field=timeslots] > .field-error"), "timeslots 各时段容量之和不能小于当日库存 stock（错误码 6006）");
    expect(await editor.getByLabel("库存（张）").inputValue()).toBe("100");

    for (const row of await editor.locator(".slot-row").all()) await row.getByLabel("容量").fill("50");
    await editor.getByRole("button", { name: "保存" }).click();
    await expectText(main(page).locator(".day-editor .form-ok"), "：库存 100，可售 100");
    const saved = main(page).locator(`button.day[data-day="${day}"]`);
    for (const text of ["库存 100", "已售 0", "占用 0", "可售 100", "¥88.00", "2个时段"]) await expectText(saved, text);
    const calendar = await api.admin("GET", `/admin/products/${productId}/calendar?month=${day.slice(0, 6)}`);
    expect(calendar.days).toEqual([
      expect.objectContaining({
        day, stock: 100, price: null, available: 100,
        timeslots: [
          expect.objectContaining({ index: 1, start: "09:00", end: "12:00", capacity: 50 }),
          expect.objectContaining({ index: 2, start: "12:00", end: "17:00", capacity: 50 }),
        ],
      }),
    ]);
    await screenshot(page, "calendar");

    await page.getByRole("link", { name: "产品", exact: true }).click();
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.find((r) => r[0] === productId)?.slice(0, 6))).toEqual([
      productId, "测试游船票", "门票", "¥88.00", "否", "每单≤5",
    ]);
    await screenshot(page, "products");
  });

  it("edits an annual card's insurance configuration and shows a nested field's error next to it", async () => {
    const productId = uniqueId("YC");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "测试年卡", kind: "yearcard", price: 298 });
    const page = await openConsole(`#/products/${productId}`);
    await page.getByLabel("投保方式").selectOption("optional");
    await page.getByLabel("保险单价（元）").fill("5");
    await page.getByLabel("份数").fill("11");
    await page.getByLabel("险种代码").fill("PLAN-A");
    await page.getByLabel("险种名称").fill("景区意外险");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(fieldError(page, "份数"), /insurance\.count 不能大于10/);

    await page.getByLabel("份数").fill("1");
    await page.getByLabel("填写投保人（企业）").check();
    await page.getByLabel("企业名称").fill("演示景区管理有限公司");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已保存");
    expect((await api.admin("GET", `/admin/products/${productId}`)).insurance).toMatchObject({
      mode: "optional", price: 5, count: 1, planCode: "PLAN-A", planName: "景区意外险", holder: expect.objectContaining({ type: "2", companyName: "演示景区管理有限公司" }),
    });
    await screenshot(page, "product-edit");
  });
});

describe("orders", () => {
  it("finds an order placed through the partner API by its senderid, and shows its tickets once it is paid", async () => {
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const day = shanghaiDay(3);
    const productId = await api.aTicketProduct(day, { priceYuan: 60, stock: 50 });
    const session = await api.login(customer);
    const senderId = uniqueId("OTA-", 32);
    const orderId = await api.addOrder(session, { productId, day, tickets: 2, senderId });

    const page = await openConsole("#/orders");
    await page.getByLabel("订单号或第三方单号").fill(senderId);
    await page.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => tableRows(main(page))).toEqual([
      [orderId, customer.dwid, senderId, "门票", `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`, "¥120.00", "未支付", expect.any(String)],
    ]);

    await main(page).getByRole("link", { name: orderId }).click();
    await expectText(main(page).locator(".facts"), "未支付");
    await expectText(main(page).locator(".tickets-empty"), "订单支付后出票");
    await expectText(main(page).locator(".timeline"), "未支付将于此时自动过期并释放库存");

    await api.pay(session, orderId);
    const codes = await api.ticketCodes(session, orderId);
    expect(codes).toHaveLength(2);
    await page.reload();
    await expectText(main(page).locator(".facts"), "已支付");
    const tickets = await tableRows(main(page).locator(".table-wrap:has(table.tickets)"));
    expect(tickets.map((r) => [r[0], r[2], r[3]]).sort()).toEqual(codes.map((code) => [code, productId, "有效"]).sort());
    const detail = await api.admin("GET", `/admin/orders/${orderId}`);
    const created = await textOf(main(page).locator(".timeline li", { hasText: "下单" }));
    expect(created).toContain(shownShanghaiTime(detail.createdAt));
    const paid = await textOf(main(page).locator(".timeline li", { hasText: "已支付" }));
    expect(paid).toContain(shownShanghaiTime(detail.paidAt));
    expect(paid).toContain("已支付（预订金扣款 ¥120.00），出票 2 张");
    await expectText(main(page).locator("table.list tfoot"), "¥120.00");
    await screenshot(page, "order-detail");

    // The same order from the customer's side: by customer, visit date and status; the ledger's debit; the calendar's sold count.
    await page.getByRole("link", { name: "订单", exact: true }).click();
    await page.getByLabel("客户ID").fill(customer.dwid);
    await page.getByLabel("游玩日期").fill(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`);
    await page.getByLabel("状态").selectOption("unpaid");
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(main(page).locator(".list-status"), "没有符合条件的记录");
    expect(page.url()).toContain(`date=${day}`);
    await page.getByLabel("状态").selectOption("paid");
    await page.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.map((r) => [r[0], r[6]]))).toEqual([[orderId, "已支付"]]);
    await screenshot(page, "orders");
    await page.goto(`/console#/customers/${customer.dwid}/account`);
    await expect.poll(() => tableRows(main(page)).then((rows) => rows[0]?.slice(1, 4).concat(rows[0]![5]!))).toEqual(["扣款", "−¥120.00", "¥880.00", `订单 ${orderId}`]);
    await expectText(main(page).locator("[data-key=balance]"), "¥880.00");
    await page.goto(`/console#/products/${productId}/calendar?month=${day.slice(0, 6)}`);
    await expectText(main(page).locator(`button.day[data-day="${day}"]`), "已售 2");
    await expectText(main(page).locator(`button.day[data-day="${day}"]`), "可售 48");
  });

  it("cancels an unpaid order after confirmation and shows it cancelled with its stock back; a paid order offers no cancel, and a refusal is shown", async () => {
    const customer = await api.aCustomer({ depositYuan: 500 });
    const day = shanghaiDay(5);
    const productId = await api.aTicketProduct(day, { priceYuan: 40, stock: 10 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 3, senderId: uniqueId("CX-", 32) });
    const available = async () => (await api.admin("GET", `/admin/products/${productId}/calendar?month=${day.slice(0, 6)}`)).days[0].available;
    expect(await available()).toBe(7);

    const page = await openConsole(`#/orders/${orderId}`);
    const actions = main(page).locator(".order-actions");
    await expectText(main(page).locator(".facts"), "未支付");
    // Dismissed: nothing changes.
    await page.getByRole("button", { name: "取消订单…" }).click();
    await expectText(actions.locator(".confirm"), `确定取消订单 ${orderId}（¥120.00）？订单将变为已取消，占用的库存立即释放；此操作不能撤销。`);
    await actions.getByRole("button", { name: "取消", exact: true }).click();
    expect(await actions.locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).status).toBe("unpaid");

    await page.getByRole("button", { name: "取消订单…" }).click();
    await page.getByRole("button", { name: "确认取消订单" }).click();
    await expectText(main(page).locator(".facts"), "已取消");
    await expectText(main(page).locator(".action-ok"), "订单已取消，占用的库存已释放");
    await expectText(main(page).locator(".timeline"), "已取消");
    await expectText(main(page).locator(".tickets-empty"), "订单已取消，未出票");
    expect(await page.getByRole("button", { name: "取消订单…" }).count()).toBe(0);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).status).toBe("cancelled");
    expect(await available()).toBe(10);
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: orderId }, session.token)).toMatchObject({ tag: { status: "cancelled" } });
    await screenshot(page, "order-cancelled");

    // Paid: no cancel button.
    const paid = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("CX-", 32) });
    await api.pay(session, paid);
    await page.goto(`/console#/orders/${paid}`);
    await expectText(main(page).locator(".facts"), "已支付");
    expect(await page.getByRole("button", { name: "取消订单…" }).count()).toBe(0);

    // Paid by the partner while the page was open: the API's refusal is shown, the page then shows the order as it stands.
    const racing = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("CX-", 32) });
    await page.goto(`/console#/orders/${racing}`);
    await expectText(main(page).locator(".facts"), "未支付");
    await api.pay(session, racing);
    await page.getByRole("button", { name: "取消订单…" }).click();
    await page.getByRole("button", { name: "确认取消订单" }).click();
    await expectText(main(page).locator(".action-error"), "已支付的订单不能取消,请申请退款（错误码 4004）");
    await expectText(main(page).locator(".facts"), "已支付");
    expect((await api.admin("GET", `/admin/orders/${racing}`)).status).toBe("paid");
  });

  it("lists a POS bill added through the partner API under its customer", async () => {
    const customer = await api.aCustomer({ depositYuan: 50 });
    const productId = uniqueId("R");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "矿泉水", kind: "retail", price: 3 });
    const session = await api.login(customer);
    const senderBillNum = uniqueId("POS-", 32);
    const bill = await api.addBill(session, { productId, quantity: 4, senderBillNum });

    const page = await openConsole(`#/bills?customer=${customer.dwid}`);
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.map((r) => r.slice(0, 5)))).toEqual([
      [bill.BillNum, customer.dwid, senderBillNum, "¥12.00", "未支付"],
    ]);
    await screenshot(page, "bills");
  });
});

describe("refunds", () => {
  /** expect.poll with the UI's patience: a page of a busy machine may take more than poll's default second. */
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });
  /** A shown date of the refunds filter: yyyy-MM-dd. */
  const dashed = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;

  it("saves a product's refund policy, and shows a fee out of range next to its field", async () => {
    const productId = uniqueId("PR");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "测试索道票", kind: "ticket", price: 120 });
    const page = await openConsole(`#/products/${productId}`);
    // The default policy: refundable until the visit day ends, no fee.
    await poll(() => page.getByLabel("手续费（%）").inputValue()).toBe("0");
    expect(await page.getByLabel("允许退票").isChecked()).toBe(true);
    expect(await page.getByLabel("退票期限").inputValue()).toBe("visit_day_end");

    await page.getByLabel("退票期限").selectOption("before_visit_day");
    await page.getByLabel("手续费（%）").fill("150");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(fieldError(page, "手续费（%）"), /refund\.feePercent .*（错误码 6006）/);
    expect(await page.getByLabel("退票期限").inputValue()).toBe("before_visit_day");

    await page.getByLabel("手续费（%）").fill("15");
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已保存");
    expect((await api.admin("GET", `/admin/products/${productId}`)).refund).toEqual({ allowed: true, deadline: "before_visit_day", feePercent: 15 });

    await page.getByLabel("允许退票").uncheck();
    await page.getByRole("button", { name: "保存修改" }).click();
    await expectText(main(page).locator(".form-ok"), "已保存");
    expect((await api.admin("GET", `/admin/products/${productId}`)).refund).toEqual({ allowed: false, deadline: "before_visit_day", feePercent: 15 });
    await page.reload();
    await poll(() => page.getByLabel("允许退票").isChecked()).toBe(false);
    expect(await page.getByLabel("手续费（%）").inputValue()).toBe("15");
    await page.getByRole("link", { name: "← 返回产品列表" }).click();
    await poll(() => tableRows(main(page)).then((rows) => rows.find((r) => r[0] === productId)?.[7])).toBe("不可退");
  });

  it("refunds one ticket with its fee after confirmation, then the rest with the fee waived; the history, the statuses, the ledger and the refunds list", async () => {
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const day = shanghaiDay(3);
    // 15% of ¥33.30 is ¥4.995: the fee rounds half up to ¥5.00.
    const productId = await api.aTicketProduct(day, { priceYuan: 33.3, refund: { allowed: true, deadline: "visit_day_end", feePercent: 15 } });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 3, senderId: uniqueId("RF-", 32) });
    await api.pay(session, orderId);
    const codes = (await api.ticketCodes(session, orderId)).sort();

    const page = await openConsole(`#/orders/${orderId}`);
    await expectText(main(page).locator(".facts"), "已支付");
    await expectText(main(page).locator(".refunds-empty"), "还没有退款");
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await poll(() => tableRows(form)).toEqual(codes.map((code) => ["", code, productId, "有效", "¥33.30", "¥5.00", "¥28.30"]));
    await expectText(form.locator(".refund-policies"), `${productId}（`);
    await expectText(form.locator(".refund-policies"), "游玩日当天结束前可退，手续费 15%");
    await expectText(form.locator(".refund-summary"), "请选择要退的门票");

    // What is missing is said next to it.
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(form.locator("fieldset[data-field=ticketcodes] > .field-error"), "请选择要退的门票");
    await page.getByLabel(`选择 ${codes[0]}`).check();
    await expectText(form.locator(".refund-summary"), "已选 1 张：票价 ¥33.30，手续费 ¥5.00，退回预订金 ¥28.30");
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(fieldError(page, "退款原因"), "请填写退款原因");
    await page.getByLabel("退款原因").fill("游客行程取消");
    const firstId = await page.getByLabel("退款单号（refundid）").inputValue();
    expect(firstId).toMatch(/^RF\d{14}[0-9A-Z]{4}$/);

    // Asked first; dismissed, nothing happens.
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(
      form.locator(".confirm"),
      `确认为订单 ${orderId} 退票 1 张（${codes[0]}）：票价 ¥33.30，手续费 ¥5.00，退回客户预订金 ¥28.30。退款单号 ${firstId}，原因：游客行程取消。门票将立即作废，此操作不能撤销。`,
    );
    await form.getByRole("button", { name: "取消", exact: true }).click();
    expect(await form.locator(".confirm").isVisible()).toBe(false);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(0);

    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(main(page).locator(".action-ok"), `退票成功：退回预订金 ¥28.30（手续费 ¥5.00），1 张门票已作废；退款单号 ${firstId}；订单状态：部分退款`);
    await expectText(main(page).locator(".facts"), "部分退款");
    await expectText(main(page).locator(".facts"), "¥28.30（1 张）");
    let detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect([detail.status, detail.refunded, detail.refundedUnits]).toEqual(["paid", 28.3, 1]);
    const ticketRows = () =>
      tableRows(main(page).locator(".table-wrap:has(table.tickets)")).then((rows) => rows.map((r) => [r[0], r[3], r[5]]).sort());
    expect(await ticketRows()).toEqual([[codes[0], "已退", firstId], [codes[1], "有效", "—"], [codes[2], "有效", "—"]]);
    const firstRow = [shownShanghaiTime(detail.refunds[0].refundedAt), firstId, codes[0], "¥28.30", "¥5.00", "游客行程取消", "运营方"];
    expect(await tableRows(main(page).locator(".table-wrap:has(table.refunds)"))).toEqual([firstRow]);
    await expectText(main(page).locator(".timeline"), `运营方退票 1 张（退款单号 ${firstId}），退回预订金 ¥28.30，手续费 ¥5.00；部分退款`);

    // The same refund number for another ticket: refused next to the number, everything typed kept.
    await page.getByRole("button", { name: "退票…" }).click();
    expect(await page.getByLabel(`选择 ${codes[0]}`).isDisabled()).toBe(true);
    await poll(() => tableRows(form).then((rows) => rows.map((r) => r[3]))).toEqual(["已退", "有效", "有效"]);
    await page.getByLabel(`选择 ${codes[1]}`).check();
    await page.getByLabel("退款原因").fill("游客改期");
    await page.getByLabel("退款单号（refundid）").fill(firstId);
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(fieldError(page, "退款单号"), "该refundid已用于另一笔退款(门票不同)（错误码 4707）");
    expect(await page.getByLabel("退款单号（refundid）").inputValue()).toBe(firstId);
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客改期");
    expect(await page.getByLabel(`选择 ${codes[1]}`).isChecked()).toBe(true);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(1);

    // 全部 and the fee waived: the rest, for their full price.
    await page.getByLabel(/^全部/).check();
    expect(await page.getByLabel(`选择 ${codes[2]}`).isChecked()).toBe(true);
    await page.getByLabel("免收手续费").check();
    await poll(() => tableRows(form).then((rows) => rows.slice(1).map((r) => r.slice(5)))).toEqual([["¥0.00", "¥33.30"], ["¥0.00", "¥33.30"]]);
    await expectText(form.locator(".refund-summary"), "已选 2 张：票价 ¥66.60，手续费 ¥0.00（免收），退回预订金 ¥66.60");
    await page.getByLabel("退款原因").fill("景区临时闭园，全额退");
    await page.getByLabel("退款单号（refundid）").fill("OPS-0002");
    await form.getByRole("button", { name: "退票…" }).click();
    await expectText(form.locator(".confirm"), `退票 2 张（${codes[1]}、${codes[2]}）：票价 ¥66.60，手续费 ¥0.00（免收），退回客户预订金 ¥66.60。退款单号 OPS-0002`);
    await screenshot(page, "order-refund");
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(main(page).locator(".action-ok"), "退票成功：退回预订金 ¥66.60（手续费 ¥0.00），2 张门票已作废；退款单号 OPS-0002；订单状态：已退款");
    await expectText(main(page).locator(".facts"), "已退款");
    await expectText(main(page).locator(".facts"), "¥94.90（3 张）");
    expect(await page.getByRole("button", { name: "退票…" }).count()).toBe(0);
    detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect([detail.refunded, detail.refundedUnits, detail.tickets.map((t: { status: string }) => t.status)]).toEqual([94.9, 3, ["refunded", "refunded", "refunded"]]);
    expect(await ticketRows()).toEqual([[codes[0], "已退", firstId], [codes[1], "已退", "OPS-0002"], [codes[2], "已退", "OPS-0002"]]);
    expect(await tableRows(main(page).locator(".table-wrap:has(table.refunds)"))).toEqual([
      firstRow,
      [shownShanghaiTime(detail.refunds[1].refundedAt), "OPS-0002", `${codes[1]}、${codes[2]}`, "¥66.60", "¥0.00", "景区临时闭园，全额退", "运营方"],
    ]);
    await expectText(main(page).locator(".timeline"), "运营方退票 2 张（退款单号 OPS-0002），退回预订金 ¥66.60，手续费 ¥0.00；已退款");
    expect(await api.partner("api/WebInterface/Order/Query", { orderid: orderId }, session.token)).toMatchObject({ tag: { status: "refunded" } });
    await screenshot(page, "order-refund-history");

    // The list marks the order's refunded tickets.
    await page.goto(`/console#/orders?customer=${customer.dwid}`);
    await poll(() => tableRows(main(page)).then((rows) => rows.map((r) => [r[0], r[6]]))).toEqual([[orderId, "已支付 已退 3 张"]]);

    // The ledger: two refund credits on top, linked to the order. 1000 − 99.90 + 28.30 + 66.60.
    await page.goto(`/console#/customers/${customer.dwid}/account`);
    await expectText(main(page).locator("[data-key=balance]"), "¥995.00");
    await poll(() => tableRows(main(page)).then((rows) => rows.slice(0, 3).map((r) => [r[1], r[2], r[3], r[5]]))).toEqual([
      ["退款", "+¥66.60", "¥995.00", `订单 ${orderId}`],
      ["退款", "+¥28.30", "¥928.40", `订单 ${orderId}`],
      ["扣款", "−¥99.90", "¥900.10", `订单 ${orderId}`],
    ]);
    const ledger = await api.admin("GET", `/admin/customers/${customer.dwid}/ledger`);
    expect((await tableRows(main(page)))[0]![0]).toBe(shownShanghaiTime(ledger.items[0].createdAt));
    expect(await main(page).locator("table.list tbody tr").first().getByRole("link", { name: `订单 ${orderId}` }).getAttribute("href")).toBe(`#/orders/${orderId}`);

    // The refunds list: the partner's own refund of another order beside the operator's, newest first, by customer and day.
    const other = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("RF-", 32) });
    await api.pay(session, other);
    const partnerRefund = await api.refund(session, { orderId: other, refundId: "OTA-RF-0001", reason: "游客退订" });
    expect(partnerRefund).toMatchObject({ refundamount: 28.3, fee: 5 });
    await page.getByRole("link", { name: "退款", exact: true }).click();
    await expectText(main(page).locator("h2"), "退款");
    await page.getByLabel("客户ID").fill(customer.dwid);
    await page.getByLabel("退款日期").fill(dashed(shanghaiDay(0)));
    await page.getByRole("button", { name: "查询" }).click();
    expect(page.url()).toContain(`date=${shanghaiDay(0)}`);
    await poll(() => tableRows(main(page)).then((rows) => rows.map((r) => r.slice(1)))).toEqual([
      ["OTA-RF-0001", customer.dwid, other, `1 张 ${partnerRefund.tickets[0]}`, "¥28.30", "¥5.00", "游客退订", "合作方"],
      ["OPS-0002", customer.dwid, orderId, `2 张 ${codes[1]}、${codes[2]}`, "¥66.60", "¥0.00", "景区临时闭园，全额退", "运营方"],
      [firstId, customer.dwid, orderId, `1 张 ${codes[0]}`, "¥28.30", "¥5.00", "游客行程取消", "运营方"],
    ]);
    const listed = await api.admin("GET", `/admin/refunds?customer=${customer.dwid}`);
    // The first column is the refund's time as the page shows it (read again: the list may redraw meanwhile).
    await poll(() => tableRows(main(page)).then((rows) => rows[0]?.[0])).toBe(shownShanghaiTime(listed.items[0].refundedAt));
    await screenshot(page, "refunds");
    await page.getByLabel("退款日期").fill(dashed(shanghaiDay(-1)));
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(main(page).locator(".list-status"), "没有符合条件的退款");
  });

  it("refunds 21 times and pages the refunds list on the server", async () => {
    const customer = await api.aCustomer({ depositYuan: 500 });
    const day = shanghaiDay(2);
    const productId = await api.aTicketProduct(day, { priceYuan: 1 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 21, senderId: uniqueId("RP-", 32) });
    await api.pay(session, orderId);
    const codes = await api.ticketCodes(session, orderId);
    for (const [i, code] of codes.entries()) {
      await api.admin("POST", `/admin/orders/${orderId}/refunds`, { refundid: `PG-${String(i + 1).padStart(2, "0")}`, ticketcodes: [code], reason: "分页" });
    }
    const page = await openConsole(`#/refunds?customer=${customer.dwid}`);
    await expectText(main(page).locator(".list-status"), "已显示 20 条，还有更多");
    await page.getByRole("button", { name: "加载更多" }).click();
    await expectText(main(page).locator(".list-status"), "共 21 条");
    // Newest first; refunds made in the same millisecond may come in either order.
    const numbers = (await tableRows(main(page))).map((r) => r[1]);
    expect([...numbers].sort()).toEqual(codes.map((_, i) => `PG-${String(i + 1).padStart(2, "0")}`));
    expect(numbers[0]).not.toBe("PG-01");
  });

  it("when the outcome is not yet known (503), offers the same refund number again, which learns it and refunds once", async () => {
    const customer = await api.aCustomer({ depositYuan: 300 });
    const day = shanghaiDay(4);
    const productId = await api.aTicketProduct(day, { priceYuan: 60 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 2, senderId: uniqueId("RU-", 32) });
    await api.pay(session, orderId);

    const page = await openConsole(`#/orders/${orderId}`);
    // The first answer is lost after the refund was made: the page is told 503, as when the store's answer never came.
    let calls = 0;
    await page.route(`${server.baseUrl}/admin/orders/${orderId}/refunds`, async (route) => {
      calls += 1;
      const response = await route.fetch();
      if (calls > 1) return route.fulfill({ response });
      await response.body();
      await route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: 9003, message: "系统暂时繁忙,本次请求的结果尚未确定,请稍后重试同一请求(按senderid/单号幂等)或查询" } }),
      });
    });
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await page.getByLabel(/^全部/).check();
    await page.getByLabel("退款原因").fill("游客投诉，经理批准");
    const refundId = await page.getByLabel("退款单号（refundid）").inputValue();
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    const unknown = form.locator(".outcome-unknown");
    await expectText(unknown, "退款结果尚未确定：系统暂时繁忙,本次请求的结果尚未确定");
    await expectText(unknown, "（错误码 9003）");
    await expectText(unknown, `用同一退款单号 ${refundId} 重新提交可以得知结果，不会重复退款。`);
    await expectText(main(page).locator(".facts"), "已支付");
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客投诉，经理批准");
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(2);

    await unknown.getByRole("button", { name: "用同一退款单号重新提交" }).click();
    await expectText(main(page).locator(".action-ok"), `退票成功：退回预订金 ¥120.00（手续费 ¥0.00），2 张门票已作废；退款单号 ${refundId}；订单状态：已退款`);
    await expectText(main(page).locator(".facts"), "已退款");
    expect(calls).toBe(2);
    const detail = await api.admin("GET", `/admin/orders/${orderId}`);
    expect(detail.refunds.map((r: { refundId: string }) => r.refundId)).toEqual([refundId]);
    const ledger = await api.admin("GET", `/admin/customers/${customer.dwid}/ledger`);
    expect(ledger.items.filter((e: { kind: string }) => e.kind === "refund")).toHaveLength(1);
    expect(ledger.account.balance).toBe(300);
  });

  it("says before and after that a product allows no refund (its code by the buttons), and fits a tablet", async () => {
    const customer = await api.aCustomer({ depositYuan: 300 });
    const day = shanghaiDay(2);
    const productId = await api.aTicketProduct(day, { priceYuan: 80, refund: { allowed: false, deadline: "visit_day_end", feePercent: 0 } });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("RN-", 32) });
    await api.pay(session, orderId);
    const [code] = await api.ticketCodes(session, orderId);

    const page = await openConsole(`#/orders/${orderId}`, TABLET);
    await page.getByRole("button", { name: "退票…" }).click();
    const form = main(page).locator("form.refund-form");
    await expectText(form.locator(".refund-policies"), "：不允许退票");
    await expectText(form.locator(`tr[data-key="${code}"]`), "该产品不允许退票");
    await page.getByLabel(`选择 ${code}`).check();
    await page.getByLabel("退款原因").fill("游客要求");
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    await form.getByRole("button", { name: "退票…" }).click();
    await page.getByRole("button", { name: "确认退票" }).click();
    await expectText(form.locator(".form-actions .form-error"), `该产品不允许退票（${productId}）（错误码 4701）`);
    expect(await page.getByLabel("退款原因").inputValue()).toBe("游客要求");
    expect(await page.getByLabel(`选择 ${code}`).isChecked()).toBe(true);
    expect((await api.admin("GET", `/admin/orders/${orderId}`)).refundedUnits).toBe(0);
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
  });
});

describe("notifications", () => {
  it("lists a callback that could not be delivered with its last error, and retry puts it back on the queue", async () => {
    const closedPort = await freePort();
    const customer = await api.aCustomer({ depositYuan: 500, callbackUrl: `http://127.0.0.1:${closedPort}/callback` });
    const day = shanghaiDay(4);
    const productId = await api.aTicketProduct(day);
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day, tickets: 1, senderId: uniqueId("NT-", 32) });
    await api.pay(session, orderId);
    const id = `order-paid:${orderId}`;
    // Seven deliveries to a closed port without delay, then the dead-letter queue marks it failed.
    await expect
      .poll(() => api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`).then((n) => n.status), { timeout: 90_000, interval: 1_000 })
      .toBe("failed");
    const failed = await api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`);
    expect(failed.lastError).toBeTruthy();

    const page = await openConsole("#/notifications");
    const row = main(page).locator(`tr[data-key="${id}"]`);
    await expectText(row.locator("td.status"), "发送失败");
    await expectText(row.locator("td.last-error"), failed.lastError);
    await expectText(row, String(failed.attempts));
    await expectText(row, `订单 ${orderId}`);
    await screenshot(page, "notifications");

    await row.getByRole("button", { name: "重试" }).click();
    await expectText(row.locator(".retry-outcome"), /已重新加入发送队列，当前状态：(排队中|待发送)/);
    await expectText(row.locator("td.status"), /排队中|待发送/);
    expect(await row.getByRole("button", { name: "重试" }).isVisible()).toBe(false);
    expect(["enqueued", "pending", "failed"]).toContain((await api.admin("GET", `/admin/notifications/${encodeURIComponent(id)}`)).status);
  });
});

describe("on a tablet", () => {
  it("shows the account page without sideways scrolling, lists as labelled cards", async () => {
    const customer = await api.aCustomer({ depositYuan: 2000 });
    const page = await openConsole(`#/customers/${customer.dwid}/account`, TABLET);
    await expectText(main(page).locator("[data-key=balance]"), "¥2,000.00");
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.length)).toBe(1);
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    expect(await main(page).locator("table.list thead").isVisible()).toBe(false);
    expect(await main(page).locator("table.list td").first().getAttribute("data-label")).toBe("时间");
    await screenshot(page, "account-tablet");
  });
});
