/**
 * The operators' console (issue 11) in a real browser: Debian's chromium
 * driven by playwright-core against `wrangler dev` serving the Worker and its
 * static assets. Each test does what an operator does and checks what the
 * page then shows — amounts, balances, ledger rows, stock, tickets, errors
 * next to their fields — and, where it matters, what the API then holds.
 * Here: serving, signing in, customers, accounts, products and calendars;
 * orders, refunds, notifications and the tablet: console-orders.test.ts.
 *
 * The browser runs in America/Los_Angeles: the dates the page shows must
 * still be Shanghai's.
 */
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { consoleView, expectText, fieldError, newPage, screenshot, shownShanghaiTime, shownYuan, signIn, tableRows, TABLET, textOf } from "./browser";
import { Api, shanghaiDay, uniqueId, upperMd5 } from "./partner";
import type { TestServer } from "./server";
import { browserSuite } from "./suite";

let server: TestServer;
let browser: Browser;
let api: Api;

// Notification retries without waiting, so an undeliverable callback reaches 'failed' in seconds.
const suite = browserSuite({ vars: { NOTIFY_RETRY_BASE_SECONDS: "0" } });
beforeAll(() => void ({ server, browser, api } = suite));
const pages = suite.pages;

const { openConsole } = suite;

const main = consoleView;

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
