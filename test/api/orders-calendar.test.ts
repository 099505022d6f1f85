/**
 * The operator's calendar and the InventoryDO: PUT configures the object so
 * stock and slot changes take effect at once; the PUT answer and GET of the
 * month show the live held (unpaid orders) and sold (paid) counts; stock
 * below them is refused (SPEC §6: sold + held ≤ stock).
 */
import { beforeAll, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, admin, loginAs, type TestSession } from "../helpers/api";
import { ADD, LATER, VERIFY, aCalendarDay, aProduct, anOrderBody, call, d1Rows, inventoryStub } from "../helpers/catalogue";

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});

it("raising or lowering the day's stock takes effect for the next order", async () => {
  const productid = await aProduct({}, { stock: 2 });
  await call(ADD, session, anOrderBody([{ productid, amount: 2 }]));
  expect((await call(VERIFY, session, anOrderBody([{ productid, amount: 1 }]))).errcode).toBe(ResultCodes.stockSoldOut.code);
  const raised = await aCalendarDay(productid, LATER(), { stock: 5 });
  expect(raised).toMatchObject({ stock: 5, held: 2, sold: 0, available: 3 });
  expect((await call(ADD, session, anOrderBody([{ productid, amount: 3 }]))).resultcode).toBe(0);
  // Lowered to what is held (5 units): accepted; below it is refused (next test).
  const lowered = await aCalendarDay(productid, LATER(), { stock: 5 });
  expect(lowered).toMatchObject({ stock: 5, held: 5, available: 0 });
  expect((await call(VERIFY, session, anOrderBody([{ productid, amount: 1 }]))).errcode).toBe(ResultCodes.stockSoldOut.code);
});

it("lowering a day's stock below sold + held is refused (409, naming the day and the numbers), and nothing is applied", async () => {
  const productid = await aProduct({}, { stock: 6, price: 20 });
  const paid = await call(ADD, session, anOrderBody([{ productid, amount: 2 }]));
  expect(await inventoryStub(productid, LATER()).confirm(paid.orderid)).toEqual({ ok: true });
  await call(ADD, session, anOrderBody([{ productid, amount: 2 }]));
  const d1Day = () => d1Rows("SELECT * FROM product_days WHERE product_id = ?", productid);
  const [d1Before, objectBefore] = [await d1Day(), await inventoryStub(productid, LATER()).snapshot()];

  const r = await admin("PUT", `/admin/products/${productid}/calendar/${LATER()}`, { stock: 3, price: 25 });
  expect(r.status).toBe(409);
  expect(r.body.error).toEqual({
    code: ResultCodes.stockBelowUsage.code,
    message: `${LATER()}库存不能低于已售与占用之和：库存3，已售2，占用2`,
    field: "stock",
    detail: { day: LATER(), slotIndex: null, capacity: 3, sold: 2, held: 2 },
  });
  expect(await d1Day()).toEqual(d1Before);
  expect(await inventoryStub(productid, LATER()).snapshot()).toEqual(objectBefore);
  expect((await call(ADD, session, anOrderBody([{ productid, amount: 2 }]))).resultcode).toBe(0);
  expect(await inventoryStub(productid, LATER()).snapshot()).toMatchObject({ stock: 6, sold: 2, held: 4 });
});

it("a time slot's capacity below its sold + held is refused the same way (field timeslots)", async () => {
  const timeslots = [
    { index: 1, start: "08:30", end: "11:30", capacity: 4 },
    { index: 2, start: "12:00", end: "16:00", capacity: 6 },
  ];
  const productid = await aProduct({}, { stock: 10, timeslots });
  await call(ADD, session, anOrderBody([{ productid, amount: 3 }], { timespanindex: 1 }));
  const r = await admin("PUT", `/admin/products/${productid}/calendar/${LATER()}`, { stock: 8, timeslots: [{ ...timeslots[0]!, capacity: 2 }, timeslots[1]] });
  expect(r.status).toBe(409);
  expect(r.body.error).toEqual({
    code: ResultCodes.stockBelowUsage.code,
    message: `${LATER()}时段1容量不能低于已售与占用之和：容量2，已售0，占用3`,
    field: "timeslots",
    detail: { day: LATER(), slotIndex: 1, capacity: 2, sold: 0, held: 3 },
  });
  expect(await inventoryStub(productid, LATER()).snapshot()).toMatchObject({ stock: 10, held: 3, slots: [expect.objectContaining({ index: 1, capacity: 4 }), expect.anything()] });
});

it("adding time slots makes timespanindex required; their live counts show per slot", async () => {
  const productid = await aProduct({}, { stock: 10 });
  const timeslots = [
    { index: 1, start: "08:30", end: "11:30", capacity: 4 },
    { index: 2, start: "12:00", end: "16:00", capacity: 6 },
  ];
  await aCalendarDay(productid, LATER(), { stock: 10, timeslots });
  expect((await call(VERIFY, session, anOrderBody([{ productid, amount: 1 }]))).errcode).toBe(ResultCodes.timeslotRequired.code);
  const paid = await call(ADD, session, anOrderBody([{ productid, amount: 3 }], { timespanindex: 1 }));
  await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { timespanindex: 2 }));
  // What the payment does after its batch commits.
  expect(await inventoryStub(productid, LATER()).confirm(paid.orderid)).toEqual({ ok: true });

  const month = await admin("GET", `/admin/products/${productid}/calendar?month=${LATER().slice(0, 6)}`);
  expect(month.status).toBe(200);
  expect(month.body.days).toEqual([
    expect.objectContaining({
      day: LATER(), stock: 10, held: 2, sold: 3, available: 5,
      timeslots: [
        { index: 1, start: "08:30", end: "11:30", capacity: 4, held: 0, sold: 3, available: 1 },
        { index: 2, start: "12:00", end: "16:00", capacity: 6, held: 2, sold: 0, available: 4 },
      ],
    }),
  ]);
});
