/**
 * Placing orders while the stores fail (reliability issue f, j): every fault
 * point on the order-add path, through the real Worker, InventoryDOs and
 * local D1. Each case checks the answer (code and HTTP status) and the
 * stores afterwards: the order in D1 or not, the object's holds, and
 * sold + held ≤ stock (SPEC §6). Worker-side points are armed on
 * `workerFaults` (src/durable/faults.ts), the objects' through `armFault`.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { landLateWrites, workerFaults } from "../../src/durable/faults";
import { aCustomer, loginAs, partner, uniqueId, type TestSession } from "../helpers/api";
import { ADD, aProduct, anOrderBody, call, d1Rows, expectNoOversell, liveStock } from "../helpers/catalogue";

let session: TestSession;
beforeAll(async () => {
  session = await loginAs(await aCustomer());
});

afterEach(async () => {
  workerFaults.disarm();
  await landLateWrites(env.DB);
});

async function add(body: Record<string, unknown>): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const response = await partner(ADD, body, { token: session.token });
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

const ordersOf = (senderid: string) => d1Rows("SELECT order_id, status FROM orders WHERE sender_id = ?", senderid);

describe("an order insert that lands late (f: oversell)", () => {
  it("cannot land after its hold was given back: the fence keeps it out, and sold + held ≤ stock", async () => {
    const productid = await aProduct({}, { stock: 2 });
    const senderid = uniqueId("late");
    workerFaults.armIn(env, "order-insert-late");
    const first = await add(anOrderBody([{ productid, amount: 2 }], { senderid }));
    // Whatever was still on its way lands now.
    await landLateWrites(env.DB);
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
