/**
 * Placing orders while the stores fail (reliability issue f, j): every fault
 * point on the order-add path, through the real Worker, InventoryDOs and
 * local D1. Each case checks the answer (code and HTTP status) and the
 * stores afterwards: the order in D1 or not, the object's holds, and
 * sold + held ≤ stock (SPEC §6). Worker-side points are armed on
 * `workerFaults` (src/durable/faults.ts), the objects' through `armFault`.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { ResultCodes } from "../../src/domain/codes";
import { landLateInserts, workerFaults, type FaultPoint } from "../../src/durable/faults";
import { aCustomer, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, LATER, YEARCARD, aProduct, aResidentId, anOrderBody, call, d1Rows, expectNoOversell, inventoryStub, liveStock } from "../helpers/catalogue";

let customer: TestCustomer;
let session: TestSession;
beforeAll(async () => {
  customer = await aCustomer();
  session = await loginAs(customer);
});

/** Objects armed in the test, disarmed after it (an outage outlives a crash until disarmed). */
const armedObjects: string[] = [];

afterEach(async () => {
  workerFaults.disarm();
  await landLateInserts(env.DB);
  for (const productid of armedObjects.splice(0)) await inventoryStub(productid, LATER()).disarmFaults();
});

async function armInventory(productid: string, point: FaultPoint): Promise<void> {
  armedObjects.push(productid);
  await inventoryStub(productid, LATER()).armFault(point);
}

interface Answer {
  status: number;
  body: any;
  retryAfter: string | null;
}

async function send(path: string, body: unknown): Promise<Answer> {
  const response = await partner(path, body, { token: session.token });
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

const add = (body: Record<string, unknown>) => send(ADD, body);

/** What a client must read as "nothing was placed; retry": 9002 in a 200. */
const NOT_PLACED = { status: 200, retryAfter: null, body: { resultcode: ResultCodes.storeUnavailable.code, orderid: null } };
/** What a client must read as "not known yet; retry the same senderid": 9003 in a 503 with Retry-After. */
const NOT_KNOWN = { status: 503, retryAfter: "2", body: { resultcode: ResultCodes.outcomeUnknown.code, orderid: null } };

/** The hold time passes on the shared clock and the object's alarm rings. */
async function holdTimePasses(productid: string): Promise<void> {
  testClock.advance(31 * 60_000);
  await runDurableObjectAlarm(inventoryStub(productid, LATER()));
}

const ordersOf = (senderid: string) => d1Rows("SELECT order_id, status FROM orders WHERE sender_id = ?", senderid);

it("the Worker's fault points arm only where FAULT_INJECTION is on", () => {
  expect(() => workerFaults.armIn({ ...env, FAULT_INJECTION: "off" }, "order-insert-reject")).toThrow(/disabled/);
  expect(() => workerFaults.armIn({ ...env, FAULT_INJECTION: undefined }, "d1-outage")).toThrow(/disabled/);
  expect(workerFaults.fires("order-insert-reject")).toBe(false);
});

describe("an order insert that lands late (f: oversell)", () => {
  it("cannot land after its hold was given back: the fence keeps it out, and sold + held ≤ stock", async () => {
    const productid = await aProduct({}, { stock: 2 });
    const senderid = uniqueId("late");
    workerFaults.armIn(env, "order-insert-late");
    const first = await add(anOrderBody([{ productid, amount: 2 }], { senderid }));
    // Whatever was still on its way lands now.
    await landLateInserts(env.DB);
    // Before the fix: the late insert landed after the release, an unpaid payable order without its hold,
    // and this second order took the same 2 units.
    const second = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { senderid: uniqueId("next") }));
    expect(second.resultcode).toBe(0);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(first).toMatchObject({ status: 200, body: { resultcode: ResultCodes.storeUnavailable.code, sendid: senderid } });
    expect(await liveStock(productid)).toMatchObject({ stock: 2, held: 2 });
    await expectNoOversell(productid);
  });
});

