/**
 * POST api/WebInterface/Order/Refund (SPEC §10) through the real Worker: the
 * legacy envelope in every body format, validation naming the field and the
 * rule, one's own orders only, repeats answered the same, and an outcome not
 * yet known answered 503 — never a refusal.
 */
import { env } from "cloudflare:workers";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { OrderRefundParm } from "../../src/schemas/order-refund";
import { contractOf } from "../../src/wire/contract";
import { writeXml, type WireObject } from "../../src/wire/xml";
import { aCustomer, loginAs, partner, uniqueId, type TestCustomer, type TestSession, type WireFormat } from "../helpers/api";
import { ADD, aProduct, anOrderBody, d1Rows, liveStock } from "../helpers/catalogue";
import { expectMoneyInvariants } from "../helpers/invariants";

const REFUND = "/api/WebInterface/Order/Refund";
const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";

async function aPaidOrder(c: TestCustomer, s: TestSession, quantity = 2) {
  const productId = await aProduct({ price: 40 }, { stock: 10 });
  const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: quantity }], { senderid: uniqueId("S") }), { token: s.token })).json()) as { orderid: string; sendid: string };
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token })).json()) as { resultcode: number };
  expect(paid.resultcode).toBe(0);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, senderId: added.sendid, productId, tickets };
}

async function refund(s: TestSession, body: unknown, format: WireFormat = "json") {
  const response =
    format === "xml"
      ? await partner(REFUND, writeXml(contractOf(OrderRefundParm), body as WireObject), { token: s.token, contentType: "application/xml" })
      : await partner(REFUND, body, { token: s.token, format });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), text, body: format === "json" ? JSON.parse(text) : null };
}

