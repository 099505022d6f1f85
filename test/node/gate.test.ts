/**
 * The gate (SPEC §10 核销, issue 16) in a real browser: Debian's chromium
 * driven by playwright-core against `wrangler dev`. The gate screen (/gate)
 * signs in with a token an operator made through the admin API, admits and
 * refuses what the server says, answers 网络异常 — never a refusal — when
 * no answer comes, and retries with the same checkid (read from the
 * browser's own request log). The console's 闸机, 入园 and 门票查询 pages
 * show what the gates did.
 *
 * Keys are typed into whatever has focus, as a USB or Bluetooth scanner
 * does: a test that types a code proves the field had focus.
 */
import type { Browser, Page, Request, Route } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { expectText, LAPTOP, newPage, screenshot, shownShanghaiTime, signIn, tableRows, TABLET, textOf } from "./browser";
import { aResidentId, Api, shanghaiDay, uniqueId, type Session } from "./partner";
import type { TestServer } from "./server";
import { browserSuite } from "./suite";

let server: TestServer;
let browser: Browser;
let api: Api;
/** A phone held at the gate, and a tablet in landscape on a stand. */
const PHONE = { width: 390, height: 844 };
const GATE_TABLET = { width: 1024, height: 768 };
const CHECK_PATH = "/api/WebInterface/Ticket/Check";

const suite = browserSuite();
beforeAll(() => void ({ server, browser, api } = suite));
const pages = suite.pages;

async function aPage(viewport = GATE_TABLET): Promise<Page> {
  const { page } = await newPage(browser, server.baseUrl, viewport);
  pages.push(page);
  return page;
}

/** The gate screen, signed in with `token`. */
async function openGate(token: string, viewport = GATE_TABLET): Promise<Page> {
  const page = await aPage(viewport);
  await page.goto("/gate");
  await page.getByLabel("闸机令牌").fill(token);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("#scan").waitFor();
  return page;
}

/** What a scanner does: the characters and Enter, into the focused element. */
async function scan(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press("Enter");
}

const answer = (page: Page) => page.locator(".result");
const focusedId = (page: Page) => page.evaluate("document.activeElement?.id ?? null");

/** The check requests the page sent that carried a scan (the sign-in probe carries none). */
function scanLog(page: Page): Record<string, string>[] {
  const log: Record<string, string>[] = [];
  page.on("request", (request: Request) => {
    if (!request.url().endsWith(CHECK_PATH)) return;
    const body = request.postDataJSON() as Record<string, string>;
    if (body.checkid) log.push(body);
  });
  return log;
}

/** A customer with a deposit and a session. */
async function aBuyer(): Promise<Session> {
  return api.login(await api.aCustomer({ depositYuan: 5000 }));
}

/** `count` paid tickets of `productId` for `day`. */
async function paidTickets(session: Session, productId: string, day: string, count: number): Promise<{ orderId: string; codes: string[] }> {
  const orderId = await api.addOrder(session, { productId, day, tickets: count, senderId: uniqueId("GT-", 32) });
  await api.pay(session, orderId);
  return { orderId, codes: await api.ticketCodes(session, orderId) };
}

/** A resident ID whose check character is a digit (so it looks like a ticket code too) or X. */
function residentIdEndingIn(kind: "digit" | "X", birthDate: string): string {
  for (let sequence = Math.floor(Math.random() * 800) + 100; ; sequence++) {
    const id = aResidentId(birthDate, sequence % 1000);
    if ((id.endsWith("X") ? "X" : "digit") === kind) return id;
  }
}

const dashed = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;
const shanghaiHour = (iso: string) => Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", hourCycle: "h23" }).format(new Date(iso)));

