/**
 * The operator's calendar and the InventoryDO: PUT configures the object so
 * stock and slot changes take effect at once; the PUT answer and GET of the
 * month show the live held (unpaid orders) and sold (paid) counts.
 */
import { beforeAll, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, admin, loginAs, type TestSession } from "../helpers/api";
import { ADD, LATER, VERIFY, aCalendarDay, aProduct, anOrderBody, call, inventoryStub } from "../helpers/catalogue";

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
  const lowered = await aCalendarDay(productid, LATER(), { stock: 4 });
  expect(lowered).toMatchObject({ stock: 4, held: 5, available: 0 });
  expect((await call(VERIFY, session, anOrderBody([{ productid, amount: 1 }]))).errcode).toBe(ResultCodes.stockSoldOut.code);
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
