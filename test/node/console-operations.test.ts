/**
 * The console's operations pages (SPEC §12) in a real browser against
 * `wrangler dev`: the dashboard (the console's home) with data placed
 * through the partner and admin APIs, its numbers read off the page and
 * held to the admin API; the calendar in bulk, applied and refused with the
 * refused day's numbers next to the form; the orders list's CSV download.
 *
 * The browser runs in America/Los_Angeles: the page must still count and
 * show Shanghai's days.
 */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { consoleView, expectText, fieldError, newPage, screenshot, shownYuan, tableRows, TABLET, textOf } from "./browser";
import { Api, shanghaiDay, uniqueId } from "./partner";
import type { TestServer } from "./server";
import { browserSuite } from "./suite";

let server: TestServer;
let browser: Browser;
let api: Api;

const suite = browserSuite();
beforeAll(() => void ({ server, browser, api } = suite));
const pages = suite.pages;

const { openConsole } = suite;

const main = consoleView;
const figure = (page: Page, name: string) => main(page).locator(`[data-figure="${name}"] .value`);

/** yyyyMMdd → yyyy-MM-dd, as date inputs and the page show a day. */
const dashed = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;

/** The chart's bars as drawn: label → value. */
async function bars(page: Page, chart: string): Promise<Map<string, number>> {
  const drawn = await main(page).locator(`svg.${chart} rect.bar`).evaluateAll((rects) =>
    rects.map((r) => [r.getAttribute("data-label") ?? "", Number(r.getAttribute("data-value"))] as const),
  );
  return new Map(drawn);
}

