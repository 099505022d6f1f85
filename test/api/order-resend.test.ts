/**
 * POST api/WebInterface/Order/Resend (SPEC §10) through the real Worker, D1,
 * queue and consumer: one's own paid order's valid ticket codes texted
 * again — to the order's mobile or to `mobile` — through the outbox like
 * every notification, SMS only (no partner callback); at most 3 per order in
 * any rolling hour, exactly, however many arrive at once. Time moves with
 * testClock only; SMS are observed in the log lines of local dev
 * (test/helpers/notifications.ts), callbacks through the outbound spy.
 */
import { env } from "cloudflare:workers";
import { deserialize } from "bson";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testClock } from "../../src/clock";
import { configOf } from "../../src/config";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { insertResendIfAllowed } from "../../src/db/resends";
import { ResultCodes } from "../../src/domain/codes";
import { shanghaiMinuteOfDay } from "../../src/domain/dates";
import { workerFaults } from "../../src/durable/faults";
import { deliver } from "../../src/queue/consumer";
import { OrderResendParm } from "../../src/schemas/order-resend";
import { contractOf } from "../../src/wire/contract";
import { writeXml } from "../../src/wire/xml";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aProduct, anOrderBody, call, d1Rows } from "../helpers/catalogue";
import { deliveriesOf, observeOutbound, outboxRow, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";
import { NS_PARM_WI, NS_RESULT_WI, XSI } from "../helpers/wire";
import type { OrderResult } from "../helpers/wire";

const RESEND = "/api/WebInterface/Order/Resend";
const PAY = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const CANCEL = "/api/WebInterface/Order/Cancel";
const HOUR_MS = 3_600_000;
const WAIT = { timeout: 45_000, interval: 100 };

const { http, logs } = observeOutbound();

let customer: TestCustomer;
let session: TestSession;
let callbackHost: string;
let productid: string;
beforeAll(async () => {
  customer = await aCustomer({ depositYuan: 10_000 });
  callbackHost = http.partner();
  await withCallback(customer, `https://${callbackHost}/notify`);
  session = await loginAs(customer);
  productid = await aProduct({ price: 10 }, { stock: 10_000 });
});

afterEach(() => workerFaults.disarm());

async function resend(body: unknown, s = session): Promise<OrderResult> {
  const response = await partner(RESEND, body, { token: s.token });
  expect(response.status).toBe(200);
  return response.json();
}

/** A paid order of `amount` tickets through Order/Add and pay; its ticket codes in issue order. */
async function aPaidOrder(amount = 2, c = customer, s = session) {
  const senderid = uniqueId("RS");
  const added = await call(ADD, s, anOrderBody([{ productid, amount }], { senderid }));
  expect(added.resultcode).toBe(0);
  const paypassword = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
  expect((await call(PAY, s, { orderid: added.orderid, paypassword })).resultcode).toBe(0);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY line_no, rowid", added.orderid)).map((t) => t.ticket_code as string);
  return { orderid: added.orderid as string, senderid, tickets };
}

const resendRows = (orderid: string) => d1Rows("SELECT id, kind, dwid, target_id, payload_json FROM outbox WHERE kind = 'order_resent' AND target_id = ? ORDER BY created_at_ms, id", orderid);
const sent = (id: string) => vi.waitFor(async () => expect((await outboxRow(id))?.status).toBe("sent"), WAIT);

describe("resending a paid order's tickets", () => {
  it("by orderid: 0; one outbox row order_resent; texted once to the order's mobile with every ticket; no partner callback", async () => {
    const order = await aPaidOrder(2);
    await sent(`order-paid:${order.orderid}`);
    const callbacksBefore = http.callsTo(callbackHost).length;

    expect(await resend({ orderid: order.orderid })).toEqual({
      orderid: order.orderid, sendid: order.senderid, orderstatus: "paid", resultcode: 0,
      returnmessgage: "门票短信将重新发送至138****8000(2张有效门票),本小时内该订单还可重发2次",
    });
    const id = `order-resent:${order.orderid}:1`;
    expect(await resendRows(order.orderid)).toEqual([{ id, kind: "order_resent", dwid: customer.dwid, target_id: order.orderid, payload_json: JSON.stringify({ mobile: "13800138000" }) }]);
    await sent(id);

    const sms = logs.sms(id);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ event: "sms", to: "138****8000" });
    expect(sms[0]!.text).toBe(`您的订单${order.orderid}的门票码：${order.tickets.join("、")}。入园时请出示门票码。`);
    expect(await deliveriesOf(id)).toEqual({ sms: { status: "logged", attempts: 1, target: "138****8000", last_error: null } });
    expect(http.callsTo(callbackHost).length).toBe(callbacksBefore);
  });

  it("by senderid to another mobile: texted to that number; the order keeps its own", async () => {
    const order = await aPaidOrder(1);
    const answer = await resend({ senderid: order.senderid, mobile: "13912345678" });
    expect(answer).toMatchObject({ orderid: order.orderid, sendid: order.senderid, orderstatus: "paid", resultcode: 0 });
    expect(answer.returnmessgage).toContain("139****5678");
    const id = `order-resent:${order.orderid}:1`;
    await sent(id);
    expect(logs.sms(id)).toEqual([{ event: "sms", reference: id, to: "139****5678", text: expect.stringContaining(order.tickets[0]!) }]);
    expect((await resendRows(order.orderid))[0].payload_json).toBe(JSON.stringify({ mobile: "13912345678" }));
    expect((await d1Rows("SELECT mobile FROM orders WHERE order_id = ?", order.orderid))[0].mobile).toBe("13800138000");
    // A blank mobile is no mobile: the order's own.
    expect((await resend({ orderid: order.orderid, mobile: "" })).returnmessgage).toContain("138****8000");
  });

  it("after a partial refund: only the valid tickets, and the order reads partially_refunded", async () => {
    const order = await aPaidOrder(3);
    const refunded = order.tickets[1]!;
    expect((await admin("POST", `/admin/orders/${order.orderid}/refunds`, { refundid: uniqueId("RF"), ticketcodes: [refunded], reason: "行程变更" })).status).toBe(200);
    const answer = await resend({ orderid: order.orderid });
    expect(answer).toMatchObject({ orderstatus: "partially_refunded", resultcode: 0 });
    expect(answer.returnmessgage).toContain("(2张有效门票)");
    const id = `order-resent:${order.orderid}:1`;
    await sent(id);
    const text = logs.sms(id)[0]!.text as string;
    expect(text).toContain(order.tickets[0]!);
    expect(text).toContain(order.tickets[2]!);
    expect(text).not.toContain(refunded);
  });

  it("a fully refunded order has no valid ticket: 4009, nothing queued", async () => {
    const order = await aPaidOrder(2);
    expect((await admin("POST", `/admin/orders/${order.orderid}/refunds`, { refundid: uniqueId("RF"), reason: "全部退" })).status).toBe(200);
    expect(await resend({ orderid: order.orderid })).toEqual({
      orderid: order.orderid, sendid: order.senderid, orderstatus: "refunded", resultcode: ResultCodes.nothingToResend.code, returnmessgage: "订单没有可重发的有效门票",
    });
    expect(await resendRows(order.orderid)).toEqual([]);
  });
});

