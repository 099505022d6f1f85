/**
 * POST api/WebInterface/Product/Calendar (SPEC §10) through the real Worker,
 * InventoryDOs and local D1: what a partner may sell of one product between
 * two dates — each configured day with its price and what is available now
 * (stock − held − sold, as the day's InventoryDO counts them), per slot too —
 * with no side effects. Time moves with testClock only.
 */
import { env } from "cloudflare:workers";
import { deserialize } from "bson";
import { beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { addDays, shanghaiDate, shanghaiMinuteOfDay } from "../../src/domain/dates";
import { ProductCalendarParm } from "../../src/schemas/product-calendar";
import { contractOf } from "../../src/wire/contract";
import { writeXml } from "../../src/wire/xml";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, LATER, aCalendarDay, aProduct, anOrderBody, call, d1Rows, inventoryRows, liveStock } from "../helpers/catalogue";
import { accountState } from "../helpers/invariants";
import { paid } from "../helpers/payments";
import { NS_PARM_WI, XSI } from "../helpers/wire";

const CALENDAR = "/api/WebInterface/Product/Calendar";
const CANCEL = "/api/WebInterface/Order/Cancel";

let customer: TestCustomer;
let session: TestSession;
beforeAll(async () => {
  customer = await aCustomer({ depositYuan: 10_000 });
  session = await loginAs(customer);
});

const today = () => shanghaiDate(testClock.nowMs());

async function calendar(body: unknown, s = session): Promise<any> {
  const response = await partner(CALENDAR, body, { token: s.token });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return response.json();
}

async function pay(orderid: string): Promise<void> {
  await paid(customer, session, orderid);
}

/** The calendar's numbers for one day beside the InventoryDO's snapshot of it. */
async function dayAndSnapshot(productid: string, date: string) {
  const answer = await calendar({ productid, begindate: date, enddate: date });
  expect(answer.errcode).toBe(0);
  const day = answer.tag.days[0];
  const live = await liveStock(productid, date);
  return {
    calendar: { available: day.available, slots: day.timeslots.map((s: any) => [s.index, s.available]) },
    object: { available: live.available, slots: live.slots.map((s) => [s.index, s.available]) },
  };
}

