/**
 * Notifications of paid orders and bills (issue 6), end to end: a real
 * payment through the Worker writes the outbox row, the pay endpoint hands it
 * to the real queue, the real consumer signs and posts the partner callback
 * and sends (logs) the guest SMS, and the outbox says what happened. Only
 * the partners' HTTP servers are fakes (test/helpers/notifications.ts).
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import worker from "../../src/index";
import wranglerToml from "../../wrangler.toml?raw";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { deliveriesOf, expectedSignature, observeOutbound, type OutboundCall, type OutboundHttp, outboxRow, paidBehindTheEndpoint, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";
import { payOrder } from "../helpers/payments";

const BILL_ADD = "/api/WebInterface/Pos/Sell/Bill/Add";
const BILL_PAY = "/api/WebInterface/Pos/Sell/PayBill/WithPrepayment";
/** wrangler.toml's max_retries of the notification consumer: a message is delivered at most 1 + this many times. */
const MAX_RETRIES = Number(/queue = "scenic-notifications"\n(?:[a-z_]+ = .*\n)*?max_retries = (\d+)/.exec(wranglerToml)![1]);
const WAIT = { timeout: 45_000, interval: 100 };

const { http, logs } = observeOutbound();

async function pay(c: TestCustomer, s: TestSession, orderId: string, payPassword = c.payPassword!) {
  return payOrder(c, s, orderId, { via: "bypassword", payPassword });
}

/** A customer with a deposit, a callback to a fresh fake partner, a session. */
async function aPartner(behaviour?: Parameters<OutboundHttp["partner"]>[0], depositYuan = 500) {
  const c = await aCustomer({ depositYuan });
  const host = http.partner(behaviour);
  const secret = await withCallback(c, `https://${host}/notify?src=scenic`);
  return { c, s: await loginAs(c), host, secret };
}

async function settled(id: string, status = "sent") {
  return vi.waitFor(async () => {
    const row = await outboxRow(id);
    expect(row?.status).toBe(status);
    return row!;
  }, WAIT);
}

async function ticketCodes(orderId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ?").bind(orderId).all<{ ticket_code: string }>();
  return results.map((t) => t.ticket_code);
}

async function expectSignedBy(secret: string, call: OutboundCall) {
  const header = call.headers.get("x-signature")!;
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  expect(match, header).not.toBeNull();
  expect(match![2]).toBe(await expectedSignature(secret, match![1]!, call.body));
  expect(Math.abs(Number(match![1]) * 1000 - call.atMs)).toBeLessThan(5_000);
}

/** The Worker's own scheduled handler, as the cron trigger calls it. */
async function runSweep(scheduledTimeMs: number) {
  await worker.scheduled(createScheduledController({ scheduledTime: scheduledTimeMs, cron: "* * * * *" }), env);
}