describe("delivery through an SMS gateway (one attempt of the consumer)", () => {
  it("posts the full number the resend named and only the valid tickets; never the partner's callback", async () => {
    const order = await aPaidOrder(3);
    await sent(`order-paid:${order.orderid}`);
    expect((await admin("POST", `/admin/orders/${order.orderid}/refunds`, { refundid: uniqueId("RF"), ticketcodes: [order.tickets[0]], reason: "一人不去" })).status).toBe(200);
    const callbacksBefore = http.callsTo(callbackHost).length;
    // The row as the endpoint writes it, not handed to the queue: this attempt is the only one.
    const decided = await insertResendIfAllowed(env.DB, { orderId: order.orderid, dwid: customer.dwid, mobile: "13712345678", nowMs: testClock.nowMs() });
    expect(decided).toMatchObject({ outboxId: `order-resent:${order.orderid}:1`, validTickets: 2 });
    const gateway = http.partner(() => new Response(null, { status: 202 }));
    const config = { ...configOf(env), smsGateway: { url: `https://${gateway}/send`, token: null } };

    expect(await deliver(env, config, decided.outboxId!, Date.now())).toBe("ack");
    const posted = http.callsTo(gateway).map((c) => JSON.parse(c.body));
    expect(posted).toEqual([{ to: "13712345678", reference: decided.outboxId, text: `您的订单${order.orderid}的门票码：${order.tickets[1]}、${order.tickets[2]}。入园时请出示门票码。` }]);
    expect(await deliveriesOf(decided.outboxId!)).toEqual({ sms: { status: "sent", attempts: 1, target: "137****5678", last_error: null } });
    expect(http.callsTo(callbackHost).length).toBe(callbacksBefore);
  });

  it("every ticket refunded after the resend was asked: the SMS is skipped, the row done", async () => {
    const order = await aPaidOrder(1);
    const decided = await insertResendIfAllowed(env.DB, { orderId: order.orderid, dwid: customer.dwid, mobile: "13800138000", nowMs: testClock.nowMs() });
    expect((await admin("POST", `/admin/orders/${order.orderid}/refunds`, { refundid: uniqueId("RF"), reason: "全退" })).status).toBe(200);
    const gateway = http.partner(() => new Response(null, { status: 202 }));
    expect(await deliver(env, { ...configOf(env), smsGateway: { url: `https://${gateway}/send`, token: null } }, decided.outboxId!, Date.now())).toBe("ack");
    expect(http.callsTo(gateway)).toEqual([]);
    expect(await deliveriesOf(decided.outboxId!)).toEqual({ sms: { status: "skipped", attempts: 1, target: null, last_error: "no valid ticket left to resend" } });
    expect((await outboxRow(decided.outboxId!))?.status).toBe("sent");
  });
});

