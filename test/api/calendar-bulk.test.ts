/**
 * PUT /admin/products/{id}/calendar?from=&to=&weekdays= (SPEC §12): one
 * call sets every matching day, all or nothing — a day sold or held beyond
 * the new stock refuses the call with its numbers and no day changes, in D1
 * or in any InventoryDO; orders racing the call never make it half applied;
 * faults at each step leave all days or none (the objects' alarms finish
 * what the call could not). Real Worker, real objects, real D1.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { ResultCodes } from "../../src/domain/codes";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { isoWeekday } from "../../src/domain/calendar-range";
import { workerFaults } from "../../src/durable/faults";
import { aCustomer, admin, loginAs, type TestSession } from "../helpers/api";
import { ADD, VERIFY, aProduct, anOrderBody, call, d1Rows, expectNoOversell, inventoryRows, inventoryStub } from "../helpers/catalogue";

const INVALID = ResultCodes.adminInvalid.code;
const TODAY = () => shanghaiDate(testClock.nowMs());
const dayAfter = (n: number) => addDays(TODAY(), n);
const range = (from: string, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));
const bulk = (productId: string, query: string, body: unknown) => admin("PUT", `/admin/products/${productId}/calendar?${query}`, body);

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});
afterEach(() => workerFaults.disarm());

/** Everything the call may touch: the product's D1 rows and every day's object tables (pending reservations included). */
async function everything(productId: string, days: readonly string[]) {
  return {
    d1: await d1Rows("SELECT * FROM product_days WHERE product_id = ? ORDER BY day", productId),
    decisions: await d1Rows("SELECT decision, days FROM calendar_bulk_decisions WHERE product_id = ?", productId),
    objects: await Promise.all(days.map((day) => inventoryRows(productId, day))),
  };
}

async function addOrder(productid: string, day: string, amount: number): Promise<any> {
  return call(ADD, session, anOrderBody([{ productid, amount }], { effectdate: day }));
}

/** A reservation whose call went quiet, past its time; then the object's alarm. */
async function expireReservationsAndRing(productId: string, days: readonly string[]): Promise<void> {
  for (const day of days) {
    const stub = inventoryStub(productId, day);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE pending_configs SET expires_at_ms = ?", testClock.nowMs() - 1000);
    });
    await runDurableObjectAlarm(stub);
  }
}

describe("setting a range", () => {
  it("sets 180 days in one call: every D1 row and every object, with the price and slots", async () => {
    const productId = await aProduct({ price: 80 }, null);
    const from = dayAfter(1);
    const days = range(from, 180);
    const timeslots = [
      { index: 1, start: "09:00", end: "12:00", capacity: 40 },
      { index: 2, start: "12:00", end: "17:00", capacity: 40 },
    ];
    const r = await bulk(productId, `from=${from}&to=${days.at(-1)}`, { stock: 60, price: 75.5, timeslots });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ productId, from, to: days.at(-1), weekdays: [1, 2, 3, 4, 5, 6, 7], days });

    const rows = await d1Rows("SELECT day, stock, price_fen, timeslots_json, updated_at_ms FROM product_days WHERE product_id = ? ORDER BY day", productId);
    expect(rows.map((row) => row.day)).toEqual(days);
    for (const row of rows) expect(row).toMatchObject({ stock: 60, price_fen: 7550, timeslots_json: JSON.stringify(timeslots) });
    const snapshots = await Promise.all(days.map((day) => inventoryStub(productId, day).snapshot()));
    snapshots.forEach((s, i) => {
      expect(s, days[i]).toMatchObject({ day: days[i], stock: 60, version: rows[i].updated_at_ms, available: 60 });
      expect(s.slots.map((slot) => slot.capacity)).toEqual([40, 40]);
    });
    expect(await d1Rows("SELECT decision, days FROM calendar_bulk_decisions WHERE product_id = ?", productId)).toEqual([{ decision: "committed", days: 180 }]);
    expect((await everything(productId, days)).objects.every((o) => o.pending.length === 0)).toBe(true);

    // The month view shows them, and an order finds the new stock.
    const month = await admin("GET", `/admin/products/${productId}/calendar?month=${days[40]!.slice(0, 6)}`);
    expect(month.body.days.every((d: any) => d.stock === 60 && d.price === 75.5)).toBe(true);
    expect((await call(ADD, session, anOrderBody([{ productid: productId, amount: 2 }], { effectdate: days[7], timespanindex: 2 }))).resultcode).toBe(0);
  });

  it("sets only the weekdays asked for; other days keep what they had", async () => {
    const productId = await aProduct({}, null);
    const monday = range(dayAfter(1), 7).find((d) => isoWeekday(d) === 1)!;
    const days = range(monday, 14);
    const wednesday = days[2]!;
    expect((await admin("PUT", `/admin/products/${productId}/calendar/${wednesday}`, { stock: 33 })).status).toBe(200);
    const before = await everything(productId, [wednesday]);

    const r = await bulk(productId, `from=${monday}&to=${days.at(-1)}&weekdays=6,7`, { stock: 500 });
    expect(r.status).toBe(200);
    const weekend = [days[5], days[6], days[12], days[13]];
    expect(r.body).toMatchObject({ weekdays: [6, 7], days: weekend });
    const rows = await d1Rows("SELECT day, stock FROM product_days WHERE product_id = ? ORDER BY day", productId);
    expect(rows).toEqual([{ day: wednesday, stock: 33 }, ...weekend.map((day) => ({ day, stock: 500 }))]);
    expect((await everything(productId, [wednesday])).objects).toEqual(before.objects);
    expect(await inventoryStub(productId, days[4]!).snapshot()).toMatchObject({ version: null, stock: 0 });
  });

  it("raises a day whose sold and held fit, and keeps its orders", async () => {
    const productId = await aProduct({}, { date: dayAfter(3), stock: 5 });
    expect((await addOrder(productId, dayAfter(3), 4)).resultcode).toBe(0);
    const r = await bulk(productId, `from=${dayAfter(2)}&to=${dayAfter(4)}`, { stock: 4 });
    expect(r.status).toBe(200);
    expect(await inventoryStub(productId, dayAfter(3)).snapshot()).toMatchObject({ stock: 4, held: 4, available: 0 });
  });
});