describe("a paid order", () => {
  it("is posted to the partner's callback, signed, with its tickets, and texted to the guest once", async () => {
    const { c, s, host, secret } = await aPartner();
    const order = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 2, unitPriceFen: 1500 }, { productId: "P-KID", quantity: 1, unitPriceFen: 800 }] });
    const id = `order-paid:${order.orderId}`;

    expect(await pay(c, s, order.orderId)).toMatchObject({ resultcode: 0, orderstatus: "paid" });
    const row = await settled(id);

    expect(row).toMatchObject({ attempts: 1, last_error: null });
    const [call, ...others] = http.callsTo(host);
    expect(others).toEqual([]);
    expect(call).toMatchObject({ method: "POST", url: `https://${host}/notify?src=scenic` });
    expect(call!.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(call!.headers.get("x-notification-id")).toBe(id);
    await expectSignedBy(secret, call!);
    const paid = await env.DB.prepare("SELECT paid_at_ms FROM orders WHERE order_id = ?").bind(order.orderId).first<{ paid_at_ms: number }>();
    const body = JSON.parse(call!.body);
    expect(Object.keys(body)).toEqual(["id", "kind", "dwid", "senderid", "orderid", "status", "tickets", "paidAt"]);
    expect(body).toMatchObject({ id, kind: "order_paid", dwid: c.dwid, senderid: order.senderId, orderid: order.orderId, status: "paid", paidAt: new Date(paid!.paid_at_ms).toISOString() });
    expect([...body.tickets].sort()).toEqual((await ticketCodes(order.orderId)).sort());
    expect(body.tickets).toHaveLength(3);

    const sms = logs.sms(id);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ event: "sms", to: "138****8000" });
    for (const code of body.tickets) expect(sms[0]!.text).toContain(code);
    expect(await deliveriesOf(id)).toEqual({
      callback: { status: "sent", attempts: 1, target: `https://${host}/notify?src=scenic`, last_error: null },
      sms: { status: "logged", attempts: 1, target: "138****8000", last_error: null },
    });
  });

  it("is retried while the partner fails, then delivered; the guest's SMS is not repeated", async () => {
    let answers = 0;
    const { c, s, host, secret } = await aPartner(() => (++answers <= 2 ? new Response("busy", { status: answers === 1 ? 500 : 503 }) : new Response("ok")));
    const order = await anUnpaidOrder(c.dwid);
    const id = `order-paid:${order.orderId}`;

    expect((await pay(c, s, order.orderId)).resultcode).toBe(0);
    const row = await settled(id);

    expect(row).toMatchObject({ attempts: 3, last_error: "callback: HTTP 503" });
    const calls = http.callsTo(host);
    expect(calls).toHaveLength(3);
    // Every retry carries the same id and body, each freshly signed.
    expect(new Set(calls.map((call) => call.body)).size).toBe(1);
    for (const call of calls) {
      expect(call.headers.get("x-notification-id")).toBe(id);
      await expectSignedBy(secret, call);
    }
    expect(logs.sms(id)).toHaveLength(1);
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "sent", attempts: 3 }, sms: { status: "logged", attempts: 1 } });
  });

  it("exhausts its retries against a partner that keeps failing: the dead-letter consumer marks it failed; an operator's retry delivers it", async () => {
    let healthy = false;
    const { c, s, host } = await aPartner(() => (healthy ? new Response("ok") : new Response("down", { status: 502 })));
    const order = await anUnpaidOrder(c.dwid);
    const id = `order-paid:${order.orderId}`;

    expect((await pay(c, s, order.orderId)).resultcode).toBe(0);
    const failed = await settled(id, "failed");

    expect(failed).toMatchObject({ attempts: MAX_RETRIES + 1, last_error: "callback: HTTP 502" });
    expect(http.callsTo(host)).toHaveLength(MAX_RETRIES + 1);
    expect(logs.sms(id)).toHaveLength(1);
    const listed = await admin("GET", "/admin/notifications?status=failed&limit=200");
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id, status: "failed", attempts: MAX_RETRIES + 1, lastError: "callback: HTTP 502" }));

    healthy = true;
    expect(await admin("POST", `/admin/notifications/${encodeURIComponent(id)}/retry`)).toEqual({ status: 200, body: { id, status: "enqueued" } });
    expect(await settled(id)).toMatchObject({ attempts: MAX_RETRIES + 2 });
    expect(http.callsTo(host)).toHaveLength(MAX_RETRIES + 2);
    expect(logs.sms(id)).toHaveLength(1);
    expect((await admin("POST", `/admin/notifications/${id}/retry`)).status).toBe(409);
  });
});

describe("a paid POS bill", () => {
  it("is posted to the partner with its pickup code; bills carry no mobile, so no SMS", async () => {
    const { c, s, host, secret } = await aPartner();
    const productId = uniqueId("R");
    expect((await admin("PUT", `/admin/products/${productId}`, { name: "矿泉水", kind: "retail", price: 3 })).status).toBe(201);
    const senderBillNum = uniqueId("SB");
    const added = await (await partner(BILL_ADD, { DWID: c.dwid, DWSX: c.dwlx, SenderBillNum: senderBillNum, Items: [{ ProductId: productId, Amount: 2 }] }, { token: s.token })).json();
    const billNum = (added as { tag: { BillNum: string } }).tag.BillNum;
    const PayPwd = await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!);
    const paid = (await (await partner(BILL_PAY, { DWID: c.dwid, DWSX: c.dwlx, BillNum: billNum, PayPwd }, { token: s.token })).json()) as { errcode: number; tag: { RndCode: string } };
    expect(paid.errcode).toBe(0);
    const id = `bill-paid:${billNum}`;

    await settled(id);

    const [call, ...others] = http.callsTo(host);
    expect(others).toEqual([]);
    await expectSignedBy(secret, call!);
    expect(JSON.parse(call!.body)).toEqual({
      id, kind: "bill_paid", dwid: c.dwid, billNum, senderBillNum, status: "paid", rndCode: paid.tag.RndCode, paidAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(logs.sms(id)).toEqual([]);
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "sent" }, sms: { status: "skipped", last_error: "bills carry no mobile" } });
  });
});