describe("refusals, each with its code, and nothing queued", () => {
  it.each([
    ["unpaid", 4005, "unpaid", "订单未支付,没有门票可重发", async () => {
      const added = await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("U") }));
      return added.orderid as string;
    }],
    ["cancelled", 4003, "cancelled", "订单已取消", async () => {
      const added = await call(ADD, session, anOrderBody([{ productid, amount: 1 }], { senderid: uniqueId("C") }));
      expect((await call(CANCEL, session, { orderid: added.orderid })).resultcode).toBe(0);
      return added.orderid as string;
    }],
    ["expired (its hold ended, before the alarm wrote it)", 4002, "expired", "订单已过期", async () => (await anUnpaidOrder(customer.dwid, { expiresInMs: -1 })).orderId],
  ] as const)("%s → %i", async (_label, code, status, message, make) => {
    const orderid = await make();
    expect(await resend({ orderid })).toMatchObject({ orderid, orderstatus: status, resultcode: code, returnmessgage: message });
    expect(await resendRows(orderid)).toEqual([]);
  });

  it("an unknown order, and another customer's paid order by orderid or senderid: 4001, nothing of it shown or queued", async () => {
    const other = await aCustomer({ depositYuan: 100 });
    const otherSession = await loginAs(other);
    const theirs = await aPaidOrder(1, other, otherSession);
    const notFound = { orderid: null, sendid: null, orderstatus: null, resultcode: 4001, returnmessgage: "订单不存在" };
    for (const body of [{ orderid: theirs.orderid }, { senderid: theirs.senderid }, { orderid: "20990101000000000000" }]) {
      expect(await resend(body), JSON.stringify(body)).toEqual(notFound);
    }
    expect(await resendRows(theirs.orderid)).toEqual([]);
  });

  it("neither orderid nor senderid: 1101 naming both", async () => {
    expect(await resend({ mobile: "13912345678" })).toEqual({ orderid: null, sendid: null, orderstatus: null, resultcode: 1101, returnmessgage: "orderid 与 senderid 至少提供一个" });
  });

  it.each([
    ["10 digits", 1104, "1391234567", "mobile 必须是11位手机号码"],
    ["12 digits", 1102, "139123456789", "mobile 长度不能超过11"],
    ["a letter", 1104, "1391234567a", "mobile 必须是11位手机号码"],
    ["not starting with 1", 1104, "23912345678", "mobile 必须是11位手机号码"],
    ["spaces", 1104, "139 1234 56", "mobile 必须是11位手机号码"],
  ])("mobile %s → %i", async (_label, code, mobile, message) => {
    const order = await aPaidOrder(1);
    const answer = await resend({ orderid: order.orderid, mobile });
    expect(answer.resultcode).toBe(code);
    expect(answer.returnmessgage).toContain(message);
    expect(await resendRows(order.orderid)).toEqual([]);
  });
});