describe("a day sold beyond the new stock", () => {
  it("refuses the whole call, naming the earliest such day and its numbers; nothing changes in D1 or any object", async () => {
    const productId = await aProduct({}, null);
    const days = range(dayAfter(5), 10);
    expect((await bulk(productId, `from=${days[0]}&to=${days.at(-1)}`, { stock: 10, price: 50 })).status).toBe(200);
    const sold = await addOrder(productId, days[4]!, 4);
    expect(await inventoryStub(productId, days[4]!).confirm(sold.orderid)).toEqual({ ok: true });
    expect((await addOrder(productId, days[4]!, 2)).resultcode).toBe(0);
    expect((await addOrder(productId, days[8]!, 7)).resultcode).toBe(0);
    const before = await everything(productId, days);

    const r = await bulk(productId, `from=${days[0]}&to=${days.at(-1)}`, { stock: 5, price: 45 });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: ResultCodes.stockBelowUsage.code,
      message: `${days[4]}库存不能低于已售与占用之和：库存5，已售4，占用2`,
      field: "stock",
      detail: { day: days[4], slotIndex: null, capacity: 5, sold: 4, held: 2 },
    });
    expect(await everything(productId, days)).toEqual(before);
    // The days still sell as before.
    expect((await addOrder(productId, days[0]!, 9)).resultcode).toBe(0);
  });

  it("a slot sold beyond its new capacity refuses the call the same way (field timeslots)", async () => {
    const slots = (capacity: number) => [
      { index: 1, start: "09:00", end: "12:00", capacity },
      { index: 2, start: "12:00", end: "17:00", capacity: 10 },
    ];
    const productId = await aProduct({}, null);
    const days = range(dayAfter(6), 3);
    expect((await bulk(productId, `from=${days[0]}&to=${days[2]}`, { stock: 12, timeslots: slots(10) })).status).toBe(200);
    expect((await call(ADD, session, anOrderBody([{ productid: productId, amount: 3 }], { effectdate: days[1], timespanindex: 1 }))).resultcode).toBe(0);
    const before = await everything(productId, days);
    const r = await bulk(productId, `from=${days[0]}&to=${days[2]}`, { stock: 12, timeslots: slots(2) });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ field: "timeslots", detail: { day: days[1], slotIndex: 1, capacity: 2, sold: 0, held: 3 } });
    expect(r.body.error.message).toBe(`${days[1]}时段1容量不能低于已售与占用之和：容量2，已售0，占用3`);
    expect(await everything(productId, days)).toEqual(before);
  });
});

