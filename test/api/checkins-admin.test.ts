/**
 * GET /admin/checkins (the console's 入园 page) through the real Worker:
 * tickets admitted at real gates, counted per hour of the Asia/Shanghai day
 * by their admission instant — across midnight, where a UTC day would put
 * them elsewhere — per gate and per product, filtered by product and gate;
 * validation names the field and the rule; the admin token is required; the
 * range is read through the tickets_by_use index.
 *
 * The test clock moves to chosen Shanghai times of tomorrow and the day
 * after, so this file's storage holds no other check-ins on those days.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { CHECKINS_SQL, checkinsParams } from "../../src/db/checkins";
import { addDays, shanghaiDate, shanghaiDayStartMs } from "../../src/domain/dates";
import { aCustomer, admin, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aCalendarDay, aProduct, anOrderBody, d1Rows } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Moves the test clock to `hh:mm:ss` of the Shanghai day `day` (never back). */
function clockTo(day: string, hh: number, mm: number, ss = 0): void {
  const target = shanghaiDayStartMs(day) + hh * HOUR + mm * MINUTE + ss * 1000;
  const now = testClock.nowMs();
  if (target < now) throw new Error(`the test clock is already past ${day} ${hh}:${mm}`);
  testClock.advance(target - now);
}

async function paidTickets(c: TestCustomer, s: TestSession, productId: string, day: string, quantity: number): Promise<string[]> {
  const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: quantity }], { effectdate: day }), { token: s.token })).json()) as { resultcode: number; orderid: string };
  expect(added.resultcode).toBe(0);
  const paypassword = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword }, { token: s.token })).json()) as { resultcode: number };
  expect(paid.resultcode).toBe(0);
  return (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
}

async function admit(token: string, ticketcode: string): Promise<string> {
  const answer = (await (await partner(CHECK, { ticketcode }, { token })).json()) as { errcode: number; tag: { usedat: string } };
  expect(answer.errcode).toBe(0);
  return answer.tag.usedat;
}

const hoursOf = (body: { byHour: { hour: number; count: number }[] }) => Object.fromEntries(body.byHour.filter((h) => h.count > 0).map((h) => [h.hour, h.count]));