describe("at most 3 per order in any rolling hour", () => {
  /** Keeps the retry time's minute on this side of midnight, so "北京时间 HH:mm" is computed the same way here. */
  function retryWords(retryAtMs: number, nowMs = testClock.nowMs()): string {
    const minutes = Math.max(1, Math.ceil((retryAtMs - nowMs) / 60_000));
    const m = shanghaiMinuteOfDay(Math.ceil(retryAtMs / 60_000) * 60_000);
    return `请${minutes}分钟后（北京时间 ${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")} 之后）再试`;
  }

  it("the 4th within the hour is refused 4008 saying when to retry; once the first is an hour old, one more; other orders unaffected", async () => {
    const order = await aPaidOrder(1);
    const first = testClock.nowMs();
    const left: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await resend({ orderid: order.orderid });
      expect(answer.resultcode).toBe(0);
      left.push(/还可重发(\d)次$/.exec(answer.returnmessgage)?.[1]);
      testClock.advance(10 * 60_000);
    }
    expect(left).toEqual(["2", "1", "0"]);
    const rows = await d1Rows("SELECT created_at_ms FROM outbox WHERE kind = 'order_resent' AND target_id = ? ORDER BY created_at_ms", order.orderid);
    const firstAt = rows[0].created_at_ms as number;
    expect(firstAt).toBeGreaterThanOrEqual(first);

    const refused = await resend({ orderid: order.orderid });
    expect(refused).toEqual({
      orderid: order.orderid, sendid: order.senderid, orderstatus: "paid", resultcode: ResultCodes.resendLimited.code,
      returnmessgage: `该订单1小时内已重发3次短信,${retryWords(firstAt + HOUR_MS)}`,
    });
    // Another order of the same customer has its own count.
    expect((await resend({ orderid: (await aPaidOrder(1)).orderid })).resultcode).toBe(0);

    // Seconds before the first resend is an hour old (testClock runs on with real time): still refused; then allowed.
    testClock.advance(firstAt + HOUR_MS - 5_000 - testClock.nowMs());
    expect((await resend({ orderid: order.orderid })).resultcode).toBe(4008);
    testClock.advance(5_000);
    expect(await resend({ orderid: order.orderid })).toMatchObject({ resultcode: 0, returnmessgage: expect.stringContaining("还可重发0次") });
    // Now the second resend is the oldest in the hour: the limit lifts an hour after it. The clock
    // runs on with real time, so the minutes shown are those of an instant between asking and the answer.
    const before = testClock.nowMs();
    const again = await resend({ orderid: order.orderid });
    const after = testClock.nowMs();
    expect(again.resultcode).toBe(4008);
    const secondAt = (await d1Rows("SELECT created_at_ms FROM outbox WHERE kind = 'order_resent' AND target_id = ? ORDER BY created_at_ms", order.orderid))[1].created_at_ms as number;
    const said = [before, after].map((nowMs) => `该订单1小时内已重发3次短信,${retryWords(secondAt + HOUR_MS, nowMs)}`);
    expect(said).toContain(again.returnmessgage);
    expect((await resendRows(order.orderid)).map((r) => r.id)).toEqual([1, 2, 3, 4].map((n) => `order-resent:${order.orderid}:${n}`));
  });

  it("10 at once: exactly 3 answered 0 and queued, 7 refused 4008; the guest gets exactly 3 SMS", async () => {
    const order = await aPaidOrder(2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => resend({ orderid: order.orderid })));
    const codes = answers.map((a) => a.resultcode).sort((a, b) => a - b);
    expect(codes).toEqual([0, 0, 0, 4008, 4008, 4008, 4008, 4008, 4008, 4008]);
    const ids = (await resendRows(order.orderid)).map((r) => r.id as string);
    expect(ids.sort()).toEqual([1, 2, 3].map((n) => `order-resent:${order.orderid}:${n}`));
    for (const id of ids) await sent(id);
    expect(ids.map((id) => logs.sms(id).length)).toEqual([1, 1, 1]);
    // The hour still counts them: an 11th is refused too.
    expect((await resend({ orderid: order.orderid })).resultcode).toBe(4008);
  });
});