describe("the gate screen", () => {
  it("is served at /gate from the assets", async () => {
    const page = await fetch(`${server.baseUrl}/gate`, { redirect: "manual" });
    expect([page.status, page.headers.get("content-type")]).toEqual([200, expect.stringMatching(/text\/html/)]);
    expect(await page.text()).toContain("闸机验票");
    const slash = await fetch(`${server.baseUrl}/gate/`, { redirect: "manual" });
    expect([slash.status, slash.headers.get("location")]).toEqual([307, "/gate"]);
    expect((await fetch(`${server.baseUrl}/gate/gate.js`)).headers.get("content-type")).toMatch(/javascript/);
  });

  it("signs in with its token, admits a ticket in green, refuses it again and an unknown code in red, admits by ID number, and is ready for the next guest within about a second", async () => {
    const today = shanghaiDay(0);
    const session = await aBuyer();
    const productId = await api.aTicketProduct(today, { name: "景区大门票" });
    const { codes } = await paidTickets(session, productId, today, 2);
    const realName = await api.aTicketProduct(today, { name: "实名制门票", realName: true });
    const idNumber = residentIdEndingIn("digit", "19900307");
    const holderOrder = await api.addOrder(session, { productId: realName, day: today, tickets: 1, senderId: uniqueId("RN-", 32), holder: { fullname: "张三", idNumber } });
    await api.pay(session, holderOrder);
    const [holderCode] = await api.ticketCodes(session, holderOrder);
    const gate = await api.aGate("东门1号闸机");

    const page = await aPage();
    await page.goto("/gate");
    await screenshot(page, "gate-sign-in");
    await page.getByLabel("闸机令牌").fill(`${gate.token.slice(0, -4)}AAAA`);
    await page.getByRole("button", { name: "登录" }).click();
    await expectText(page.locator(".sign-in .form-error"), "闸机令牌无效或已更换，请向运营人员索取新令牌");
    await page.getByLabel("闸机令牌").fill(gate.token);
    await page.getByRole("button", { name: "登录" }).click();
    await expectText(page.locator(".bar .gate-name"), `闸机 ${gate.gateId}`);
    expect(await page.evaluate("localStorage.getItem('eticket.gate.token')")).toBe(gate.token);
    expect(await focusedId(page)).toBe("scan");
    await screenshot(page, "gate-ready");
    const log = scanLog(page);

    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".verdict"), "通过");
    expect(await answer(page).getAttribute("class")).toBe("result pass");
    const shown = await textOf(answer(page));
    for (const fact of [productId, dashed(today), codes[0]!]) expect(shown).toContain(fact);
    expect(await page.locator("#scan").inputValue()).toBe("");
    expect(await focusedId(page)).toBe("scan");
    await screenshot(page, "gate-pass");
    // Back to ready by itself in about a second.
    const shownAt = Date.now();
    await answer(page).waitFor({ state: "hidden", timeout: 3_000 });
    expect(Date.now() - shownAt).toBeLessThan(2_000);
    await expectText(page.locator(".last"), `通过 · ${codes[0]}`);

    const used = (await api.admin("GET", `/admin/tickets?code=${codes[0]}`)).items[0];
    expect(used).toMatchObject({ status: "used", gateId: gate.gateId });
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".verdict"), "拒绝");
    expect(await answer(page).getAttribute("class")).toBe("result refuse");
    expect(await textOf(answer(page).locator(".reason"))).toBe("门票已使用");
    await expectText(answer(page).locator(".note"), `${shownShanghaiTime(used.usedAt)} 已在闸机 ${gate.gateId} 入园`);
    await screenshot(page, "gate-refuse");

    // The next scan begins before the second is over: the answer gives way at its first character.
    await page.keyboard.type("9");
    await answer(page).waitFor({ state: "hidden", timeout: 500 });
    await scan(page, "99999999");
    await expectText(answer(page).locator(".verdict"), "拒绝");
    await expectText(answer(page).locator(".reason"), "门票不存在");
    await expectText(answer(page), "错误码 4801");

    // An 18-digit ID number looks like a code: tried as one first, then as the ID, under the same scan's checkid.
    await scan(page, idNumber);
    await expectText(answer(page).locator(".verdict"), "通过");
    await expectText(answer(page), holderCode!);
    expect(log.slice(-2).map((body) => Object.keys(body).sort())).toEqual([["checkid", "ticketcode"], ["checkid", "idnumber"]]);
    expect(log.at(-1)!.checkid).toBe(log.at(-2)!.checkid);
    expect(log.at(-1)!.idnumber).toBe(idNumber);
    // Every scan had its own checkid, a UUID.
    const scans = [...new Set(log.map((body) => body.checkid))];
    expect(scans).toHaveLength(4);
    for (const id of scans) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // An ID ending in X can only be an ID: sent as one, once.
    const xId = residentIdEndingIn("X", "19850101");
    const xOrder = await api.addOrder(session, { productId: realName, day: today, tickets: 1, senderId: uniqueId("RX-", 32), holder: { fullname: "李四", idNumber: xId } });
    await api.pay(session, xOrder);
    await scan(page, xId.toLowerCase());
    await expectText(answer(page).locator(".verdict"), "通过");
    expect(log.at(-1)).toEqual({ idnumber: xId, checkid: expect.any(String) });
    expect(log.at(-2)!.checkid).not.toBe(log.at(-1)!.checkid);

    // The device stays a gate across a reload.
    await page.reload();
    await page.locator("#scan").waitFor();
    expect(await focusedId(page)).toBe("scan");
    await scan(page, codes[1]!);
    await expectText(answer(page).locator(".verdict"), "通过");
  });

  it("on a phone: the field, the answer and its reason fit the screen", async () => {
    const today = shanghaiDay(0);
    const session = await aBuyer();
    const productId = await api.aTicketProduct(today, { name: "景区大门票" });
    const { codes } = await paidTickets(session, productId, today, 1);
    const gate = await api.aGate("南门手持机");
    const page = await openGate(gate.token, PHONE);
    await screenshot(page, "gate-phone");
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".verdict"), "通过");
    await answer(page).waitFor({ state: "hidden", timeout: 3_000 });
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".reason"), "门票已使用");
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    const reason = await answer(page).locator(".reason").boundingBox();
    expect(reason!.x).toBeGreaterThanOrEqual(0);
    expect(reason!.x + reason!.width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "gate-phone-refuse");
  });

  it("a wrong or replaced token sends the gate back to sign in, saying why; signing out forgets the token", async () => {
    const today = shanghaiDay(0);
    const session = await aBuyer();
    const productId = await api.aTicketProduct(today);
    const { codes } = await paidTickets(session, productId, today, 2);
    const gate = await api.aGate("西门闸机");
    const page = await openGate(gate.token);

    // Replaced in the console while the gate was in use: the next scan is 401, nothing admitted.
    const rotated = await api.admin("POST", `/admin/gates/${gate.gateId}/token`);
    await scan(page, codes[0]!);
    await expectText(page.locator(".sign-in .form-error"), "闸机令牌无效或已更换（可能已在控制台更换令牌），请重新登录");
    expect(await page.evaluate("localStorage.getItem('eticket.gate.token')")).toBeNull();
    expect((await api.admin("GET", `/admin/tickets?code=${codes[0]}`)).items[0].status).toBe("valid");

    // A stale token found at start-up: sign-in before the first guest.
    await page.evaluate((token) => localStorage.setItem("eticket.gate.token", token), gate.token);
    await page.reload();
    await expectText(page.locator(".sign-in .form-error"), "闸机令牌无效或已更换");

    await page.getByLabel("闸机令牌").fill(rotated.token);
    await page.getByRole("button", { name: "登录" }).click();
    await page.locator("#scan").waitFor();
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".verdict"), "通过");

    // Signing out asks first, then forgets the token.
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByRole("button", { name: "取消" }).click();
    expect(await focusedId(page)).toBe("scan");
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByRole("button", { name: "确认退出" }).click();
    await page.getByLabel("闸机令牌").waitFor();
    expect(await page.evaluate("localStorage.length")).toBe(0);
  });

  it("shows 网络异常, not a refusal, when the answer is lost or never comes; the retry carries the same checkid and is admitted once", async () => {
    const today = shanghaiDay(0);
    const session = await aBuyer();
    const productId = await api.aTicketProduct(today);
    const { codes } = await paidTickets(session, productId, today, 3);
    const gate = await api.aGate("北门闸机");
    const page = await openGate(gate.token);
    const log = scanLog(page);

    /** What the network does to the next check: its answer lost after the server admitted, no answer at all, or a 503. */
    let fault: "lose-answer" | "hang" | "503" | null = null;
    const hung: Route[] = [];
    await page.route(`**${CHECK_PATH}`, async (route) => {
      const now = fault;
      fault = null;
      if (now === "lose-answer") {
        await route.fetch();
        return route.abort("failed");
      }
      if (now === "hang") return void hung.push(route);
      if (now === "503") {
        return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ errcode: 9003, errmsg: "系统暂时繁忙,本次请求的结果尚未确定" }) });
      }
      return route.continue();
    });

    // 1. The server admitted the ticket, the answer was lost on the way back.
    fault = "lose-answer";
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".verdict"), "网络异常");
    expect(await answer(page).getAttribute("class")).toBe("result retry");
    await expectText(answer(page).locator(".reason"), "无法连接服务器");
    await expectText(answer(page), "不是拒绝");
    expect((await api.admin("GET", `/admin/tickets?code=${codes[0]}`)).items[0].status).toBe("used");
    await screenshot(page, "gate-network");
    // It stays until someone acts: well past the second an answer is shown.
    await page.waitForTimeout(1_500);
    expect(await answer(page).isVisible()).toBe(true);
    await answer(page).getByRole("button", { name: "重试" }).click();
    await expectText(answer(page).locator(".verdict"), "通过");
    expect(log.slice(-2).map((body) => body.ticketcode)).toEqual([codes[0], codes[0]]);
    expect(log.at(-1)!.checkid).toBe(log.at(-2)!.checkid);
    expect(await focusedId(page)).toBe("scan");
    const once = (await api.admin("GET", `/admin/tickets?code=${codes[0]}`)).items[0];
    expect(once.history.filter((e: { event: string }) => e.event === "used")).toHaveLength(1);

    // 2. No answer at all: after the 5 s timeout 网络异常; the guest scans the same ticket again — the same scan.
    fault = "hang";
    const sentAt = Date.now();
    await scan(page, codes[1]!);
    await expectText(answer(page).locator(".reason"), "服务器没有应答");
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(4_500);
    expect(Date.now() - sentAt).toBeLessThan(9_000);
    await scan(page, codes[1]!);
    await expectText(answer(page).locator(".verdict"), "通过");
    expect(log.slice(-2).map((body) => body.ticketcode)).toEqual([codes[1], codes[1]]);
    expect(log.at(-1)!.checkid).toBe(log.at(-2)!.checkid);

    // 3. HTTP 503 (outcome not known yet): Enter on the empty field sends the scan again.
    fault = "503";
    await scan(page, codes[2]!);
    await expectText(answer(page).locator(".reason"), "系统暂时繁忙，结果未确定");
    await page.keyboard.press("Enter");
    await expectText(answer(page).locator(".verdict"), "通过");
    expect(log.at(-1)!.checkid).toBe(log.at(-2)!.checkid);

    // A different ticket after a failure is a new scan with its own checkid.
    await answer(page).waitFor({ state: "hidden", timeout: 3_000 });
    fault = "lose-answer";
    await scan(page, "12345678");
    await expectText(answer(page).locator(".verdict"), "网络异常");
    await scan(page, codes[0]!);
    await expectText(answer(page).locator(".reason"), "门票已使用");
    expect(log.at(-1)!.checkid).not.toBe(log.at(-2)!.checkid);
    for (const route of hung) await route.abort().catch(() => undefined);
  });
});

