/**
 * Every check of SPEC §5.5, one line per case with its expected code,
 * through the real Worker: Verify answers errcode = the code; Add answers
 * resultcode = the same code and leaves no order behind.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes, type ResultKey } from "../../src/domain/codes";
import { addDays, shanghaiDate, shanghaiMinuteOfDay } from "../../src/domain/dates";
import { aCustomer, loginAs, uniqueId, type TestSession } from "../helpers/api";
import {
  ADD, LATER, TODAY, VERIFY, aProduct, aResidentId, anOrderBody, anotherResidentId, call, liveStock, withWrongCheck, type LineBody,
} from "../helpers/catalogue";

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});

const slots = [
  { index: 1, start: "09:00", end: "12:00", capacity: 2 },
  { index: 2, start: "13:00", end: "17:00", capacity: 2 },
];
const validId = aResidentId("19900307", 447);

/** An order placed first (through Add), so that the case meets existing stock, seats or limits. */
async function placed(body: Record<string, unknown>): Promise<void> {
  const r = await call(ADD, session, body);
  if (r.resultcode !== 0) throw new Error(`setup order refused: ${JSON.stringify(r)}`);
}

type Case = [label: string, key: ResultKey, body: () => Promise<Record<string, unknown>>, message?: string];

const order = (lines: LineBody[], extra: Record<string, unknown> = {}) => anOrderBody(lines, extra);
const one = async (options = {}, day: object | null = {}, line: Partial<LineBody> = {}, extra = {}) =>
  order([{ productid: await aProduct(options, day), amount: 1, ...line }], extra);