describe("what a partner may sell", () => {
  it("each configured day of the range in date order, the day's price or the product's, stock and slots; a day without a calendar row is left out", async () => {
    const start = LATER();
    const productid = await aProduct({ price: 100 }, null);
    await aCalendarDay(productid, start, { stock: 10, price: 80 });
    await aCalendarDay(productid, addDays(start, 2), {
      stock: 5,
      timeslots: [
        { index: 2, start: "12:00", end: "17:00", capacity: 4 },
        { index: 1, start: "09:00", end: "12:00", capacity: 3 },
      ],
    });
    await aCalendarDay(productid, addDays(start, 4), { stock: 0, price: 99.5 });
    // Outside the range asked for.
    await aCalendarDay(productid, addDays(start, 5), { stock: 7 });

    const answer = await calendar({ productid, begindate: start, enddate: addDays(start, 4) });
    expect(Object.keys(answer)).toEqual(["errcode", "errmsg", "tag"]);
    expect(answer).toEqual({
      errcode: 0,
      errmsg: "成功",
      tag: {
        productid,
        name: `测试门票 ${productid}`,
        days: [
          { date: start, price: 80, available: 10, timeslots: [] },
          {
            date: addDays(start, 2),
            price: 100,
            available: 5,
            timeslots: [
              { index: 1, start: "09:00", end: "12:00", available: 3 },
              { index: 2, start: "12:00", end: "17:00", available: 4 },
            ],
          },
          // Configured and sold out (stock 0): listed, with nothing available.
          { date: addDays(start, 4), price: 99.5, available: 0, timeslots: [] },
        ],
      },
    });
    expect(Object.keys(answer.tag)).toEqual(["productid", "name", "days"]);
    expect(Object.keys(answer.tag.days[0])).toEqual(["date", "price", "available", "timeslots"]);
    expect(Object.keys(answer.tag.days[1].timeslots[0])).toEqual(["index", "start", "end", "available"]);
  });

  it("a range with no configured day answers 0 with no days", async () => {
    const productid = await aProduct({}, null);
    expect(await calendar({ productid, begindate: LATER(), enddate: addDays(LATER(), 3) })).toMatchObject({ errcode: 0, tag: { productid, days: [] } });
  });

  it("availability is the InventoryDO's after holds, a sale, a cancel — day and slots", async () => {
    const date = LATER();
    const productid = await aProduct({ price: 10 }, { stock: 10, timeslots: [
      { index: 1, start: "09:00", end: "12:00", capacity: 6 },
      { index: 2, start: "12:00", end: "17:00", capacity: 6 },
    ] });
    expect(await dayAndSnapshot(productid, date)).toEqual({
      calendar: { available: 10, slots: [[1, 6], [2, 6]] },
      object: { available: 10, slots: [[1, 6], [2, 6]] },
    });

    const held = await call(ADD, session, anOrderBody([{ productid, amount: 3 }], { timespanindex: 1 }));
    const sold = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { timespanindex: 2 }));
    await pay(sold.orderid);
    await expect.poll(() => liveStock(productid, date)).toMatchObject({ held: 3, sold: 2 });
    expect(await dayAndSnapshot(productid, date)).toEqual({
      calendar: { available: 5, slots: [[1, 3], [2, 4]] },
      object: { available: 5, slots: [[1, 3], [2, 4]] },
    });

    expect((await call(CANCEL, session, { orderid: held.orderid })).resultcode).toBe(0);
    expect(await dayAndSnapshot(productid, date)).toEqual({
      calendar: { available: 8, slots: [[1, 6], [2, 4]] },
      object: { available: 8, slots: [[1, 6], [2, 4]] },
    });
  });

  it("today: a slot that has ended shows 0 (Add refuses it 4305), and the day only what its open slots can take", async () => {
    // Keep clear of midnight, so "today" and the minute cannot turn over mid-test.
    let minute = shanghaiMinuteOfDay(testClock.nowMs());
    if (minute < 2 || minute > 23 * 60 + 55) {
      testClock.advance(((24 * 60 + 5 - minute) % (24 * 60)) * 60_000);
      minute = shanghaiMinuteOfDay(testClock.nowMs());
    }
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    const date = today();
    const productid = await aProduct({}, { date, stock: 10, timeslots: [
      { index: 1, start: "00:00", end: hhmm(minute), capacity: 6 },
      { index: 2, start: hhmm(minute), end: "23:59", capacity: 4 },
    ] });
    const answer = await calendar({ productid, begindate: date, enddate: date });
    expect(answer.tag.days).toEqual([{ date, price: 100, available: 4, timeslots: [
      { index: 1, start: "00:00", end: hhmm(minute), available: 0 },
      { index: 2, start: hhmm(minute), end: "23:59", available: 4 },
    ] }]);
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { effectdate: date, timespanindex: 1 }))).resultcode).toBe(4305);
  });

  it("a product-day whose InventoryDO was never asked (its row written straight into D1) has nothing held: all its stock", async () => {
    const productid = await aProduct({ price: 30 }, null);
    const date = addDays(LATER(), 1);
    await env.DB.prepare("INSERT INTO product_days (product_id, day, stock, price_fen, timeslots_json, updated_at_ms) VALUES (?, ?, 25, NULL, NULL, ?)")
      .bind(productid, date, testClock.nowMs()).run();
    expect((await calendar({ productid, begindate: date, enddate: date })).tag.days).toEqual([{ date, price: 30, available: 25, timeslots: [] }]);
    // Asking did not configure the object, nor hold anything in it.
    expect(await inventoryRows(productid, date)).toEqual({ config: [], slots: [], holds: [], seats: [], pending: [] });
  });

  it("90 days at most: a range of 90 configured days lists them all, read in one D1 query and one object call per day", async () => {
    const productid = await aProduct({ price: 12 }, null);
    const start = today();
    const dates = Array.from({ length: 90 }, (_, i) => addDays(start, i));
    await env.DB.batch(dates.map((d, i) =>
      env.DB.prepare("INSERT INTO product_days (product_id, day, stock, price_fen, timeslots_json, updated_at_ms) VALUES (?, ?, ?, NULL, NULL, ?)")
        .bind(productid, d, i + 1, testClock.nowMs())));
    const answer = await calendar({ productid, begindate: start, enddate: dates[89] });
    expect(answer.errcode).toBe(0);
    expect(answer.tag.days.map((d: any) => [d.date, d.available])).toEqual(dates.map((d, i) => [d, i + 1]));
    const longer = await calendar({ productid, begindate: start, enddate: addDays(start, 90) });
    expect(longer).toEqual({ errcode: 1105, errmsg: "enddate 与 begindate 之间不能超过90天(含首尾两天)", tag: null });
  });
});

