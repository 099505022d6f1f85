/**
 * A refund is announced like a payment (SPEC §10 notifications): its outbox
 * row, written in the refund's D1 batch, goes through the real queue; the
 * consumer posts the signed `order_refunded` callback and texts the guest.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { aCustomer, admin, loginAs, partner } from "../helpers/api";
import { deliveriesOf, expectedSignature, observeOutbound, outboxRow, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const WAIT = { timeout: 45_000, interval: 100 };

const { http, logs } = observeOutbound();

describe("a refund", () => {
  it("is posted to the partner's callback, signed, with the refund's tickets and amount, and texted to the guest once", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const host = http.partner();
    const secret = await withCallback(c, `https://${host}/notify`);
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid, { lines: [{ quantity: 3, unitPriceFen: 2000 }] });
    const paid = await partner(MIN, { orderid: order.orderId, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
    expect(((await paid.json()) as { resultcode: number }).resultcode).toBe(0);
    const { results } = await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code").bind(order.orderId).all<{ ticket_code: string }>();
    const refunded = [results[0]!.ticket_code, results[2]!.ticket_code];

    const done = await admin("POST", `/admin/orders/${order.orderId}/refunds`, { refundid: "RF-9", ticketcodes: refunded, reason: "游客行程变更" });
    expect(done.status).toBe(200);
    const { results: rows } = await env.DB.prepare("SELECT id FROM outbox WHERE kind = 'order_refunded' AND target_id = ?").bind(order.orderId).all<{ id: string }>();
    expect(rows).toHaveLength(1);
    const id = rows[0]!.id;
    await vi.waitFor(async () => expect((await outboxRow(id))?.status).toBe("sent"), WAIT);

    const calls = http.callsTo(host).filter((call) => JSON.parse(call.body).kind === "order_refunded");
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.headers.get("x-notification-id")).toBe(id);
    const header = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call.headers.get("x-signature")!)!;
    expect(header[2]).toBe(await expectedSignature(secret, header[1]!, call.body));
    const body = JSON.parse(call.body);
    expect(Object.keys(body)).toEqual(["id", "kind", "dwid", "refundid", "orderid", "senderid", "refundamount", "tickets", "refundedAt"]);
    expect(body).toMatchObject({ id, kind: "order_refunded", dwid: c.dwid, refundid: "RF-9", orderid: order.orderId, senderid: order.senderId, refundamount: "40.00", tickets: [...refunded].sort(), refundedAt: done.body.refundedAt });

    const sms = logs.sms(id);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ event: "sms", to: "138****8000" });
    expect(sms[0]!.text).toContain("退票2张");
    expect(sms[0]!.text).toContain("40.00");
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "sent", attempts: 1 }, sms: { status: "logged", attempts: 1 } });
  });
});