const cases: Case[] = [
  // 42xx — the product and the date
  ["an unknown product", "orderProductNotFound", async () => order([{ productid: uniqueId("nope"), amount: 1 }])],
  ["an annual card", "productKindMismatch", () => one({ kind: "yearcard" })],
  ["a retail product", "productKindMismatch", () => one({ kind: "retail" })],
  ["a product off sale", "productNotOnSale", () => one({ onSale: false })],
  ["a day with no calendar row", "productNotOnSaleThatDay", () => one({}, null)],
  ["a date in the past (Asia/Shanghai)", "effectDatePast", () => one({}, { date: addDays(TODAY(), -1) }, {}, { effectdate: addDays(TODAY(), -1) })],
  ["the second line's product is unknown", "orderProductNotFound", async () =>
    order([{ productid: await aProduct(), amount: 1 }, { productid: uniqueId("nope"), amount: 1 }]), "第2条明细：产品不存在"],

  // 43xx — stock, slots, seats
  ["more than the day's stock", "stockSoldOut", () => one({}, { stock: 1 }, { amount: 2 })],
  ["stock held by another order", "stockSoldOut", async () => {
    const productid = await aProduct({}, { stock: 3 });
    await placed(order([{ productid, amount: 2 }]));
    return order([{ productid, amount: 2 }]);
  }],
  ["a day with slots, no timespanindex", "timeslotRequired", () => one({}, { stock: 4, timeslots: slots })],
  ["a slot that does not exist", "timeslotNotFound", () => one({}, { stock: 4, timeslots: slots }, {}, { timespanindex: 7 })],
  ["timespanindex 0", "timeslotNotFound", () => one({}, { stock: 4, timeslots: slots }, {}, { timespanindex: 0 })],
  ["a full slot", "timeslotSoldOut", () => one({}, { stock: 4, timeslots: slots }, { amount: 3 }, { timespanindex: 1 })],
  ["-1 when no slot has room for all", "noTimeslotAvailable", () => one({}, { stock: 4, timeslots: slots }, { amount: 3 }, { timespanindex: -1 })],
  ["a seat held by another order", "seatTaken", async () => {
    const productid = await aProduct();
    await placed(order([{ productid, amount: 1, seatitems: [{ seatid: "R1-07" }] }]));
    return order([{ productid, amount: 2, seatitems: [{ seatid: "R1-08" }, { seatid: "R1-07" }] }]);
  }],
  ["fewer seats than tickets", "seatCountMismatch", () => one({}, {}, { amount: 2, seatitems: [{ seatid: "A1" }] })],
  ["an empty seat id", "seatCountMismatch", () => one({}, {}, { amount: 1, seatitems: [{ seatid: " " }] })],
  ["one seat on two lines", "seatDuplicate", async () => {
    const productid = await aProduct();
    return order([{ productid, amount: 1, seatitems: [{ seatid: "A1" }] }, { productid, amount: 1, seatitems: [{ seatid: "A1" }] }]);
  }],

  // 44xx — limits
  ["more than the product's per-order maximum, over two lines", "maxPerOrderExceeded", async () => {
    const productid = await aProduct({ maxPerOrder: 2 });
    return order([{ productid, amount: 1 }, { productid, amount: 2 }]);
  }, "超过该产品单笔订单限购数量"],
  ["more than 1,000 tickets in one order", "orderTooLarge", () => one({}, { stock: 5000 }, { amount: 1001 })],
  ["an ID number over its daily limit (with earlier orders)", "idDailyLimitExceeded", async () => {
    const productid = await aProduct({ limitPerIdPerDay: 2 });
    const id = anotherResidentId();
    await placed(order([{ productid, amount: 2, identificationnumber: id }]));
    return order([{ productid, amount: 1, identificationnumber: id }], { mobile: "13900000001" });
  }],
  ["the order's ID number counts for lines without their own", "idDailyLimitExceeded", async () => {
    const productid = await aProduct({ limitPerIdPerDay: 2 });
    const id = anotherResidentId();
    await placed(order([{ productid, amount: 1, identificationnumber: id }]));
    return order([{ productid, amount: 2 }], { identificationnumber: id });
  }],
  ["a mobile over its daily limit (the order's mobile, then a line's)", "mobileDailyLimitExceeded", async () => {
    const productid = await aProduct({ limitPerMobilePerDay: 3 });
    await placed(order([{ productid, amount: 2 }], { mobile: "13700000009" }));
    return order([{ productid, amount: 2, mobile: "13700000009" }]);
  }],

  // 45xx — real name and documents
  ["a real-name line without an ID number", "realNameIdRequired", () => one({ realName: true }, {}, { fullname: "张三" })],
  ["the order's ID does not stand for a real-name guest's", "realNameIdRequired", () =>
    one({ realName: true }, {}, { fullname: "张三" }, { identificationnumber: validId })],
  ["a real-name line of 2 tickets", "realNameOnePerLine", () => one({ realName: true }, {}, { amount: 2, fullname: "张三", identificationnumber: validId })],
  ["a real-name line without a name", "realNameFullnameRequired", () => one({ realName: true }, {}, { identificationnumber: validId })],
  ["one guest twice on a real-name product", "realNameIdDuplicate", async () => {
    const productid = await aProduct({ realName: true });
    const guest = { productid, amount: 1, fullname: "张三", identificationnumber: validId };
    return order([guest, { ...guest, identificationnumber: validId.toLowerCase() }]);
  }],
  ["a type without a number", "idNumberMissing", () => one({}, {}, { identificationtype: "2" })],
  ["type 1 with a passport number", "residentIdFormat", () => one({}, {}, { identificationtype: "1", identificationnumber: "E12345678" })],
  ["a number without a type is read as a resident ID", "residentIdFormat", () => one({}, {}, { identificationnumber: "E12345678" })],
  ["a resident ID with a wrong check character", "residentIdChecksum", () => one({}, {}, { identificationtype: "1", identificationnumber: withWrongCheck(validId) })],
  ["a resident ID born on February 30", "residentIdBirthDate", () => one({}, {}, { identificationnumber: aResidentId("19900230") })],
  ["a resident ID born in the future", "residentIdBirthDate", () => one({}, {}, { identificationnumber: aResidentId(addDays(TODAY(), 2)) })],
  ["a passport number of 2 characters", "idNumberFormat", () => one({}, {}, { identificationtype: "2", identificationnumber: "E1" })],
  ["the order's 身份证号 with a wrong check character", "residentIdChecksum", () => one({}, {}, {}, { identificationnumber: withWrongCheck(validId) })],

  // 11xx — what the schema refuses before any rule
  ["timespanindex -2", "fieldRange", () => one({}, {}, {}, { timespanindex: -2 }), "timespanindex 不能小于-1"],
  ["an identification type outside the seed's list", "fieldFormat", () => one({}, {}, { identificationtype: "7", identificationnumber: "X1234" }),
    "orderdetails[0].identificationtype 取值必须是1、2、3、4、5、6、9之一"],
  ["needinvoice 2", "fieldFormat", () => one({}, {}, {}, { needinvoice: "2" }), "needinvoice 取值必须是0或1"],
  ["no lines", "fieldRequired", async () => order([]), "orderdetails 至少需要1项"],
];