describe("Order/Refund", () => {
  it("refunds the whole order by senderid: errcode 0 with the refund as its tag; the repeat answers the same", async () => {
    const c = await aCustomer({ depositYuan: 300 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    const first = await refund(s, { senderid: order.senderId, refundid: "RF-1", reason: "行程取消" });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(["errcode", "errmsg", "tag"]);
    expect(Object.keys(first.body.tag)).toEqual(["refundid", "orderid", "senderid", "refundamount", "fee", "tickets", "orderstatus", "refundedat"]);
    expect(first.body).toMatchObject({ errcode: 0, tag: { refundid: "RF-1", orderid: order.orderId, senderid: order.senderId, refundamount: 80, fee: 0, tickets: order.tickets, orderstatus: "refunded" } });
    const again = await refund(s, { orderid: order.orderId, refundid: "RF-1" });
    expect(again.body).toEqual(first.body);
    expect((await expectMoneyInvariants(c.dwid)).balanceFen).toBe(30_000);
    const stock = await liveStock(order.productId);
    expect(stock.held + stock.sold).toBe(0);
  });

  it.each<WireFormat>(["xml", "form", "bson"])("reads a %s body with its ticket codes", async (format) => {
    const c = await aCustomer({ depositYuan: 300 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, 3);
    const response = await refund(s, { orderid: order.orderId, refundid: `RF-${format}`, ticketcodes: [order.tickets[0], order.tickets[2]] }, format);
    expect(response.status).toBe(200);
    const tickets = await d1Rows("SELECT status FROM tickets WHERE order_id = ? ORDER BY ticket_code", order.orderId);
    expect(tickets.map((t) => t.status)).toEqual(["refunded", "valid", "refunded"]);
    if (format === "xml") {
      const parsed = new XMLParser({ parseTagValue: false, removeNSPrefix: true }).parse(response.text);
      const root = Object.values(parsed).find((v) => typeof v === "object") as { errcode: string; tag: { tickets: { string: string[] }; orderstatus: string } };
      expect(root.errcode).toBe("0");
      expect(root.tag.tickets.string).toEqual([order.tickets[0], order.tickets[2]]);
      expect(root.tag.orderstatus).toBe("partially_refunded");
    }
  });

  it.each([
    ["neither orderid nor senderid", { refundid: "R" }, 1101, "orderid 与 senderid 至少提供一个"],
    ["no refundid", { orderid: "X" }, 1101, "refundid"],
    ["refundid too long", { orderid: "X", refundid: "R".repeat(51) }, 1102, "refundid 长度不能超过50"],
    ["an empty ticket list (absent means all; empty is a mistake)", { orderid: "X", refundid: "R", ticketcodes: [] }, 1101, "ticketcodes 至少需要1项"],
    ["a ticket code too long", { orderid: "X", refundid: "R", ticketcodes: ["1".repeat(31)] }, 1102, "ticketcodes[0] 长度不能超过30"],
  ])("refuses %s (%i), naming the field", async (_label, body, code, message) => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const response = await refund(s, body);
    expect(response.status).toBe(200);
    expect(response.body.errcode).toBe(code);
    expect(response.body.errmsg).toContain(message);
  });

  it("refuses another customer's order as not found, and without a session answers 401", async () => {
    const a = await aCustomer({ depositYuan: 300 });
    const order = await aPaidOrder(a, await loginAs(a));
    const b = await aCustomer({ depositYuan: 300 });
    expect((await refund(await loginAs(b), { orderid: order.orderId, refundid: "X" })).body).toMatchObject({ errcode: 4001 });
    const anonymous = await partner(REFUND, { orderid: order.orderId, refundid: "X" });
    expect(anonymous.status).toBe(401);
    expect((await d1Rows("SELECT count(*) AS n FROM refunds WHERE order_id = ?", order.orderId))[0].n).toBe(0);
  });

  it("an outcome not yet known is HTTP 503 with Retry-After (never a refusal); the same refundid later answers 0 once", async () => {
    const c = await aCustomer({ depositYuan: 300 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s);
    const account = () => env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
    await account().armFault("d1-reply-lost-then-outage");
    const unknown = await refund(s, { orderid: order.orderId, refundid: "RF-u" });
    expect(unknown).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), body: { errcode: 9003 } });
    await account().disarmFaults();
    expect((await refund(s, { orderid: order.orderId, refundid: "RF-u" })).body).toMatchObject({ errcode: 0, tag: { refundamount: 80 } });
    const state = await expectMoneyInvariants(c.dwid);
    expect(state.ledger.filter((e) => e.kind === "refund")).toHaveLength(1);
  });

  it("Order/Query shows the refund, each ticket's status and partially_refunded", async () => {
    const c = await aCustomer({ depositYuan: 300 });
    const s = await loginAs(c);
    const order = await aPaidOrder(c, s, 3);
    const done = await refund(s, { orderid: order.orderId, refundid: "RF-q", ticketcodes: [order.tickets[1]] });
    const query = (await (await partner("/api/WebInterface/Order/Query", { orderid: order.orderId }, { token: s.token })).json()) as any;
    expect(query.tag).toMatchObject({
      status: "partially_refunded",
      refunds: [{ refundid: "RF-q", refundamount: 40, tickets: [order.tickets[1]], refundedat: done.body.tag.refundedat }],
    });
    expect(query.tag.tickets.map((t: { ticketcode: string; status: string }) => `${t.ticketcode}:${t.status}`).sort()).toEqual(
      order.tickets.map((code, i) => `${code}:${i === 1 ? "refunded" : "valid"}`).sort(),
    );
  });
});

describe("a refund racing a pay of the same order", () => {
  it("eight pairs at once: the order is paid once, refunded at most once, and the money adds up", async () => {
    const c = await aCustomer({ depositYuan: 1000 });
    const s = await loginAs(c);
    const productId = await aProduct({ price: 40 }, { stock: 50 });
    const paypassword = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    for (let i = 0; i < 8; i++) {
      const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: 2 }]), { token: s.token })).json()) as { orderid: string };
      const [paid, refunded] = await Promise.all([
        partner(MIN, { orderid: added.orderid, paypassword }, { token: s.token }).then((r) => r.json() as Promise<{ resultcode: number }>),
        refund(s, { orderid: added.orderid, refundid: `RACE-${i}` }),
      ]);
      expect(paid.resultcode).toBe(0);
      // The refund either came first (the order was not paid yet: 4005) or after (the whole order back).
      expect([0, 4005]).toContain(refunded.body.errcode);
      const order = (await d1Rows("SELECT status, refunded_units FROM orders WHERE order_id = ?", added.orderid))[0];
      expect(order).toEqual({ status: "paid", refunded_units: refunded.body.errcode === 0 ? 2 : 0 });
    }
    await expectMoneyInvariants(c.dwid);
  });
});