describe("the console's 闸机 page", () => {
  it("registers a gate and shows its token once with a copy button; the gate signs in with it; a new token ends the old", async () => {
    const { page, context } = await newPage(browser, server.baseUrl, LAPTOP);
    pages.push(page);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signIn(page, server.adminToken, "#/gates");
    await expectText(page.locator("#view h2"), "闸机");
    const gateId = uniqueId("EAST-", 20);

    await page.getByLabel("闸机ID").fill("east 1");
    await page.getByLabel("名称").fill("东门1号闸机");
    await page.getByRole("button", { name: "保存" }).click();
    await expectText(page.locator("label.field", { hasText: "闸机ID" }).locator(".field-error"), /gateid 必须是1到36位字母、数字、_或-/);
    await page.getByLabel("闸机ID").fill(gateId);
    await page.getByLabel("名称").fill("");
    await page.getByRole("button", { name: "保存" }).click();
    await expectText(page.locator("label.field", { hasText: "名称" }).locator(".field-error"), /name .*（错误码 6006）/);

    await page.getByLabel("名称").fill("东门1号闸机");
    await page.getByRole("button", { name: "保存" }).click();
    const panel = page.locator(".gate-token");
    await expectText(panel, `东门1号闸机（${gateId}）已登记。闸机令牌只显示这一次`);
    const token = await textOf(panel.locator(".secret-value"));
    expect(token).toMatch(/^g1\./);
    await panel.getByRole("button", { name: "复制令牌" }).click();
    await expectText(panel.locator(".copy-outcome"), "已复制");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(token);
    await expect.poll(() => tableRows(page.locator("#view")).then((rows) => rows.find((r) => r[0] === gateId)?.slice(0, 3))).toEqual([gateId, "东门1号闸机", "全部产品"]);
    await screenshot(page, "gates");

    // The token works at the gate.
    const gatePage = await openGate(token);
    await expectText(gatePage.locator(".bar .gate-name"), `闸机 ${gateId}`);

    // Edited: the token stays, and is not shown again.
    const row = page.locator(`tr[data-key="${gateId}"]`);
    await row.getByRole("button", { name: "修改" }).click();
    expect(await page.getByLabel("闸机ID").inputValue()).toBe(gateId);
    await page.getByLabel("接待产品").fill("P-A, P-B");
    await page.getByRole("button", { name: "保存" }).click();
    await expectText(page.locator(".gate-form .form-ok"), `闸机 ${gateId} 已修改（令牌不变）`);
    await expectText(row, "P-A、P-B");
    expect(await textOf(panel.locator(".secret-value"))).toBe(token);

    // A new token, confirmed first: shown once, and the old one stops at once.
    await row.getByRole("button", { name: "更换令牌…" }).click();
    await expectText(row.locator(".confirm"), `更换后 东门1号闸机（${gateId}）的旧令牌立即失效`);
    await row.getByRole("button", { name: "确认更换" }).click();
    await expectText(panel, `东门1号闸机（${gateId}）已更换令牌`);
    const fresh = await textOf(panel.locator(".secret-value"));
    expect(fresh).not.toBe(token);
    expect((await api.check(token, {})).errcode).toBe(2009);
    expect((await api.check(fresh, {})).errcode).toBe(1101);
    await scan(gatePage, "12345678");
    await expectText(gatePage.locator(".sign-in .form-error"), "闸机令牌无效或已更换");
  });
});