// A slot of today that has ended (skipped in the first minute of the day, when none has).
if (shanghaiMinuteOfDay(Date.now()) >= 2) {
  cases.push(["today's slot that has ended", "timeslotEnded", () =>
    one({}, { date: TODAY(), stock: 2, timeslots: [{ index: 1, start: "00:00", end: "00:01", capacity: 2 }] }, {}, { effectdate: TODAY(), timespanindex: 1 })]);
}

describe.each([
  ["Verify", VERIFY, "errcode"],
  ["Add", ADD, "resultcode"],
] as const)("%s refuses", (_name, path, codeField) => {
  it.each(cases)("%s → %s", async (_label, key, body, message) => {
    const request = { ...(await body()), senderid: uniqueId("rule") };
    const r = await call(path, session, request);
    expect(r[codeField], JSON.stringify(r)).toBe(ResultCodes[key].code);
    const text = codeField === "errcode" ? r.errmsg : r.returnmessgage;
    expect(text).toContain(message ?? ResultCodes[key].message.slice(0, 4));
    if (path === ADD) {
      expect(r.sendid ?? request.senderid).toBe(request.senderid);
      const left = await env.DB.prepare("SELECT count(*) AS n FROM orders WHERE sender_id = ?").bind(request.senderid).first<{ n: number }>();
      expect(left!.n).toBe(0);
    }
  });
});

it("the effect date today is accepted (not in the past)", async () => {
  const productid = await aProduct({}, { date: TODAY() });
  expect((await call(VERIFY, session, order([{ productid, amount: 1 }], { effectdate: shanghaiDate(Date.now()) }))).errcode).toBe(0);
});

it("a real-name order: one line per guest, each with a name and a valid ID", async () => {
  const productid = await aProduct({ realName: true });
  const guests = [anotherResidentId(), anotherResidentId(), "E99887766"];
  const r = await call(ADD, session, order([
    { productid, amount: 1, fullname: "张三", identificationnumber: guests[0]! },
    { productid, amount: 1, fullname: "李四", identificationtype: "1", identificationnumber: guests[1]! },
    { productid, amount: 1, fullname: "John Smith", identificationtype: "2", identificationnumber: guests[2]! },
  ]));
  expect(r).toMatchObject({ resultcode: 0, orderstatus: "unpaid" });
  const { results } = await env.DB.prepare("SELECT id_type, id_number, fullname FROM order_items WHERE order_id = ? ORDER BY line_no").bind(r.orderid).all();
  expect(results).toEqual([
    { id_type: "1", id_number: guests[0], fullname: "张三" },
    { id_type: "1", id_number: guests[1], fullname: "李四" },
    { id_type: "2", id_number: guests[2], fullname: "John Smith" },
  ]);
});