describe("GET /admin/checkins", () => {
  // Tomorrow and the day after, in Shanghai; filled in beforeAll.
  let day = "";
  let nextDay = "";
  let east: { gateId: string; token: string };
  let west: { gateId: string; token: string };
  let ticket = "";
  let boat = "";
  const usedAt: string[] = [];

  beforeAll(async () => {
    day = addDays(shanghaiDate(testClock.nowMs()), 1);
    nextDay = addDays(day, 1);
    const c = await aCustomer({ depositYuan: 5000 });
    const s = await loginAs(c);
    ticket = await aProduct({ price: 30 }, null);
    boat = await aProduct({ price: 50 }, null);
    for (const product of [ticket, boat]) for (const d of [day, nextDay]) await aCalendarDay(product, d, { stock: 50 });
    const tickets = await paidTickets(c, s, ticket, day, 3);
    const boats = await paidTickets(c, s, boat, day, 1);
    const tomorrows = await paidTickets(c, s, ticket, nextDay, 2);
    east = await aGate();
    west = await aGate();

    // 09:20 and 09:59 at the east gate, 10:00 at the west: Shanghai hours 9, 9, 10 (UTC 1, 1, 2).
    clockTo(day, 9, 20);
    usedAt.push(await admit(east.token, tickets[0]!));
    clockTo(day, 9, 59);
    usedAt.push(await admit(east.token, boats[0]!));
    clockTo(day, 10, 0, 1);
    usedAt.push(await admit(west.token, tickets[1]!));
    // Either side of Shanghai midnight (both 15:59 and 16:00 of one UTC day).
    clockTo(day, 23, 59, 30);
    usedAt.push(await admit(east.token, tickets[2]!));
    clockTo(nextDay, 0, 0, 20);
    usedAt.push(await admit(west.token, tomorrows[0]!));
    clockTo(nextDay, 15, 45);
    usedAt.push(await admit(west.token, tomorrows[1]!));
  });

  it("counts a day's admissions per Shanghai hour, per gate and per product, by when they were admitted", async () => {
    const answer = await admin("GET", `/admin/checkins?date=${day}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      date: day, productId: null, gateId: null, total: 4,
      from: new Date(shanghaiDayStartMs(day)).toISOString(), to: new Date(shanghaiDayStartMs(nextDay)).toISOString(),
    });
    expect(answer.body.byHour.map((h: { hour: number }) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(hoursOf(answer.body)).toEqual({ 9: 2, 10: 1, 23: 1 });
    expect(answer.body.byGate).toEqual([
      { gateId: east.gateId, name: `东门 ${east.gateId}`, count: 3, firstAt: usedAt[0], lastAt: usedAt[3] },
      { gateId: west.gateId, name: `东门 ${west.gateId}`, count: 1, firstAt: usedAt[2], lastAt: usedAt[2] },
    ]);
    expect(answer.body.byProduct).toEqual([
      { productId: ticket, name: `测试门票 ${ticket}`, count: 3, firstAt: usedAt[0], lastAt: usedAt[3] },
      { productId: boat, name: `测试门票 ${boat}`, count: 1, firstAt: usedAt[1], lastAt: usedAt[1] },
    ]);

    const next = await admin("GET", `/admin/checkins?date=${nextDay}`);
    expect([next.body.total, hoursOf(next.body)]).toEqual([2, { 0: 1, 15: 1 }]);
    expect(next.body.byGate.map((g: { gateId: string; count: number }) => [g.gateId, g.count])).toEqual([[west.gateId, 2]]);
    // The day before has none: every hour at 0.
    const before = await admin("GET", `/admin/checkins?date=${addDays(day, -1)}`);
    expect([before.body.total, hoursOf(before.body), before.body.byGate, before.body.byProduct]).toEqual([0, {}, [], []]);
  });

  it("filters by product, by gate, and by both", async () => {
    const byProduct = await admin("GET", `/admin/checkins?date=${day}&productid=${boat}`);
    expect([byProduct.body.productId, byProduct.body.total, hoursOf(byProduct.body)]).toEqual([boat, 1, { 9: 1 }]);
    expect(byProduct.body.byGate.map((g: { gateId: string; count: number }) => [g.gateId, g.count])).toEqual([[east.gateId, 1]]);

    const byGate = await admin("GET", `/admin/checkins?date=${day}&gateid=${west.gateId}`);
    expect([byGate.body.gateId, byGate.body.total, hoursOf(byGate.body)]).toEqual([west.gateId, 1, { 10: 1 }]);
    expect(byGate.body.byProduct.map((p: { productId: string }) => p.productId)).toEqual([ticket]);

    const both = await admin("GET", `/admin/checkins?date=${day}&productid=${ticket}&gateid=${east.gateId}`);
    expect([both.body.total, hoursOf(both.body)]).toEqual([2, { 9: 1, 23: 1 }]);
    const none = await admin("GET", `/admin/checkins?date=${day}&productid=${boat}&gateid=${west.gateId}`);
    expect([none.body.total, none.body.byGate]).toEqual([0, []]);
    const unknown = await admin("GET", `/admin/checkins?date=${day}&gateid=NO-SUCH-GATE`);
    expect([unknown.status, unknown.body.total]).toEqual([200, 0]);
  });

  it("reads the day's range through the tickets_by_use index, with or without filters", async () => {
    for (const filters of [{}, { productId: ticket }, { gateId: east.gateId }, { productId: ticket, gateId: east.gateId }]) {
      const params = checkinsParams({ fromMs: shanghaiDayStartMs(day), toMs: shanghaiDayStartMs(nextDay), ...filters });
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${CHECKINS_SQL}`).bind(...params).all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail).join("\n");
      expect(details, JSON.stringify(filters)).toMatch(/SEARCH t USING INDEX tickets_by_use \(used_at_ms>\? AND used_at_ms<\?\)/);
      expect(details).not.toMatch(/SCAN t\b/);
    }
  });

  it.each<[string, string, string]>([
    ["", "date", "date 为必填项"],
    ["date=2026-11-22", "date", "date 必须是yyyyMMdd格式的有效日期"],
    ["date=20260230", "date", "date 必须是yyyyMMdd格式的有效日期"],
    ["date=20261122&productid=a%20b", "productid", "productid 必须是1到36位字母、数字、_或-"],
    [`date=20261122&gateid=${"g".repeat(37)}`, "gateid", "gateid 必须是1到36位字母、数字、_或-"],
    ["date=20261122&date=20261123", "date", "date 类型错误,应为string"],
  ])("refuses ?%s: 400 naming %s", async (query, field, message) => {
    const answer = await admin("GET", `/admin/checkins?${query}`);
    expect(answer).toEqual({ status: 400, body: { error: { code: 6006, message, field } } });
  });

  it("needs the admin token: a gate's own token is refused too", async () => {
    for (const token of ["", "wrong-token", east.token]) {
      const answer = await admin("GET", `/admin/checkins?date=${day}`, undefined, token);
      expect(answer).toEqual({ status: 401, body: { error: { code: 6001, message: "缺少或错误的管理令牌" } } });
    }
  });
});