describe("order add under store faults (j): an answer that is true of the stores, never a 500", () => {
  it("order-insert-reject: nothing placed (9002), no order, the stock back", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("rej");
    workerFaults.armIn(env, "order-insert-reject");
    expect(await add(anOrderBody([{ productid, amount: 2 }], { senderid }))).toMatchObject({ ...NOT_PLACED, body: { ...NOT_PLACED.body, sendid: senderid } });
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 3 });
    // The retry the answer invites places it.
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { senderid }))).resultcode).toBe(0);
    await expectNoOversell(productid);
  });

  it("order-insert-reply-lost: the fence read finds the order, so it is answered placed and keeps its hold", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("lost");
    workerFaults.armIn(env, "order-insert-reply-lost");
    const r = await add(anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(r).toMatchObject({ status: 200, body: { resultcode: 0, orderstatus: "unpaid", sendid: senderid } });
    expect(await ordersOf(senderid)).toEqual([{ order_id: r.body.orderid, status: "unpaid" }]);
    expect(await liveStock(productid)).toMatchObject({ held: 2, available: 1 });
    await expectNoOversell(productid);
  });

  it("order-insert-late: nothing placed (9002), and the insert, landing after the fence, inserts nothing", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("late");
    workerFaults.armIn(env, "order-insert-late");
    expect(await add(anOrderBody([{ productid, amount: 3 }], { senderid }))).toMatchObject(NOT_PLACED);
    expect(await landLateInserts(env.DB)).toBe(0);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 3 });
    await expectNoOversell(productid);
  });

  it.each([
    ["d1-outage", false],
    ["order-insert-reply-lost-then-outage", true],
  ] as const)("%s (the Worker cannot reach D1 after the hold): not known (9003, HTTP 503, Retry-After); the retry with the senderid tells", async (point, landed) => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("out");
    workerFaults.armIn(env, point);
    expect(await add(anOrderBody([{ productid, amount: 2 }], { senderid }))).toMatchObject({ ...NOT_KNOWN, body: { ...NOT_KNOWN.body, sendid: senderid } });
    expect((await ordersOf(senderid)).length).toBe(landed ? 1 : 0);
    await expectNoOversell(productid);
    workerFaults.disarm();
    const retry = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(retry).toMatchObject({ resultcode: 0, sendid: senderid });
    expect(await ordersOf(senderid)).toEqual([{ order_id: retry.orderid, status: "unpaid" }]);
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
    await expectNoOversell(productid);
  });

  it("abort-mid-hold: the InventoryDO crashed under the hold, nothing placed (9002), the hold given back", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("crash");
    await armInventory(productid, "abort-mid-hold");
    expect(await add(anOrderBody([{ productid, amount: 2 }], { senderid }))).toMatchObject(NOT_PLACED);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 3 });
    await expectNoOversell(productid);
  });

  it("abort-mid-hold while the object cannot reach D1: nothing placed (9002); the orphan hold lasts until its alarm", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("crash");
    await armInventory(productid, "d1-outage");
    await armInventory(productid, "abort-mid-hold");
    expect(await add(anOrderBody([{ productid, amount: 2 }], { senderid }))).toMatchObject(NOT_PLACED);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
    await expectNoOversell(productid);
    await inventoryStub(productid, LATER()).disarmFaults();
    await holdTimePasses(productid);
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 3 });
  });

  it("expiry-batch-reject on the release after a refused insert: still nothing placed; the hold ends at its alarm", async () => {
    const productid = await aProduct({}, { stock: 3 });
    const senderid = uniqueId("exp");
    workerFaults.armIn(env, "order-insert-reject");
    await armInventory(productid, "expiry-batch-reject");
    expect(await add(anOrderBody([{ productid, amount: 3 }], { senderid }))).toMatchObject(NOT_PLACED);
    expect(await liveStock(productid)).toMatchObject({ held: 3 });
    await holdTimePasses(productid);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 3 });
    await expectNoOversell(productid);
  });
});

describe("annual-card add under store faults (j)", () => {
  const aCardOrder = (productid: string, senderid: string) => ({
    productid, amount: 1, mobile: "13800138000", fullname: "孙七", identificationtype: "1", identificationnumber: aResidentId("19920815", 124),
    effectdate: LATER(), senderid, BuyInsurance: "0",
  });

  it.each([
    ["order-insert-reject", NOT_PLACED, 0],
    ["order-insert-reply-lost", { status: 200, body: { resultcode: 0 } }, 1],
    ["order-insert-late", NOT_PLACED, 0],
  ] as const)("a card without a calendar day, %s → its answer, true of D1", async (point, expected, orders) => {
    const card = await aProduct({ kind: "yearcard", price: 199 }, null);
    const senderid = uniqueId("Y");
    workerFaults.armIn(env, point);
    expect(await send(YEARCARD, aCardOrder(card, senderid))).toMatchObject(expected);
    await landLateInserts(env.DB);
    expect((await ordersOf(senderid)).length).toBe(orders);
  });

  it("a card with a calendar day whose InventoryDO crashes mid-hold: nothing placed (9002)", async () => {
    const card = await aProduct({ kind: "yearcard", price: 199 }, { stock: 2 });
    const senderid = uniqueId("Y");
    await armInventory(card, "abort-mid-hold");
    expect(await send(YEARCARD, aCardOrder(card, senderid))).toMatchObject(NOT_PLACED);
    expect(await ordersOf(senderid)).toEqual([]);
    expect(await liveStock(card)).toMatchObject({ held: 0, available: 2 });
  });
});

describe("POS bill add under store faults (j)", () => {
  const BILL_ADD = "/api/WebInterface/Pos/Sell/Bill/Add";

  it.each([
    ["bill-insert-reject", { status: 503, retryAfter: "2", body: { errcode: ResultCodes.outcomeUnknown.code, tag: null } }, 0],
    ["bill-insert-reply-lost", { status: 200, body: { errcode: 0, tag: { BillState: "unpaid", Amount: 6 } } }, 1],
  ] as const)("%s → its answer, true of D1; the retry with the SenderBillNum names one bill", async (point, expected, bills) => {
    const productid = await aProduct({ kind: "retail", price: 3 }, null);
    const senderBillNum = uniqueId("SB");
    const body = { DWID: customer.dwid, DWSX: customer.dwlx, SenderBillNum: senderBillNum, Items: [{ ProductId: productid, Amount: 2 }] };
    workerFaults.armIn(env, point);
    const first = await send(BILL_ADD, body);
    expect(first).toMatchObject(expected);
    const rows = () => d1Rows("SELECT bill_num FROM pos_bills WHERE sender_bill_num = ?", senderBillNum);
    expect((await rows()).length).toBe(bills);
    if (bills === 1) expect(first.body.tag.BillNum).toBe((await rows())[0].bill_num);
    const retry = await send(BILL_ADD, body);
    expect(retry).toMatchObject({ status: 200, body: { errcode: 0 } });
    expect(await rows()).toEqual([{ bill_num: retry.body.tag.BillNum }]);
  });
});