it("daily limits count live orders only: an expired one no longer counts", async () => {
  const productid = await aProduct({ limitPerIdPerDay: 1 });
  const id = anotherResidentId();
  const first = await call(ADD, session, order([{ productid, amount: 1, identificationnumber: id }]));
  expect((await call(VERIFY, session, order([{ productid, amount: 1, identificationnumber: id }]))).errcode).toBe(ResultCodes.idDailyLimitExceeded.code);
  await env.DB.prepare("UPDATE orders SET expires_at_ms = ? WHERE order_id = ?").bind(Date.now() - 1000, first.orderid).run();
  expect((await call(VERIFY, session, order([{ productid, amount: 1, identificationnumber: id }]))).errcode).toBe(0);
  // A paid order counts for good.
  await env.DB.prepare("UPDATE orders SET status = 'paid', payment_id = ?, expires_at_ms = ? WHERE order_id = ?").bind(`pay-${first.orderid}`, Date.now() - 1000, first.orderid).run();
  expect((await call(VERIFY, session, order([{ productid, amount: 1, identificationnumber: id }]))).errcode).toBe(ResultCodes.idDailyLimitExceeded.code);
});

it("limits are per product and day: the same ID may buy on another day", async () => {
  const productid = await aProduct({ limitPerIdPerDay: 1 });
  const other = addDays(LATER(), 1);
  await call(ADD, session, order([{ productid, amount: 1, identificationnumber: validId }]));
  const { aCalendarDay } = await import("../helpers/catalogue");
  await aCalendarDay(productid, other);
  expect((await call(VERIFY, session, order([{ productid, amount: 1, identificationnumber: validId }], { effectdate: other }))).errcode).toBe(0);
});

describe("daily limits under concurrency (adds racing past each other's counts)", () => {
  const racing = (n: number, body: (i: number) => Record<string, unknown>) =>
    Promise.all(Array.from({ length: n }, (_, i) => call(ADD, session, { ...body(i), senderid: uniqueId(`race${i}-`) })));

  it.each([
    ["mobile", { limitPerMobilePerDay: 3 }, "mobileDailyLimitExceeded", "每个手机号每天限购3张", 3],
    ["ID number", { limitPerIdPerDay: 2 }, "idDailyLimitExceeded", "每个证件每天限购2张", 2],
  ] as const)("12 concurrent adds by one %s admit exactly the limit", async (_label, limits, key, rule, limit) => {
    const productid = await aProduct(limits, { stock: 100 });
    const id = anotherResidentId();
    const answers = await racing(12, () => order([{ productid, amount: 1, identificationnumber: id }], { mobile: "13600000001" }));
    const placedIds = answers.filter((a) => a.resultcode === 0).map((a) => a.orderid);
    expect(placedIds).toHaveLength(limit);
    for (const refused of answers.filter((a) => a.resultcode !== 0)) {
      expect(refused.resultcode).toBe(ResultCodes[key].code);
      expect(refused.returnmessgage).toContain(rule);
    }
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM order_items WHERE product_id = ?").bind(productid).all<{ n: number }>();
    expect(results[0]!.n).toBe(limit);
    expect(await liveStock(productid)).toMatchObject({ held: limit });
  });

  it("units count, not orders: concurrent adds of 2 and 1 by one mobile never pass a limit of 4", async () => {
    const productid = await aProduct({ limitPerMobilePerDay: 4 }, { stock: 100 });
    const answers = await racing(10, (i) => order([{ productid, amount: 1 + (i % 2) }], { mobile: "13600000002" }));
    const placedUnits = answers.reduce((sum, a, i) => sum + (a.resultcode === 0 ? 1 + (i % 2) : 0), 0);
    expect(placedUnits).toBeLessThanOrEqual(4);
    expect(placedUnits).toBeGreaterThanOrEqual(3);
    expect((await liveStock(productid)).held).toBe(placedUnits);
  });
});
