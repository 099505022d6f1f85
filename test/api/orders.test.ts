/**
 * Placing calendar-ticket orders through the real Worker, InventoryDOs and
 * D1 (SPEC §5.5, §7): what an accepted order holds and costs, idempotency on
 * senderid (also concurrent), no overselling under 500 parallel adds,
 * Verify's lack of side effects, and expiry giving the stock back.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { shanghaiDate } from "../../src/domain/dates";
import { aCustomer, loginAs, partner, uniqueId, type TestSession } from "../helpers/api";
import {
  ADD, DOUYIN_ADD, LATER, QUERY, VERIFY, aProduct, aResidentId, anOrderBody, call, d1Rows, inventoryRows, inventoryStub, liveStock,
} from "../helpers/catalogue";

let session: TestSession;
let dwid: string;
beforeAll(async () => {
  const customer = await aCustomer();
  dwid = customer.dwid;
  session = await loginAs(customer);
});

const HOLD_MS = 30 * 60_000;

describe("an accepted order", () => {
  it("holds its stock, costs the per-date price (else the product's), and is an unpaid D1 order", async () => {
    const dated = await aProduct({ price: 100 }, { stock: 10, price: 80.5 });
    const plain = await aProduct({ price: 35 }, { stock: 10 });
    const id = aResidentId();
    const body = anOrderBody(
      [
        { productid: dated, amount: 2, mobile: "13911112222" },
        { productid: plain, amount: 1, fullname: "王五", identificationnumber: id },
        { productid: dated, amount: 1 },
      ],
      { senderid: uniqueId("S"), identificationnumber: id, reserve1: "3人" },
    );
    const before = Date.now();
    const r = await call(ADD, session, body);
    expect(r).toMatchObject({ sendid: body.senderid, orderstatus: "unpaid", resultcode: 0 });
    expect(r.returnmessgage).toContain("30分钟");

    const [order] = await d1Rows("SELECT * FROM orders WHERE order_id = ?", r.orderid);
    expect(order).toMatchObject({
      dwid, sender_id: body.senderid, kind: "ticket", status: "unpaid", effect_date: LATER(), amount_fen: 3 * 8050 + 3500,
      mobile: "13800138000", id_number: id, timespan_index: null, payment_id: null,
    });
    expect(order.created_at_ms).toBeGreaterThanOrEqual(before);
    expect(order.expires_at_ms - order.created_at_ms).toBe(HOLD_MS);
    expect(JSON.parse(order.request_json)).toMatchObject({ senderid: body.senderid, reserve1: "3人" });

    const items = await d1Rows("SELECT line_no, item_kind, product_id, quantity, unit_price_fen, amount_fen, id_number, mobile FROM order_items WHERE order_id = ? ORDER BY line_no", r.orderid);
    expect(items).toEqual([
      { line_no: 1, item_kind: "ticket", product_id: dated, quantity: 2, unit_price_fen: 8050, amount_fen: 16100, id_number: null, mobile: "13911112222" },
      { line_no: 2, item_kind: "ticket", product_id: plain, quantity: 1, unit_price_fen: 3500, amount_fen: 3500, id_number: id, mobile: "13800138000" },
      { line_no: 3, item_kind: "ticket", product_id: dated, quantity: 1, unit_price_fen: 8050, amount_fen: 8050, id_number: null, mobile: "13800138000" },
    ]);
    expect(items.reduce((sum, i) => sum + i.amount_fen, 0)).toBe(order.amount_fen);

    expect(await liveStock(dated)).toMatchObject({ held: 3, available: 7 });
    expect(await liveStock(plain)).toMatchObject({ held: 1, available: 9 });
    const [hold] = (await inventoryRows(dated)).holds;
    expect(hold).toMatchObject({ order_id: r.orderid, quantity: 3, state: "held", expires_at_ms: order.expires_at_ms });
  });

  it("has an id of 20 characters: the creation date (Asia/Shanghai) and random digits, never in sequence", async () => {
    const productid = await aProduct({}, { stock: 1000 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await call(ADD, session, anOrderBody([{ productid, amount: 1 }]))).orderid);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${shanghaiDate(Date.now())}\\d{12}$`));
    expect(new Set(ids).size).toBe(20);
    const tails = ids.map((id) => Number(id.slice(8)));
    expect(tails.slice(1).every((t, i) => Math.abs(t - tails[i]!) > 1000)).toBe(true);
  });

  it("is placed the same at the Douyin path", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const r = await call(DOUYIN_ADD, session, anOrderBody([{ productid, amount: 2 }]));
    expect(r).toMatchObject({ resultcode: 0, orderstatus: "unpaid" });
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
  });

  it("takes its time slot: n, or -1 resolved to the earliest slot with room, kept on the order and its lines", async () => {
    const timeslots = [
      { index: 1, start: "09:00", end: "12:00", capacity: 2 },
      { index: 2, start: "13:00", end: "17:00", capacity: 5 },
    ];
    const productid = await aProduct({}, { stock: 7, timeslots });
    await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { timespanindex: 1 }));
    const auto = await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { timespanindex: -1 }));
    expect((await d1Rows("SELECT timespan_index FROM orders WHERE order_id = ?", auto.orderid))[0].timespan_index).toBe(2);
    expect((await d1Rows("SELECT timespan_index FROM order_items WHERE order_id = ?", auto.orderid))[0].timespan_index).toBe(2);
    const live = await liveStock(productid);
    expect(live.slots.map((s) => [s.index, s.held])).toEqual([[1, 2], [2, 1]]);
  });

  it("keeps its seats on the line", async () => {
    const productid = await aProduct();
    const r = await call(ADD, session, anOrderBody([{ productid, amount: 2, seatitems: [{ seatid: "B-1" }, { seatid: "B-2" }] }]));
    expect((await d1Rows("SELECT seats_json FROM order_items WHERE order_id = ?", r.orderid))[0].seats_json).toBe('["B-1","B-2"]');
    expect((await inventoryRows(productid)).seats.map((s: any) => s.seat_id)).toEqual(["B-1", "B-2"]);
  });

  it("arrives and answers in DataContract XML as well", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const senderid = uniqueId("X");
    const xml =
      `<OrderAddParm xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm.WebInterface">` +
      `<effectdate>${LATER()}</effectdate><mobile>13800138000</mobile><orderdetails><OrderAddItemParm><amount>3</amount>` +
      `<productid>${productid}</productid></OrderAddItemParm></orderdetails><senderid>${senderid}</senderid></OrderAddParm>`;
    const response = await partner(ADD, xml, { token: session.token, contentType: "application/xml" });
    const text = await response.text();
    expect(text).toMatch(/^<OrderOperatorResult xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xmlns="http:\/\/schemas.datacontract.org\/2004\/07\/DigitalScience.DataTransfer.Tour.V5.Result.WebInterface">/);
    expect(text).toMatch(new RegExp(`<orderid>\\d{20}</orderid><orderstatus>unpaid</orderstatus><resultcode>0</resultcode><returnmessgage>[^<]+</returnmessgage><sendid>${senderid}</sendid>`));
    expect(await liveStock(productid)).toMatchObject({ held: 3 });
  });

  it("of several products holds in all of them or in none", async () => {
    const plenty = await aProduct({}, { stock: 10 });
    const scarce = await aProduct({}, { stock: 1 });
    const r = await call(ADD, session, anOrderBody([{ productid: plenty, amount: 2 }, { productid: scarce, amount: 2 }]));
    expect(r.resultcode).toBe(ResultCodes.stockSoldOut.code);
    expect(r.returnmessgage).toContain(scarce);
    expect(await liveStock(plenty)).toMatchObject({ held: 0, available: 10 });
    expect((await inventoryRows(plenty)).holds).toEqual([expect.objectContaining({ state: "released" })]);
  });
});

describe("idempotent on senderid per customer", () => {
  it("a repeat answers the existing order's current state, whatever it carries, and holds nothing more", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const senderid = uniqueId("S");
    const first = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { senderid }));
    const again = await call(ADD, session, anOrderBody([{ productid, amount: 5 }], { senderid, mobile: "13912345678" }));
    expect(again).toMatchObject({ orderid: first.orderid, sendid: senderid, orderstatus: "unpaid", resultcode: 0 });
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
    // Once the order is paid, the repeat says so.
    await env.DB.prepare("UPDATE orders SET status = 'paid', payment_id = ? WHERE order_id = ?").bind(`pay-${first.orderid}`, first.orderid).run();
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid }))).orderstatus).toBe("paid");
    // Even a repeat that would now be refused (sold out, unknown product) answers the order.
    expect(await call(ADD, session, anOrderBody([{ productid: uniqueId("nope"), amount: 1 }], { senderid }))).toMatchObject({ orderid: first.orderid, resultcode: 0 });
  });

  it("a repeat of the order that sold the day out answers that order, not 'sold out'", async () => {
    const productid = await aProduct({}, { stock: 2 });
    const senderid = uniqueId("S");
    const first = await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { senderid }));
    expect(first.resultcode).toBe(0);
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 1 }]))).resultcode).toBe(4301);
    expect(await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid }))).toMatchObject({ orderid: first.orderid, resultcode: 0 });
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
  });

  it("20 concurrent identical adds: one order, one hold, every answer names it", async () => {
    const productid = await aProduct({}, { stock: 100 });
    const body = anOrderBody([{ productid, amount: 3 }], { senderid: uniqueId("C") });
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(ADD, session, body)));
    const ids = new Set(answers.map((a) => a.orderid));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.resultcode === 0 && a.orderstatus === "unpaid")).toBe(true);
    expect(await d1Rows("SELECT order_id FROM orders WHERE dwid = ? AND sender_id = ?", dwid, body.senderid)).toEqual([{ order_id: [...ids][0] }]);
    expect(await liveStock(productid)).toMatchObject({ held: 3, available: 97 });
    // Repeats that raced past the senderid lookup held under their own ids, then released when their insert lost.
    const holds = (await inventoryRows(productid)).holds;
    expect(holds.filter((h: any) => h.state !== "released")).toEqual([expect.objectContaining({ order_id: [...ids][0], state: "held" })]);
  }, 30_000);

  it("senderids are per customer: another customer's same senderid is another order", async () => {
    const productid = await aProduct({}, { stock: 10 });
    const other = await loginAs(await aCustomer());
    const senderid = uniqueId("S");
    const mine = await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid }));
    const theirs = await call(ADD, other, anOrderBody([{ productid, amount: 1 }], { senderid }));
    expect(theirs.resultcode).toBe(0);
    expect(theirs.orderid).not.toBe(mine.orderid);
    expect(await liveStock(productid)).toMatchObject({ held: 2 });
  });
});

describe("no overselling", () => {
  it("500 parallel adds for 100 remaining tickets leave exactly 100 held", async () => {
    const productid = await aProduct({}, { stock: 100 });
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid: `P500-${productid}-${i}` }))),
    );
    const accepted = answers.filter((a) => a.resultcode === 0);
    expect(accepted).toHaveLength(100);
    expect(answers.filter((a) => a.resultcode !== 0).every((a) => a.resultcode === ResultCodes.stockSoldOut.code)).toBe(true);
    expect(await liveStock(productid)).toMatchObject({ stock: 100, held: 100, sold: 0, available: 0 });
    const [{ n }] = await d1Rows("SELECT count(*) AS n FROM order_items WHERE product_id = ?", productid);
    expect(n).toBe(100);
    const holds = (await inventoryRows(productid)).holds;
    expect(holds.filter((h: any) => h.state === "held").map((h: any) => h.order_id).sort()).toEqual(accepted.map((a) => a.orderid).sort());
  }, 120_000);
});

describe("Verify has no side effects", () => {
  it("verifying 1,000 times (accepted and refused alike) changes no stock and no D1 row", async () => {
    const productid = await aProduct({ limitPerMobilePerDay: 50 }, { stock: 5, timeslots: [{ index: 1, start: "09:00", end: "17:00", capacity: 5 }] });
    await call(ADD, session, anOrderBody([{ productid, amount: 2 }], { timespanindex: 1 }));
    const d1 = () => Promise.all([
      d1Rows("SELECT * FROM orders WHERE dwid = ? ORDER BY order_id", dwid),
      d1Rows("SELECT * FROM order_items WHERE product_id = ? ORDER BY order_id, line_no", productid),
      d1Rows("SELECT * FROM product_days WHERE product_id = ?", productid),
    ]);
    const [storeBefore, d1Before] = [await inventoryRows(productid), await d1()];
    const alarmBefore = await runInDurableObject(inventoryStub(productid, LATER()), (_i, state) => state.storage.getAlarm());
    const bodies = [
      anOrderBody([{ productid, amount: 3 }], { timespanindex: -1, senderid: "V-ok" }),
      anOrderBody([{ productid, amount: 4 }], { timespanindex: 1, senderid: "V-sold-out" }),
      anOrderBody([{ productid, amount: 1, seatitems: [{ seatid: "Z9" }] }], { timespanindex: 1 }),
    ];
    const codes = new Map<number, number>();
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call(VERIFY, session, bodies[(batch * 50 + i) % bodies.length])));
      for (const a of answers) codes.set(a.errcode, (codes.get(a.errcode) ?? 0) + 1);
    }
    // 1,000 answers: bodies 0 and 2 fit (667), body 1 exceeds the day (333).
    expect(Object.fromEntries(codes)).toEqual({ 0: 667, [ResultCodes.stockSoldOut.code]: 333 });
    expect(await inventoryRows(productid)).toEqual(storeBefore);
    expect(await d1()).toEqual(d1Before);
    expect(await runInDurableObject(inventoryStub(productid, LATER()), (_i, state) => state.storage.getAlarm())).toBe(alarmBefore);
  }, 120_000);
});

describe("expiry", () => {
  it("an unpaid order past its time reads expired, and once the alarm rang its stock is back and D1 says expired", async () => {
    const productid = await aProduct({}, { stock: 4 });
    const r = await call(ADD, session, anOrderBody([{ productid, amount: 4 }], { senderid: uniqueId("E") }));
    // Age the order in both stores (they share one expiry time).
    const pastMs = Date.now() - 1000;
    await env.DB.prepare("UPDATE orders SET expires_at_ms = ? WHERE order_id = ?").bind(pastMs, r.orderid).run();
    const stub = inventoryStub(productid, LATER());
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE holds SET expires_at_ms = ? WHERE order_id = ?", pastMs, r.orderid);
    });
    // Before the alarm: the partner already reads expired, Verify counts the stock as free, nothing is written.
    expect((await call(QUERY, session, { orderid: r.orderid })).tag.status).toBe("expired");
    expect((await call(VERIFY, session, anOrderBody([{ productid, amount: 4 }]))).errcode).toBe(0);
    expect((await d1Rows("SELECT status FROM orders WHERE order_id = ?", r.orderid))[0].status).toBe("unpaid");
    expect(await liveStock(productid)).toMatchObject({ held: 4 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await d1Rows("SELECT status FROM orders WHERE order_id = ?", r.orderid))[0].status).toBe("expired");
    expect(await liveStock(productid)).toMatchObject({ held: 0, available: 4 });
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 4 }]))).resultcode).toBe(0);
    // The senderid still names the expired order.
    expect((await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid: (await d1Rows("SELECT sender_id FROM orders WHERE order_id = ?", r.orderid))[0].sender_id }))).orderstatus).toBe("expired");
  });
});
