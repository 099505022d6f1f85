/**
 * POST api/WebInterface/Order/Query (SPEC §7): the caller's own orders only,
 * by orderid or senderid, lines and amounts in yuan, tickets once paid — the
 * tickets written into D1 exactly as the payment batch writes them.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { aCustomer, loginAs, partner, uniqueId, type TestSession } from "../helpers/api";
import { ADD, LATER, QUERY, aProduct, anOrderBody, call } from "../helpers/catalogue";

let session: TestSession;
let placed: { orderid: string; senderid: string; ticketProduct: string; cheapProduct: string };

beforeAll(async () => {
  session = await loginAs(await aCustomer());
  const ticketProduct = await aProduct({ price: 120 }, { stock: 10, price: 99.9 });
  const cheapProduct = await aProduct({ price: 0.01 }, { stock: 10 });
  const senderid = uniqueId("Q");
  const r = await call(ADD, session, anOrderBody([{ productid: ticketProduct, amount: 2 }, { productid: cheapProduct, amount: 3 }], { senderid }));
  placed = { orderid: r.orderid, senderid, ticketProduct, cheapProduct };
});

describe("Order/Query", () => {
  it("by orderid: status, amount, effect date and lines; no tickets before payment", async () => {
    const r = await call(QUERY, session, { orderid: placed.orderid });
    expect(r).toEqual({
      errcode: 0,
      errmsg: "成功",
      tag: {
        orderid: placed.orderid,
        senderid: placed.senderid,
        status: "unpaid",
        amount: 199.83,
        effectdate: LATER(),
        items: [
          { productid: placed.ticketProduct, amount: 2, price: 99.9 },
          { productid: placed.cheapProduct, amount: 3, price: 0.01 },
        ],
        tickets: [],
        refunds: [],
      },
    });
  });

  it("writes money as Json.NET writes decimals (two places)", async () => {
    const response = await partner(QUERY, { orderid: placed.orderid }, { token: session.token });
    expect(await response.text()).toContain(`"amount":199.83,"effectdate":"${LATER()}","items":[{"productid":"${placed.ticketProduct}","amount":2,"price":99.90}`);
  });

  it("by senderid, or by both when they name the same order", async () => {
    expect((await call(QUERY, session, { senderid: placed.senderid })).tag.orderid).toBe(placed.orderid);
    expect((await call(QUERY, session, { orderid: placed.orderid, senderid: placed.senderid })).tag.orderid).toBe(placed.orderid);
    expect((await call(QUERY, session, { orderid: placed.orderid, senderid: "another" })).errcode).toBe(ResultCodes.orderNotFound.code);
  });

  it("another customer's order answers exactly as an unknown one", async () => {
    const stranger = await loginAs(await aCustomer());
    const theirs = await call(QUERY, stranger, { orderid: placed.orderid });
    const unknown = await call(QUERY, stranger, { orderid: "20990101000000000000" });
    expect(theirs).toEqual(unknown);
    expect(theirs).toEqual({ errcode: ResultCodes.orderNotFound.code, errmsg: "订单不存在", tag: null });
    expect(await call(QUERY, stranger, { senderid: placed.senderid })).toEqual(unknown);
  });

  it("needs orderid or senderid", async () => {
    expect(await call(QUERY, session, {})).toEqual({ errcode: ResultCodes.fieldRequired.code, errmsg: "orderid 与 senderid 至少提供一个", tag: null });
    expect((await call(QUERY, session, { orderid: "1".repeat(21) })).errcode).toBe(ResultCodes.fieldTooLong.code);
  });

  it("shows the tickets once paid (rows as the payment batch inserts them)", async () => {
    const productid = await aProduct({}, { stock: 5 });
    const r = await call(ADD, session, anOrderBody([{ productid, amount: 2 }]));
    const nowMs = Date.now();
    await env.DB.batch([
      env.DB.prepare("UPDATE orders SET status = 'paid', payment_id = ?, paid_at_ms = ?, business_date = ? WHERE order_id = ? AND status = 'unpaid'")
        .bind(`pay-${r.orderid}`, nowMs, LATER(), r.orderid),
      ...["TK-0001", "TK-0002"].map((code) =>
        env.DB.prepare("INSERT INTO tickets (ticket_code, order_id, line_no, product_id, status, issued_at_ms) VALUES (?, ?, 1, ?, 'valid', ?)")
          .bind(`${code}-${r.orderid}`, r.orderid, productid, nowMs),
      ),
    ]);
    const q = await call(QUERY, session, { orderid: r.orderid });
    expect(q.tag.status).toBe("paid");
    expect(q.tag.tickets).toEqual([
      { ticketcode: `TK-0001-${r.orderid}`, productid, status: "valid", usedat: null },
      { ticketcode: `TK-0002-${r.orderid}`, productid, status: "valid", usedat: null },
    ]);
  });

  it("answers in DataContract XML with the generic envelope's name", async () => {
    const response = await partner(QUERY, { orderid: placed.orderid }, { token: session.token, accept: "application/xml" });
    const text = await response.text();
    expect(text).toMatch(/^<CommonOperationResultWithTagOfOrderQueryResult\w{8} xmlns:i=/);
    expect(text).toContain(`<d2p1:orderid>${placed.orderid}</d2p1:orderid>`);
    expect(text).toMatch(/<d2p1:tickets( \/>|><\/d2p1:tickets>)/);
  });
});