describe("the dashboard", () => {
  it("is the home after signing in; its figures, charts and tables agree with the admin API", async () => {
    const today = shanghaiDay(0);
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const productId = await api.aTicketProduct(today, { priceYuan: 45, stock: 50, refund: { allowed: true, deadline: "visit_day_end", feePercent: 0 } });
    const session = await api.login(customer);
    const first = await api.addOrder(session, { productId, day: today, tickets: 3, senderId: uniqueId("S") });
    await api.pay(session, first);
    const second = await api.addOrder(session, { productId, day: today, tickets: 2, senderId: uniqueId("S") });
    await api.pay(session, second);
    const codes = await api.ticketCodes(session, first);
    await api.refund(session, { orderId: second, refundId: uniqueId("RF"), ticketCodes: [(await api.ticketCodes(session, second))[0]!] });
    const gate = await api.aGate();
    for (const code of codes.slice(0, 2)) await api.checkIn(gate.token, code);
    // Available 1000 − 225 + 45 = 820 is below a threshold of 900.
    await api.admin("PUT", `/admin/customers/${customer.dwid}`, { dwlx: customer.dwlx, name: customer.name, lowBalanceAlert: 900 });

    const { page } = await newPage(browser, server.baseUrl);
    pages.push(page);
    await page.goto("/console");
    await page.getByLabel("管理令牌").fill(server.adminToken);
    await page.getByRole("button", { name: "登录" }).click();
    await expectText(main(page).locator("h2"), "运营概况");
    expect(await page.locator("#nav a[aria-current]").innerText()).toBe("概况");
    await main(page).locator(".figures").waitFor();

    const d = await api.admin("GET", "/admin/dashboard");
    expect(d.date).toBe(today);
    expect(await textOf(figure(page, "today-orders"))).toBe(String(d.today.orders));
    expect(await textOf(figure(page, "today-amount"))).toBe(shownYuan(d.today.amount));
    expect(await textOf(figure(page, "today-refunds"))).toBe(shownYuan(d.today.refunded));
    expect(await textOf(figure(page, "today-checkins"))).toBe(String(d.checkins.total));
    expect(await textOf(figure(page, "month-amount"))).toBe(shownYuan(d.last30Days.amount));
    expect(await textOf(figure(page, "notifications"))).toBe(String(d.notifications.failed + d.notifications.dead));
    expect(await textOf(figure(page, "low-balance"))).toBe(String(d.lowBalance.customers.length));
    expect(d.lowBalance.customers).toContainEqual({ dwid: customer.dwid, name: customer.name, available: 820, threshold: 900 });
    const lowRow = (await tableRows(main(page).locator("table.low-balance").locator(".."))).find((row) => row[0]!.includes(customer.dwid));
    expect(lowRow).toEqual([`${customer.name} ${customer.dwid}`, "¥820.00", "¥900.00"]);

    // Our customer's row, as the admin API's orders and refunds give it.
    const paid = (await api.admin("GET", `/admin/orders?customer=${customer.dwid}&status=paid`)).items;
    const refunds = (await api.admin("GET", `/admin/refunds?customer=${customer.dwid}`)).items;
    const amount = paid.reduce((n: number, o: { amount: number }) => n + o.amount, 0);
    expect([paid.length, amount, refunds.length, refunds[0].amount]).toEqual([2, 225, 1, 45]);
    const row = (await tableRows(main(page).locator("table.by-customer").locator(".."))).find((r) => r[0]!.includes(customer.dwid));
    expect(row).toEqual([`${customer.name} ${customer.dwid}`, "2", "5", shownYuan(225), `${shownYuan(45)}（1 笔）`, "2", "5", shownYuan(225), `${shownYuan(45)}（1 笔）`]);
    const productRow = (await tableRows(main(page).locator("table.by-product").locator(".."))).find((r) => r[0]!.includes(productId));
    expect(productRow?.slice(1)).toEqual(["2", "5", shownYuan(225), "2", "5", shownYuan(225), "1 张"]);

    // The charts draw the API's numbers: today's bar of the 30 days, the check-ins' hour.
    const daily = await bars(page, "daily-amount");
    expect(daily.size).toBe(30);
    expect(daily.get(dashed(today))).toBe(d.daily.at(-1).amount);
    const checkins = await bars(page, "checkins");
    const usedAt = (await api.admin("GET", `/admin/orders/${first}`)).tickets.filter((t: { usedAt: string | null }) => t.usedAt).map((t: { usedAt: string }) => t.usedAt);
    expect(usedAt).toHaveLength(2);
    const hour = new Date(Date.parse(usedAt[0]) + 8 * 3_600_000).getUTCHours();
    expect(checkins.get(`${String(hour).padStart(2, "0")}时`)).toBe(d.checkins.byHour[hour]);
    expect(d.checkins.byHour[hour]).toBeGreaterThanOrEqual(2);
    expect((await bars(page, "customers")).size).toBeGreaterThan(0);
    await screenshot(page, "dashboard");

    // The failed notifications' figure leads to their list.
    await main(page).locator('[data-figure="notifications"]').click();
    await expectText(main(page).locator("h2"), "回调通知");
  });

  it("looks at an earlier day, and fits a tablet without sideways scrolling", async () => {
    const page = await openConsole("#/dashboard", TABLET);
    await main(page).locator(".figures").waitFor();
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    const chartWidth = await main(page).locator("svg.daily-amount").evaluate((svg) => svg.getBoundingClientRect().width);
    expect(chartWidth).toBeGreaterThan(600);
    expect(chartWidth).toBeLessThanOrEqual(768);
    await screenshot(page, "dashboard-tablet");

    const earlier = shanghaiDay(-40);
    await page.getByLabel("统计日").fill(dashed(earlier));
    await page.getByRole("button", { name: "查看" }).click();
    await expectText(main(page).locator(".dash-note"), `${dashed(earlier)}及近30天`);
    await expectText(main(page).locator('[data-figure="today-orders"] .label'), "当日订单");
    expect(await textOf(figure(page, "today-orders"))).toBe("0");
    expect(page.url()).toContain(`#/dashboard?date=${earlier}`);
  });
});