describe("every body format, answered in the negotiated one", () => {
  it("DataContract XML in (OrderResendParm), OrderOperatorResult out", async () => {
    const order = await aPaidOrder(1);
    const xml = `<OrderResendParm xmlns="${NS_PARM_WI}" xmlns:i="${XSI}"><mobile>13912345678</mobile><orderid>${order.orderid}</orderid><senderid i:nil="true" /></OrderResendParm>`;
    const response = await partner(RESEND, xml, { token: session.token, contentType: "application/xml" });
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await response.text()).toBe(
      `<OrderOperatorResult xmlns:i="${XSI}" xmlns="${NS_RESULT_WI}">` +
        `<orderid>${order.orderid}</orderid><orderstatus>paid</orderstatus><resultcode>0</resultcode>` +
        `<returnmessgage>门票短信将重新发送至139****5678(1张有效门票),本小时内该订单还可重发2次</returnmessgage><sendid>${order.senderid}</sendid></OrderOperatorResult>`,
    );
    const written = writeXml(contractOf(OrderResendParm), { orderid: order.orderid, senderid: null, mobile: null });
    expect(((await (await partner(RESEND, written, { token: session.token, contentType: "text/xml", accept: "application/json" })).json()) as OrderResult).resultcode).toBe(0);
  });

  it("a form body, and a BSON body answered in BSON", async () => {
    const order = await aPaidOrder(1);
    const form = await partner(RESEND, { senderid: order.senderid, mobile: "13912345678" }, { token: session.token, format: "form" });
    expect(await form.json()).toMatchObject({ orderid: order.orderid, resultcode: 0 });
    const bson = await partner(RESEND, { ORDERID: order.orderid }, { token: session.token, format: "bson" });
    expect(bson.headers.get("content-type")).toMatch(/^application\/bson/);
    expect(deserialize(new Uint8Array(await bson.arrayBuffer()))).toEqual({
      orderid: order.orderid, sendid: order.senderid, orderstatus: "paid", resultcode: 0,
      returnmessgage: "门票短信将重新发送至138****8000(1张有效门票),本小时内该订单还可重发1次",
    });
  });
});

describe("under store faults", () => {
  it("D1 unreachable while the order is read: 9002, nothing queued; the retry resends", async () => {
    const order = await aPaidOrder(1);
    workerFaults.armIn(env, "d1-outage");
    const response = await partner(RESEND, { orderid: order.orderid }, { token: session.token });
    expect([response.status, response.headers.get("retry-after")]).toEqual([200, null]);
    expect(await response.json()).toMatchObject({ resultcode: ResultCodes.storeUnavailable.code, orderstatus: null });
    workerFaults.disarm();
    expect(await resendRows(order.orderid)).toEqual([]);
    expect((await resend({ orderid: order.orderid })).resultcode).toBe(0);
  });
});