describe("a customer without a callback URL", () => {
  it("gets no callback; the guest's SMS still goes and the notification is sent", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    const id = `order-paid:${order.orderId}`;
    const before = http.calls.length;

    expect((await pay(c, s, order.orderId)).resultcode).toBe(0);
    await settled(id);

    expect(http.calls.slice(before).filter((call) => call.body.includes(order.orderId))).toEqual([]);
    expect(logs.sms(id)).toHaveLength(1);
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "skipped", last_error: "customer has no callbackUrl" }, sms: { status: "logged" } });
  });
});

describe("a failed payment", () => {
  it("writes no outbox row and notifies nobody, beside a successful one of the same customer", async () => {
    const { c, s, host } = await aPartner(undefined, 10);
    const tooDear = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: 2000 }] });
    const wrongPassword = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: 500 }] });
    const good = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 1, unitPriceFen: 500 }] });

    expect((await pay(c, s, tooDear.orderId)).resultcode).toBe(5001);
    expect((await pay(c, s, wrongPassword.orderId, "not-the-password")).resultcode).toBe(3001);
    expect((await pay(c, s, good.orderId)).resultcode).toBe(0);
    await settled(`order-paid:${good.orderId}`);
    // Even a sweep long after finds nothing to send for the failed ones.
    await runSweep(Date.now() + 3_600_000);
    await settled(`order-paid:${good.orderId}`);

    const { results } = await env.DB.prepare("SELECT id FROM outbox WHERE dwid = ?").bind(c.dwid).all<{ id: string }>();
    expect(results.map((r) => r.id)).toEqual([`order-paid:${good.orderId}`]);
    expect(http.callsTo(host).map((call) => JSON.parse(call.body).orderid)).toEqual([good.orderId]);
    for (const failed of [tooDear, wrongPassword]) {
      expect(logs.lines.filter((l) => l.event === "sms" && String(l.text).includes(failed.orderId))).toEqual([]);
    }
  });
});

describe("the cron sweep", () => {
  it("enqueues a row no endpoint enqueued once it is a minute old, and it is delivered once", async () => {
    const { c, s, host, secret } = await aPartner();
    const order = await anUnpaidOrder(c.dwid);
    const id = `order-paid:${order.orderId}`;
    await paidBehindTheEndpoint(c, s, order.orderId);
    expect(await outboxRow(id)).toMatchObject({ status: "pending", attempts: 0 });

    // Too young: the endpoint's own enqueue may still be on its way.
    await runSweep(Date.now());
    expect(await outboxRow(id)).toMatchObject({ status: "pending" });

    await runSweep(Date.now() + 61_000);
    expect((await outboxRow(id))!.status).toMatch(/^(enqueued|sent)$/);
    await settled(id);
    // A second sweep finds nothing left to do.
    await runSweep(Date.now() + 122_000);
    await vi.waitFor(() => expect(http.callsTo(host)).toHaveLength(1), WAIT);
    await expectSignedBy(secret, http.callsTo(host)[0]!);
    expect(JSON.parse(http.callsTo(host)[0]!.body)).toMatchObject({ id, orderid: order.orderId });
    expect(logs.sms(id)).toHaveLength(1);
  });

  it("a row enqueued twice is delivered once; a copy arriving after it was sent is dropped", async () => {
    const { c, s, host } = await aPartner();
    const first = await anUnpaidOrder(c.dwid);
    const second = await anUnpaidOrder(c.dwid);
    await paidBehindTheEndpoint(c, s, first.orderId);
    await paidBehindTheEndpoint(c, s, second.orderId);
    const firstId = `order-paid:${first.orderId}`;
    const secondId = `order-paid:${second.orderId}`;

    // Two copies of one message in one batch (the sweep and a late endpoint enqueue, say).
    await env.NOTIFY_QUEUE.sendBatch([{ body: { v: 1, outboxId: firstId } }, { body: { v: 1, outboxId: firstId } }]);
    await settled(firstId);
    // A third copy after it was sent, then a fresh message behind it.
    await env.NOTIFY_QUEUE.sendBatch([{ body: { v: 1, outboxId: firstId } }, { body: { v: 1, outboxId: secondId } }]);
    await settled(secondId);

    const calls = http.callsTo(host).map((call) => JSON.parse(call.body).id);
    expect(calls.sort()).toEqual([firstId, secondId].sort());
    expect(logs.sms(firstId)).toHaveLength(1);
    expect(await outboxRow(firstId)).toMatchObject({ status: "sent", attempts: 1 });
  });
});