describe("the calendar in bulk", () => {
  it("sets a month's weekdays in one go; refuses a sold day with its numbers next to the form, changing nothing", async () => {
    const next = shanghaiDay(35).slice(0, 6);
    const length = new Date(Date.UTC(Number(next.slice(0, 4)), Number(next.slice(4, 6)), 0)).getUTCDate();
    const month = Array.from({ length }, (_, i) => `${next}${String(i + 1).padStart(2, "0")}`);
    const isoWeekday = (d: string) => new Date(`${dashed(d)}T00:00:00Z`).getUTCDay() || 7;
    const weekdays = month.filter((d) => isoWeekday(d) <= 5);
    const weekend = month.filter((d) => isoWeekday(d) > 5);
    const productId = uniqueId("PB");
    await api.admin("PUT", `/admin/products/${productId}`, { name: "批量测试门票", kind: "ticket", price: 60 });

    const page = await openConsole(`#/products/${productId}/calendar?month=${next}`);
    await expectText(main(page).locator(".list-status"), "还没有设置库存的日期");
    await main(page).getByRole("button", { name: "批量设置…" }).click();
    const form = main(page).locator(".bulk-form");
    expect(await form.getByLabel("开始日期").inputValue()).toBe(dashed(month[0]!));
    expect(await form.getByLabel("结束日期").inputValue()).toBe(dashed(month.at(-1)!));
    await form.getByLabel("周六").uncheck();
    await form.getByLabel("周日").uncheck();
    await form.getByLabel("库存（张）").fill("40");
    await form.getByLabel("当日价格（元）").fill("55");
    await form.getByRole("button", { name: "批量设置" }).click();
    await expectText(form.locator(".form-ok"), `已设置 ${weekdays.length} 天`);
    await expectText(main(page).locator(`button.day[data-day="${weekdays[0]}"]`), "库存 40");
    await expectText(main(page).locator(`button.day[data-day="${weekend[0]}"]`), "未设置");
    const set = await api.admin("GET", `/admin/products/${productId}/calendar?month=${next}`);
    expect(set.days.map((d: { day: string }) => d.day)).toEqual(weekdays);
    expect(set.days.every((d: { stock: number; price: number }) => d.stock === 40 && d.price === 55)).toBe(true);
    await screenshot(page, "calendar-bulk");

    // Six tickets sold on one weekday; lowering the month to five is refused, and nothing changes.
    const sold = weekdays[3]!;
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const session = await api.login(customer);
    const orderId = await api.addOrder(session, { productId, day: sold, tickets: 6, senderId: uniqueId("S") });
    await api.pay(session, orderId);
    await form.getByLabel("库存（张）").fill("5");
    await form.getByRole("button", { name: "批量设置" }).click();
    const refusal = form.locator(".bulk-refusal");
    await expectText(refusal, `${dashed(sold)}：已售 6，占用 0（未支付订单），共 6，超过新的当日库存 5。`);
    await expectText(refusal, "未修改任何日期。");
    await expectText(fieldError(form, "库存（张）"), `${sold}库存不能低于已售与占用之和：库存5，已售6，占用0（错误码 6007）`);
    await expect.poll(() => main(page).locator(`button.day[data-day="${sold}"]`).getAttribute("class")).toContain("refused");
    expect(await form.getByLabel("库存（张）").inputValue()).toBe("5");
    const after = await api.admin("GET", `/admin/products/${productId}/calendar?month=${next}`);
    expect(after.days.map((d: { day: string; stock: number; sold: number }) => [d.day, d.stock, d.sold])).toEqual(weekdays.map((d) => [d, 40, d === sold ? 6 : 0]));
    await screenshot(page, "calendar-bulk-refused");

    // A past start day is refused next to its field.
    await form.getByLabel("开始日期").fill(dashed(shanghaiDay(-1)));
    await form.getByLabel("库存（张）").fill("50");
    await form.getByRole("button", { name: "批量设置" }).click();
    await expectText(fieldError(form, "开始日期"), `from 不能早于今天(${shanghaiDay(0)})`);
  });
});

describe("the orders' CSV", () => {
  it("downloads what the list's filters show, as the API's CSV with a BOM and a Chinese header", async () => {
    const day = shanghaiDay(3);
    const customer = await api.aCustomer({ depositYuan: 1000 });
    const productId = await api.aTicketProduct(day, { priceYuan: 12.5 });
    const session = await api.login(customer);
    const orders: string[] = [];
    for (const [i, sender] of ["=HYPERLINK(\"http://x\")", "a,b", "plain"].entries()) {
      orders.push(await api.addOrder(session, { productId, day, tickets: i + 1, senderId: `${sender}${i}` }));
    }
    await api.pay(session, orders[1]!);

    const page = await openConsole(`#/orders?customer=${customer.dwid}`);
    await expect.poll(() => tableRows(main(page)).then((rows) => rows.length)).toBe(3);
    const [download] = await Promise.all([page.waitForEvent("download"), main(page).getByRole("button", { name: "导出CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^orders-\d{8}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const fromApi = await fetch(`${server.baseUrl}/admin/orders?customer=${customer.dwid}&format=csv`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(bytes.toString("utf8")).toBe(await fromApi.text().then((t) => `\uFEFF${t.replace(/^\uFEFF/, "")}`));
    const lines = bytes.toString("utf8").slice(1).split("\r\n");
    expect(lines[0]!.startsWith("订单号,客户ID,客户名称,第三方单号")).toBe(true);
    expect(lines.filter((l) => l !== "")).toHaveLength(4);
    expect(bytes.toString("utf8")).toContain(`"'=HYPERLINK(""http://x"")0"`);
    await expectText(main(page).locator(".export-status"), `已导出 ${download.suggestedFilename()}`);
    await screenshot(page, "orders-export");
  });
});