describe("no side effects", () => {
  it("D1, the InventoryDOs and the customer's account are exactly what they were", async () => {
    const date = LATER();
    const productid = await aProduct({ price: 10 }, { stock: 10, timeslots: [{ index: 1, start: "09:00", end: "17:00", capacity: 10 }] });
    await aCalendarDay(productid, addDays(date, 1), { stock: 3 });
    const unpaid = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { timespanindex: 1 }));
    const paid = await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { timespanindex: 1 }));
    await pay(paid.orderid);
    await expect.poll(() => liveStock(productid, date)).toMatchObject({ held: 2, sold: 1 });

    const stores = async () => ({
      d1: {
        products: await d1Rows("SELECT * FROM products WHERE product_id = ?", productid),
        days: await d1Rows("SELECT * FROM product_days WHERE product_id = ? ORDER BY day", productid),
        orders: await d1Rows("SELECT * FROM orders WHERE order_id IN (?, ?) ORDER BY order_id", unpaid.orderid, paid.orderid),
        tickets: await d1Rows("SELECT * FROM tickets WHERE order_id = ? ORDER BY ticket_code", paid.orderid),
        // Ids only: the paid order's own notification is being delivered meanwhile.
        outbox: await d1Rows("SELECT id FROM outbox WHERE dwid = ? ORDER BY id", customer.dwid),
        fences: await d1Rows("SELECT count(*) AS n FROM order_fences"),
        orderCount: await d1Rows("SELECT count(*) AS n FROM orders"),
      },
      objects: [await inventoryRows(productid, date), await inventoryRows(productid, addDays(date, 1)), await inventoryRows(productid, addDays(date, 2))],
      account: await accountState(customer.dwid),
    });
    const before = await stores();
    for (let i = 0; i < 3; i++) {
      expect((await calendar({ productid, begindate: date, enddate: addDays(date, 2) })).errcode).toBe(0);
    }
    await Promise.all(Array.from({ length: 5 }, () => calendar({ productid, begindate: date, enddate: addDays(date, 2) })));
    expect(await stores()).toEqual(before);
  });
});

describe("the request's rules, each with its code and a message naming the field", () => {
  const cases: [label: string, code: number, body: () => Record<string, unknown>, message: string | RegExp][] = [
    ["begindate = enddate = today", 0, () => ({ begindate: today(), enddate: today() }), "成功"],
    ["90 days, today included", 0, () => ({ begindate: today(), enddate: addDays(today(), 89) }), "成功"],
    ["91 days", 1105, () => ({ begindate: today(), enddate: addDays(today(), 90) }), "enddate 与 begindate 之间不能超过90天(含首尾两天)"],
    ["91 days, later", 1105, () => ({ begindate: LATER(), enddate: addDays(LATER(), 90) }), "enddate 与 begindate 之间不能超过90天(含首尾两天)"],
    ["enddate before begindate", 1105, () => ({ begindate: addDays(today(), 2), enddate: addDays(today(), 1) }), "enddate 不能早于 begindate"],
    ["begindate yesterday", 1105, () => ({ begindate: addDays(today(), -1), enddate: today() }), /^begindate 不能早于今天\(\d{8},北京时间\)$/],
    ["begindate missing", 1101, () => ({ begindate: undefined, enddate: today() }), "begindate 为必填项"],
    ["enddate blank", 1101, () => ({ begindate: today(), enddate: "  " }), "enddate 为必填项"],
    ["begindate 30 February", 1104, () => ({ begindate: "20270230", enddate: "20270301" }), "begindate 必须是yyyyMMdd格式的有效日期"],
    ["enddate 9 digits", 1102, () => ({ begindate: today(), enddate: "202701011" }), "enddate 长度不能超过8"],
    ["enddate an object", 1106, () => ({ begindate: today(), enddate: { d: 1 } }), "enddate 类型错误"],
    ["productid missing", 1101, () => ({ productid: undefined, begindate: today(), enddate: today() }), "productid 为必填项"],
    ["productid 37 characters", 1102, () => ({ productid: "x".repeat(37), begindate: today(), enddate: today() }), "productid 长度不能超过36"],
  ];
  let productid: string;
  beforeAll(async () => {
    productid = await aProduct({}, null);
  });
  it.each(cases)("%s → %i", async (_label, code, body, message) => {
    const answer = await calendar({ productid, ...body() });
    expect(answer.errcode).toBe(code);
    if (typeof message === "string") expect(answer.errmsg).toContain(message);
    else expect(answer.errmsg).toMatch(message);
    if (code !== 0) expect(answer.tag).toBeNull();
  });
});

