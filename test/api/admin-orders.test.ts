/** The /admin order and bill lists and details (SPEC §7). */
import { describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { INVALID, aBillRow, allPages, anOrderRow } from "../helpers/admin";
import { aCustomer, admin, uniqueId } from "../helpers/api";

describe("orders", () => {
  it("GET /admin/orders/{orderid} shows the order with its items and tickets, amounts in yuan", async () => {
    const c = await aCustomer();
    const orderId = await anOrderRow({
      dwid: c.dwid, senderId: "TC-1", status: "paid",
      items: [{ productId: "P1", quantity: 2, unitPriceFen: 6_050 }, { productId: "P2", quantity: 1, unitPriceFen: 1 }],
      tickets: [`T${crypto.randomUUID()}`, `T${crypto.randomUUID()}`],
    });
    const r = await admin("GET", `/admin/orders/${orderId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orderId, dwid: c.dwid, senderId: "TC-1", status: "paid", amount: 121.01, sellStationId: "01" });
    expect(r.body.items).toEqual([
      expect.objectContaining({ lineNo: 1, productId: "P1", quantity: 2, unitPrice: 60.5, amount: 121 }),
      expect.objectContaining({ lineNo: 2, productId: "P2", quantity: 1, unitPrice: 0.01, amount: 0.01 }),
    ]);
    expect(r.body.tickets).toHaveLength(2);
  });

  it("GET of an unknown order is 404", async () => {
    const r = await admin("GET", `/admin/orders/${uniqueId("none").slice(0, 20)}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(ResultCodes.orderNotFound.code);
  });

  it("GET of an order id longer than 20 characters is 400", async () => {
    const r = await admin("GET", `/admin/orders/${"9".repeat(21)}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field: "orderid" });
  });

  it("the list filters by customer, date, status and q, newest first, and pages through ties exactly once", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const t = Date.now();
    const ids: string[] = [];
    // Four orders created in the same millisecond: the cursor must break the tie.
    for (let i = 0; i < 4; i++) ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}T${i}`, createdAtMs: t, senderId: `S-${c.dwid}-${i}` }));
    ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}N`, createdAtMs: t + 5, status: "paid", effectDate: "20270202" }));
    ids.push(await anOrderRow({ dwid: c.dwid, orderId: `${c.dwid.slice(-8)}O`, createdAtMs: t - 5, status: "cancelled" }));
    await anOrderRow({ dwid: other.dwid, createdAtMs: t });

    const expected = [`${c.dwid.slice(-8)}N`, ...[3, 2, 1, 0].map((i) => `${c.dwid.slice(-8)}T${i}`), `${c.dwid.slice(-8)}O`];
    for (const limit of [1, 2, 4, 10]) {
      const pages = await allPages(`/admin/orders?customer=${c.dwid}`, limit);
      expect(pages.flat().map((o) => o.orderId)).toEqual(expected);
    }
    const perCustomer = await allPages(`/admin/customers/${c.dwid}/orders`, 2);
    expect(perCustomer.flat().map((o) => o.orderId)).toEqual(expected);

    const paid = await admin("GET", `/admin/orders?customer=${c.dwid}&status=paid`);
    expect(paid.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}N`]);
    const onDate = await admin("GET", `/admin/orders?customer=${c.dwid}&date=20270202`);
    expect(onDate.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}N`]);
    const byOrderId = await admin("GET", `/admin/orders?q=${encodeURIComponent(`${c.dwid.slice(-8)}T2`)}`);
    expect(byOrderId.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}T2`]);
    const bySender = await admin("GET", `/admin/orders?q=${encodeURIComponent(`S-${c.dwid}-1`)}`);
    expect(bySender.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([`${c.dwid.slice(-8)}T1`]);
    const wildcard = await admin("GET", `/admin/orders?customer=${c.dwid}&q=${encodeURIComponent("%")}`);
    expect(wildcard.body.items).toEqual([]);
  });

  it.each([
    ["an unknown status", "status=lost", "status"],
    ["a date that does not exist", "date=20270230", "date"],
  ])("the list refuses %s (400)", async (_label, query, field) => {
    const r = await admin("GET", `/admin/orders?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: INVALID, field });
  });
});

describe("bills", () => {
  it("the list filters by customer, newest first, and pages through every bill exactly once", async () => {
    const c = await aCustomer();
    const other = await aCustomer();
    const t = Date.now();
    const nums: string[] = [];
    for (let i = 0; i < 5; i++) {
      nums.push(await aBillRow({ dwid: c.dwid, billNum: `${c.dwid.slice(-8)}B${i}`, createdAtMs: t + (i < 3 ? 0 : i), status: i % 2 ? "paid" : "unpaid", amountFen: 100 * (i + 1) }));
    }
    await aBillRow({ dwid: other.dwid, createdAtMs: t });
    const expected = [nums[4], nums[3], nums[2], nums[1], nums[0]];
    for (const limit of [1, 2, 5]) {
      const pages = await allPages(`/admin/bills?customer=${c.dwid}`, limit);
      expect(pages.flat().map((b) => b.billNum)).toEqual(expected);
    }
    const r = await admin("GET", `/admin/bills?customer=${c.dwid}&limit=1`);
    expect(r.body.items[0]).toMatchObject({ billNum: nums[4], dwid: c.dwid, status: "unpaid", amount: 5, rndCode: null, paidAt: null });
    const second = await admin("GET", `/admin/bills?customer=${c.dwid}&limit=1&cursor=${encodeURIComponent(r.body.nextCursor)}`);
    expect(second.body.items[0]).toMatchObject({ billNum: nums[3], status: "paid", amount: 4, rndCode: "123456" });
  });
});