describe("the console's 入园 page", () => {
  it("charts a day's admissions per Shanghai hour with bars to scale, and counts them by gate and product", async () => {
    const today = shanghaiDay(0);
    const session = await aBuyer();
    const ticket = await api.aTicketProduct(today, { name: "景区大门票" });
    const boat = await api.aTicketProduct(today, { name: "游船票" });
    const tickets = await paidTickets(session, ticket, today, 3);
    const boats = await paidTickets(session, boat, today, 1);
    const east = await api.aGate("东门1号闸机");
    const west = await api.aGate("西门闸机");
    const admitted: string[] = [];
    for (const [gate, code] of [[east, tickets.codes[0]], [east, tickets.codes[1]], [east, boats.codes[0]], [west, tickets.codes[2]]] as const) {
      const checked = await api.check(gate.token, { ticketcode: code! });
      expect(checked.errcode).toBe(0);
      admitted.push(checked.tag.usedat);
    }

    // One gate's day: its three admissions, by the hours they happened in.
    const page = await aPage(LAPTOP);
    await signIn(page, server.adminToken, `#/checkins?date=${today}&gateid=${east.gateId}`);
    const expectedHours = new Map<number, number>();
    for (const at of admitted.slice(0, 3)) expectedHours.set(shanghaiHour(at), (expectedHours.get(shanghaiHour(at)) ?? 0) + 1);
    await expectText(page.locator("[data-key=total]"), "3 人次");
    await expectBars(page, expectedHours);
    await expectText(page.locator(".axis-top"), "（纵轴最高 5）");
    const hour = [...expectedHours.keys()][0]!;
    const pad = (n: number) => String(n).padStart(2, "0");
    expect(await page.locator(`.bar-slot[data-hour="${hour}"]`).getAttribute("title")).toBe(`${pad(hour)}:00–${pad(hour + 1)}:00：${expectedHours.get(hour)} 人次`);
    expect(await tableRows(page.locator("#view .table-wrap:has(table.by-product)"))).toEqual([
      [ticket, "景区大门票", "2"],
      [boat, "游船票", "1"],
    ]);

    // The whole day (other tests' gates too): as the API counts it.
    await page.getByLabel("闸机").selectOption("");
    await page.getByRole("button", { name: "查询" }).click();
    await expect.poll(() => page.locator(".checkins [data-key=total] .label").innerText().catch(() => "")).toBe(`${dashed(today)} 入园`);
    const day = await api.admin("GET", `/admin/checkins?date=${today}`);
    await expectText(page.locator("[data-key=total]"), `${day.total} 人次`);
    await expectBars(page, new Map(day.byHour.filter((h: { count: number }) => h.count > 0).map((h: { hour: number; count: number }) => [h.hour, h.count])));
    const byGate = await tableRows(page.locator("#view .table-wrap:has(table.by-gate)"));
    expect(byGate.find((r) => r[0] === east.gateId)).toEqual([east.gateId, "东门1号闸机", "3", shownShanghaiTime(admitted[0]!), shownShanghaiTime(admitted[2]!)]);
    expect(byGate.find((r) => r[0] === west.gateId)).toEqual([west.gateId, "西门闸机", "1", shownShanghaiTime(admitted[3]!), shownShanghaiTime(admitted[3]!)]);
    expect(byGate.map((r) => Number(r[2]))).toEqual(day.byGate.map((g: { count: number }) => g.count));
    await screenshot(page, "checkins");

    // Another day: nothing; a product's filter; the gate's link in the table filters by it.
    await page.getByLabel("入园日期").fill(dashed(shanghaiDay(-1)));
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(page.locator("[data-key=total]"), "0 人次");
    await expectBars(page, new Map());
    await page.goto(`/console#/checkins?date=${today}&productid=${boat}`);
    await expectText(page.locator("[data-key=total]"), "1 人次");
    await expectText(page.locator(".axis-top"), "（纵轴最高 1）");

    const tablet = await aPage(TABLET);
    await signIn(tablet, server.adminToken, `#/checkins?date=${today}`);
    await expectText(tablet.locator("[data-key=total]"), `${day.total} 人次`);
    expect(await tablet.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
    await screenshot(tablet, "checkins-tablet");
  });
});

/**
 * The chart shows `counts` (hour → admissions) and nothing else: each bar's
 * label, and its height against its track — the axis's top, a round number
 * at or above the busiest hour — within a pixel.
 */
async function expectBars(page: Page, counts: Map<number, number>): Promise<void> {
  await expect.poll(() => page.locator(".bar-slot").count()).toBe(24);
  const max = Math.max(1, ...counts.values());
  const top = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((n) => n >= max)!;
  const bars = await page.locator(".bar-slot").evaluateAll((slots) =>
    slots.map((slot) => {
      const track = slot.querySelector(".bar-track")!.getBoundingClientRect();
      const bar = slot.querySelector(".bar-track > div")!.getBoundingClientRect();
      return { hour: Number(slot.getAttribute("data-hour")), value: slot.querySelector(".bar-value")!.textContent, track: track.height, bar: bar.height, label: slot.querySelector(".bar-hour")!.textContent };
    }),
  );
  expect(bars.map((b) => b.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  expect(bars.map((b) => b.label)).toEqual(Array.from({ length: 24 }, (_, i) => String(i).padStart(2, "0")));
  for (const b of bars) {
    const count = counts.get(b.hour) ?? 0;
    expect(b.value, `hour ${b.hour}`).toBe(count > 0 ? String(count) : "");
    expect(Math.abs(b.bar - (b.track * count) / top), `hour ${b.hour}: ${b.bar}px of ${b.track}px for ${count}/${top}`).toBeLessThanOrEqual(1);
  }
}

describe("the console's 门票查询 page", () => {
  it("shows a ticket's history as a timeline — paid, moved to today, admitted at a gate — and an ID number's tickets newest first, a refund among them", async () => {
    const today = shanghaiDay(0);
    const later = shanghaiDay(3);
    const session = await aBuyer();
    const productId = await api.aTicketProduct(later, { name: "实名制门票", realName: true });
    await api.admin("PUT", `/admin/products/${productId}/calendar/${today}`, { stock: 50 });
    const idNumber = residentIdEndingIn("X", "19921010");
    const orderId = await api.addOrder(session, { productId, day: later, tickets: 1, senderId: uniqueId("TH-", 32), holder: { fullname: "王五", idNumber } });
    await api.pay(session, orderId);
    const [code] = await api.ticketCodes(session, orderId);
    await api.changeDate(session, orderId, today);
    const gate = await api.aGate("东门1号闸机");
    expect((await api.check(gate.token, { idnumber: idNumber })).errcode).toBe(0);
    // A later ticket of the same guest, refunded.
    const second = await api.addOrder(session, { productId, day: later, tickets: 1, senderId: uniqueId("TR-", 32), holder: { fullname: "王五", idNumber } });
    await api.pay(session, second);
    const refund = await api.refund(session, { orderId: second, refundId: uniqueId("RF-", 30), reason: "行程取消" });
    const history = (await api.admin("GET", `/admin/tickets?code=${code}`)).items[0].history as { at: string }[];

    const page = await aPage(LAPTOP);
    await signIn(page, server.adminToken, "#/tickets");
    await page.getByLabel("门票码或证件号码").fill(code!);
    await page.getByRole("button", { name: "查询" }).click();
    expect(page.url()).toContain(`#/tickets?code=${code}`);
    const card = page.locator(`.ticket-card[data-code="${code}"]`);
    await expectText(card.locator(".badge"), "已使用");
    await expectText(card.locator(".facts"), `实名制门票（${productId}）`);
    await expectText(card.locator(".facts"), dashed(today));
    await expectText(card.locator(".facts"), "王五 110101********");
    const timeline = await card.locator(".timeline li").evaluateAll((items) => items.map((li) => [li.querySelector("time")!.textContent, li.querySelector("span")!.textContent]));
    expect(timeline).toEqual([
      [shownShanghaiTime(history[0]!.at), `下单（订单 ${orderId}，客户 ${session.customer.dwid}）`],
      [shownShanghaiTime(history[1]!.at), "支付成功，出票"],
      [shownShanghaiTime(history[2]!.at), `改期：${dashed(later)} → ${dashed(today)}`],
      [shownShanghaiTime(history[3]!.at), `入园：闸机 ${gate.gateId}（东门1号闸机）`],
    ]);
    expect(await card.getByRole("link", { name: orderId }).getAttribute("href")).toBe(`#/orders/${orderId}`);
    await screenshot(page, "ticket-search");

    // The order's page says when and where each ticket went in, and leads back here.
    await card.getByRole("link", { name: orderId }).click();
    const row = page.locator("#view table.tickets tbody tr", { hasText: code! });
    await expectText(row, `${shownShanghaiTime(history[3]!.at)} 闸机 ${gate.gateId}`);
    await expectText(row, "已使用");
    await row.getByRole("link", { name: code! }).click();
    await expectText(page.locator(`.ticket-card[data-code="${code}"] .badge`), "已使用");

    await page.getByLabel("查询方式").selectOption("idnumber");
    await page.getByLabel("门票码或证件号码").fill(idNumber);
    await page.getByRole("button", { name: "查询" }).click();
    await expectText(page.locator(".ticket-results .list-status"), "共 2 张");
    const cards = page.locator(".ticket-card");
    expect(await cards.evaluateAll((all) => all.map((c) => c.getAttribute("data-code")))).toEqual([refund.tickets[0], code]);
    await expectText(cards.first().locator(".badge"), "已退");
    await expectText(cards.first().locator(".timeline li").last(), `退票：退款单号 ${refund.refundid}，合作方，原因：行程取消`);
    await screenshot(page, "ticket-search-id");

    await page.goto("/console#/tickets?code=000000000000000001");
    await expectText(page.locator(".ticket-results"), "没有门票码为 000000000000000001 的门票");
  });
});

describe("the console's navigation", () => {
  it("keeps its ten links on one line at tablet width", async () => {
    const page = await aPage(TABLET);
    await signIn(page, server.adminToken, "#/checkins");
    const tops = await page.locator("#nav a").evaluateAll((links) => links.map((a) => Math.round(a.getBoundingClientRect().top)));
    expect(tops).toHaveLength(10);
    expect(new Set(tops).size).toBe(1);
    expect(await page.locator("#nav a[aria-current]").innerText()).toBe("入园");
    expect(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")).toBe(true);
  });
});