const NOT_A_CALENDAR_TICKET = "该产品不是日历门票,没有可售日历(年卡请用 Order/YearCard/AddOrder 预订)";

describe("the product's own refusals", () => {
  it.each([
    ["unknown", 4201, "产品不存在", async () => uniqueId("NOPE")],
    ["not on sale", 4202, "该产品已停售", async () => aProduct({ onSale: false }, {})],
    ["an annual card", 4204, NOT_A_CALENDAR_TICKET, async () => aProduct({ kind: "yearcard" }, {})],
    ["a retail product", 4204, NOT_A_CALENDAR_TICKET, async () => {
      const id = uniqueId("R");
      expect((await admin("PUT", `/admin/products/${id}`, { name: "零售", kind: "retail", price: 3 })).status).toBe(201);
      return id;
    }],
  ] as const)("%s → %i", async (_label, code, message, make) => {
    const productid = await make();
    expect(await calendar({ productid, begindate: LATER(), enddate: LATER() })).toEqual({ errcode: code, errmsg: message, tag: null });
  });
});

describe("every body format, answered in the negotiated one", () => {
  it("DataContract XML in (ProductCalendarParm), the generic envelope out in XML", async () => {
    const date = LATER();
    const productid = await aProduct({ price: 5 }, { stock: 3 });
    const xml = `<ProductCalendarParm xmlns="${NS_PARM_WI}" xmlns:i="${XSI}"><begindate>${date}</begindate><enddate>${date}</enddate><productid>${productid}</productid></ProductCalendarParm>`;
    const response = await partner(CALENDAR, xml, { token: session.token, contentType: "application/xml" });
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const text = await response.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfProductCalendarResult\w{8} xmlns:i=/);
    expect(text).toContain("<errcode>0</errcode>");
    expect(text).toContain(`<d2p1:ProductCalendarDay><d2p1:available>3</d2p1:available><d2p1:date>${date}</d2p1:date><d2p1:price>5.00</d2p1:price><d2p1:timeslots /></d2p1:ProductCalendarDay>`);
    expect(text).toContain(`<d2p1:productid>${productid}</d2p1:productid>`);
    // The writer's own request type reads back the same.
    const written = writeXml(contractOf(ProductCalendarParm), { productid, begindate: date, enddate: date });
    const again = await partner(CALENDAR, written, { token: session.token, contentType: "text/xml", accept: "application/json" });
    expect(((await again.json()) as any).tag.days).toEqual([{ date, price: 5, available: 3, timeslots: [] }]);
  });

  it("a form body, and a BSON body answered in BSON", async () => {
    const date = LATER();
    const productid = await aProduct({ price: 5 }, { stock: 3 });
    const form = await partner(CALENDAR, { productid, begindate: date, enddate: date }, { token: session.token, format: "form" });
    expect(((await form.json()) as any).tag.days).toEqual([{ date, price: 5, available: 3, timeslots: [] }]);
    const bson = await partner(CALENDAR, { PRODUCTID: productid, BeginDate: date, enddate: date }, { token: session.token, format: "bson" });
    expect(bson.headers.get("content-type")).toMatch(/^application\/bson/);
    expect(deserialize(new Uint8Array(await bson.arrayBuffer()))).toMatchObject({ errcode: 0, tag: { productid, days: [{ date, available: 3, timeslots: [] }] } });
  });

  it("without a session: 401 in the envelope", async () => {
    const response = await partner(CALENDAR, { productid: "P", begindate: LATER(), enddate: LATER() });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errcode: 2001, tag: null });
  });
});