describe("what the call refuses before touching anything (400, naming the field)", () => {
  it.each([
    ["a past day", () => `from=${dayAfter(-1)}&to=${dayAfter(3)}`, "from", () => `from 不能早于今天(${TODAY()})`],
    ["to before from", () => `from=${dayAfter(5)}&to=${dayAfter(4)}`, "to", () => "to 不能早于 from"],
    ["367 days", () => `from=${dayAfter(0)}&to=${dayAfter(366)}`, "to", () => "from 到 to 最多366天(含两端),现为367天"],
    ["a weekday 8", () => `from=${dayAfter(1)}&to=${dayAfter(9)}&weekdays=1,8`, "weekdays", () => "weekdays 必须是1到7的数字"],
    ["an empty weekday", () => `from=${dayAfter(1)}&to=${dayAfter(9)}&weekdays=1,,2`, "weekdays", () => "weekdays"],
    ["no day on the weekdays", () => `from=${dayAfter(1)}&to=${dayAfter(1)}&weekdays=${(isoWeekday(dayAfter(1)) % 7) + 1}`, "weekdays", () => "没有 weekdays 所列星期的日期"],
    ["a date that does not exist", () => `from=20270230&to=20270301`, "from", () => "from 必须是yyyyMMdd格式的有效日期"],
    ["no to", () => `from=${dayAfter(1)}`, "to", () => "to 为必填项"],
  ])("%s", async (_label, query, field, words) => {
    const productId = await aProduct({}, null);
    const r = await bulk(productId, query(), { stock: 5 });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
    expect(r.body.error.message).toContain(words());
    expect(await d1Rows("SELECT * FROM product_days WHERE product_id = ?", productId)).toEqual([]);
  });

  it("366 days is the most, and today may be the first", async () => {
    const productId = await aProduct({}, null);
    const r = await bulk(productId, `from=${TODAY()}&to=${dayAfter(365)}&weekdays=3`, { stock: 1 });
    expect(r.status).toBe(200);
    expect(r.body.days.every((d: string) => isoWeekday(d) === 3)).toBe(true);
    expect(r.body.days.length).toBeGreaterThanOrEqual(52);
  });

  it.each([
    ["a negative stock", { stock: -1 }, "stock"],
    ["slots holding less than the stock", { stock: 10, timeslots: [{ index: 1, start: "09:00", end: "10:00", capacity: 4 }] }, "timeslots"],
    ["a price with three decimals", { stock: 1, price: 1.234 }, "price"],
  ])("the body: %s", async (_label, body, field) => {
    const productId = await aProduct({}, null);
    const r = await bulk(productId, `from=${dayAfter(1)}&to=${dayAfter(2)}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
  });

  it("an unknown product is 404", async () => {
    const r = await bulk("NO-SUCH-PRODUCT", `from=${dayAfter(1)}&to=${dayAfter(2)}`, { stock: 1 });
    expect([r.status, r.body.error.code]).toEqual([404, ResultCodes.productNotFound.code]);
  });
});

describe("orders racing the call", () => {
  it("orders that fit the new stock and the call both succeed, in any order", async () => {
    const productId = await aProduct({}, null);
    const days = range(dayAfter(10), 5);
    expect((await bulk(productId, `from=${days[0]}&to=${days[4]}`, { stock: 10 })).status).toBe(200);
    const [put, ...adds] = await Promise.all([
      bulk(productId, `from=${days[0]}&to=${days[4]}`, { stock: 4 }),
      ...days.flatMap((day) => [1, 2, 3].map(() => addOrder(productId, day, 1))),
    ]);
    expect(put.status).toBe(200);
    expect(adds.map((a) => a.resultcode)).toEqual(adds.map(() => 0));
    for (const day of days) {
      expect(await inventoryStub(productId, day).snapshot()).toMatchObject({ stock: 4, held: 3 });
      await expectNoOversell(productId, day);
    }
  });

  it("orders that do not fit: either the call is refused with nothing changed, or it applies and the late orders are refused; never half", async () => {
    const outcomes: number[] = [];
    for (const [round, delayMs] of [0, 3, 15, 60].entries()) {
      const productId = await aProduct({}, null);
      const days = range(dayAfter(20 + round * 5), 5);
      expect((await bulk(productId, `from=${days[0]}&to=${days[4]}`, { stock: 10 })).status).toBe(200);
      const before = await everything(productId, days);
      // The call starts a little later each round, so the orders win some races and the call others.
      const [put, ...adds] = await Promise.all([
        delayMs === 0 ? bulk(productId, `from=${days[0]}&to=${days[4]}`, { stock: 4 }) : new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => bulk(productId, `from=${days[0]}&to=${days[4]}`, { stock: 4 })),
        ...days.flatMap((day) => [1, 2, 3, 4, 5, 6].map(() => addOrder(productId, day, 1))),
      ]);
      outcomes.push(put.status);
      const snapshots = await Promise.all(days.map((day) => inventoryStub(productId, day).snapshot()));
      const rows = await d1Rows("SELECT day, stock, updated_at_ms FROM product_days WHERE product_id = ? ORDER BY day", productId);
      if (put.status === 200) {
        expect(snapshots.map((s) => s.stock)).toEqual([4, 4, 4, 4, 4]);
        expect(rows.map((r) => r.stock)).toEqual([4, 4, 4, 4, 4]);
      } else {
        expect(put.status, JSON.stringify(put.body)).toBe(409);
        expect(rows).toEqual(before.d1.map((r) => ({ day: r.day, stock: r.stock, updated_at_ms: r.updated_at_ms })));
        expect(snapshots.map((s) => [s.stock, s.version])).toEqual(before.d1.map((r) => [10, r.updated_at_ms]));
        const refused = put.body.error.detail;
        expect(refused.sold + refused.held).toBeGreaterThan(4);
      }
      expect(snapshots.every((s) => s.held + s.sold <= s.stock)).toBe(true);
      expect(adds.filter((a) => a.resultcode === 0).length).toBe(snapshots.reduce((n, s) => n + s.held, 0));
      for (const day of days) await expectNoOversell(productId, day);
      expect((await everything(productId, days)).objects.every((o) => o.pending.length === 0)).toBe(true);
    }
    console.log(JSON.stringify({ event: "bulk_race_outcomes", outcomes }));
  });
});

describe("faults: all days or none, whatever step fails", () => {
  async function threeDays(stock = 10) {
    const productId = await aProduct({}, null);
    const days = range(dayAfter(40), 3);
    expect((await bulk(productId, `from=${days[0]}&to=${days[2]}`, { stock })).status).toBe(200);
    return { productId, days, query: `from=${days[0]}&to=${days[2]}` };
  }

  it("an object that cannot reserve: 503 6101, and every reservation made is dropped at once", async () => {
    const { productId, days, query } = await threeDays();
    const before = await everything(productId, days);
    await inventoryStub(productId, days[2]!).armFault("prepare-config-reject");
    const r = await bulk(productId, query, { stock: 6 });
    expect([r.status, r.body.error.code]).toEqual([503, ResultCodes.calendarBulkNotApplied.code]);
    expect(await everything(productId, days)).toEqual(before);
  });

  it("the D1 batch refused: 503, no day written, and the objects' alarms drop their reservations (fencing the call)", async () => {
    const { productId, days, query } = await threeDays();
    const before = await everything(productId, days);
    workerFaults.armIn(env, "calendar-bulk-reject");
    const r = await bulk(productId, query, { stock: 6 });
    expect([r.status, r.body.error.code]).toEqual([503, ResultCodes.outcomeUnknown.code]);
    expect((await everything(productId, days)).d1).toEqual(before.d1);
    await expireReservationsAndRing(productId, days);
    const after = await everything(productId, days);
    expect(after.d1).toEqual(before.d1);
    expect(after.objects).toEqual(before.objects);
    expect(after.decisions).toEqual([...before.decisions, { decision: "aborted", days: 0 }]);
  });

  it("the D1 batch committed and its reply lost: 503, and the objects' alarms apply every day from D1's decision", async () => {
    const { productId, days, query } = await threeDays();
    workerFaults.armIn(env, "calendar-bulk-reply-lost");
    const r = await bulk(productId, query, { stock: 6 });
    expect([r.status, r.body.error.code]).toEqual([503, ResultCodes.outcomeUnknown.code]);
    expect((await d1Rows("SELECT stock FROM product_days WHERE product_id = ?", productId)).map((row) => row.stock)).toEqual([6, 6, 6]);
    await expireReservationsAndRing(productId, days);
    const rows = await d1Rows("SELECT updated_at_ms FROM product_days WHERE product_id = ? ORDER BY day", productId);
    const snapshots = await Promise.all(days.map((day) => inventoryStub(productId, day).snapshot()));
    expect(snapshots.map((s) => [s.stock, s.version])).toEqual(rows.map((row) => [6, row.updated_at_ms]));
  });

  it("a day's commit lost after D1 committed: 200, and that day applies from its alarm", async () => {
    const { productId, days, query } = await threeDays();
    await inventoryStub(productId, days[1]!).armFault("commit-config-reject");
    const r = await bulk(productId, query, { stock: 7 });
    expect(r.status).toBe(200);
    expect((await inventoryStub(productId, days[1]!).snapshot()).stock).toBe(10);
    // Meanwhile the day sells only within both the old and the new stock (Verify: writes nothing, adopts nothing).
    expect((await call(VERIFY, session, anOrderBody([{ productid: productId, amount: 8 }], { effectdate: days[1] }))).errcode).toBe(ResultCodes.stockSoldOut.code);
    expect((await inventoryStub(productId, days[1]!).snapshot()).stock).toBe(10);
    await expireReservationsAndRing(productId, [days[1]!]);
    const snapshots = await Promise.all(days.map((day) => inventoryStub(productId, day).snapshot()));
    expect(snapshots.map((s) => s.stock)).toEqual([7, 7, 7]);
  });
});
