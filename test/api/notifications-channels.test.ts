/**
 * The two outbound channels (src/queue/channels.ts) on their own — timeouts,
 * redirects, network errors, the SMS gateway's wire — and one delivery
 * attempt of the consumer (`deliver`) with an SMS gateway configured, on a
 * real payment's outbox row. Only outbound HTTP is faked.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config";
import { postCallback, sendSms } from "../../src/queue/channels";
import { deliver } from "../../src/queue/consumer";
import { aCustomer, loginAs } from "../helpers/api";
import { deliveriesOf, observeOutbound, outboxRow, paidBehindTheEndpoint, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";

const { http, logs } = observeOutbound();

const callback = (host: string, timeoutMs = 2_000) => ({
  url: `https://${host}/cb`, secret: "whsec_test", id: "order-paid:T1", body: '{"id":"order-paid:T1"}', nowMs: 1795660000123, timeoutMs,
});

/** Never answers; gives up only when the caller aborts. */
const hang = (_call: unknown, signal: AbortSignal) =>
  new Promise<Response>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));

describe("the partner callback", () => {
  it.each([
    ["200", 200, { status: "sent", error: null }],
    ["204", 204, { status: "sent", error: null }],
    ["400", 400, { status: "failed", error: "HTTP 400" }],
    ["404", 404, { status: "failed", error: "HTTP 404" }],
    ["500", 500, { status: "failed", error: "HTTP 500" }],
  ])("answered %s", async (_name, status, expected) => {
    const host = http.partner(() => new Response(status === 204 ? null : "x", { status }));
    expect(await postCallback(callback(host))).toEqual({ ...expected, target: `https://${host}/cb` });
  });

  it("sends the signed JSON with the id in a header", async () => {
    const host = http.partner();
    await postCallback(callback(host));
    const [call] = http.callsTo(host);
    expect(call!.method).toBe("POST");
    expect(call!.body).toBe('{"id":"order-paid:T1"}');
    expect(Object.fromEntries(call!.headers)).toMatchObject({
      "content-type": "application/json; charset=utf-8",
      "x-notification-id": "order-paid:T1",
      // printf '%s' '1795660000.{"id":"order-paid:T1"}' | openssl dgst -sha256 -hmac whsec_test
      "x-signature": "t=1795660000,v1=e7de0d0f9fc613c74da75dabb4ebda1dd29b4fabf2b4a78d1403db8e56a54e7f",
    });
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const host = http.partner(() => new Response(null, { status: 302, headers: { location: "https://elsewhere.partner.test/" } }));
    expect(await postCallback(callback(host))).toMatchObject({ status: "failed", error: "HTTP 302" });
    expect(http.calls.filter((c) => c.host === "elsewhere.partner.test")).toEqual([]);
  });

  it("gives up on a partner that does not answer in time", async () => {
    const host = http.partner(hang);
    const started = Date.now();
    expect(await postCallback(callback(host, 200))).toMatchObject({ status: "failed", error: "timeout: no answer within 200 ms" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports a network error", async () => {
    const host = http.partner(() => Promise.reject(new TypeError("connection refused")));
    expect(await postCallback(callback(host))).toMatchObject({ status: "failed", error: "network error: TypeError: connection refused" });
  });
});

describe("the guest SMS", () => {
  const sms = { to: "13800138000", text: "您的订单T1已支付成功，门票码：1。", reference: "order-paid:T1" };

  it("posts {to, text, reference} to the gateway with its bearer token", async () => {
    const host = http.partner();
    expect(await sendSms({ url: `https://${host}/send`, token: "sms-token" }, sms, 2_000)).toEqual({ status: "sent", target: "138****8000", error: null });
    const [call] = http.callsTo(host);
    expect(JSON.parse(call!.body)).toEqual(sms);
    expect(call!.headers.get("authorization")).toBe("Bearer sms-token");
  });

  it("sends no authorization header without a token", async () => {
    const host = http.partner();
    await sendSms({ url: `https://${host}/send`, token: null }, sms, 2_000);
    expect(http.callsTo(host)[0]!.headers.has("authorization")).toBe(false);
  });

  it("a gateway failing or hanging is a failed attempt", async () => {
    const down = http.partner(() => new Response("no", { status: 503 }));
    expect(await sendSms({ url: `https://${down}/send`, token: null }, sms, 2_000)).toMatchObject({ status: "failed", error: "sms gateway: HTTP 503" });
    const slow = http.partner(hang);
    expect(await sendSms({ url: `https://${slow}/send`, token: null }, sms, 100)).toMatchObject({ status: "failed", error: "sms gateway: timeout: no answer within 100 ms" });
  });

  it("without a gateway is one structured log line, mobile masked", async () => {
    const reference = `order-paid:T${Date.now()}`;
    expect(await sendSms(null, { ...sms, reference }, 2_000)).toEqual({ status: "logged", target: "138****8000", error: null });
    expect(logs.sms(reference)).toEqual([{ event: "sms", reference, to: "138****8000", text: sms.text }]);
  });
});

describe("one delivery attempt with an SMS gateway configured", () => {
  it("tracks each channel: a failing gateway is retried without posting the partner's callback again", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const partnerHost = http.partner();
    await withCallback(c, `https://${partnerHost}/cb`);
    let gatewayUp = false;
    const gatewayHost = http.partner(() => new Response(null, { status: gatewayUp ? 202 : 500 }));
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await paidBehindTheEndpoint(c, s, order.orderId);
    const id = `order-paid:${order.orderId}`;
    const config = { ...configOf(env), smsGateway: { url: `https://${gatewayHost}/send`, token: "t" } };

    expect(await deliver(env, config, id, Date.now())).toBe("retry");
    expect(await outboxRow(id)).toMatchObject({ status: "enqueued", attempts: 1, last_error: "sms: sms gateway: HTTP 500" });
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "sent", attempts: 1 }, sms: { status: "failed", attempts: 1, last_error: "sms gateway: HTTP 500" } });

    gatewayUp = true;
    expect(await deliver(env, config, id, Date.now())).toBe("ack");
    expect(await outboxRow(id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(await deliveriesOf(id)).toMatchObject({ callback: { status: "sent", attempts: 1 }, sms: { status: "sent", attempts: 2, target: "138****8000" } });
    expect(http.callsTo(partnerHost)).toHaveLength(1);
    const smsCalls = http.callsTo(gatewayHost);
    expect(smsCalls).toHaveLength(2);
    const tickets = await env.DB.prepare("SELECT ticket_code FROM tickets WHERE order_id = ?").bind(order.orderId).all<{ ticket_code: string }>();
    const sent = JSON.parse(smsCalls[1]!.body);
    expect(sent).toMatchObject({ to: "13800138000", reference: id });
    for (const t of tickets.results) expect(sent.text).toContain(t.ticket_code);

    // Once sent, a further attempt (a duplicate message) does nothing.
    expect(await deliver(env, config, id, Date.now())).toBe("ack");
    expect(http.callsTo(partnerHost)).toHaveLength(1);
    expect(http.callsTo(gatewayHost)).toHaveLength(2);
  });

  it("a row whose order is gone is dead, and acked", async () => {
    const id = `order-paid:GONE${Date.now()}`;
    await env.DB.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms)
       VALUES (?, 'order_paid', 'NOBODY', ?, '{}', 'enqueued', 0, ?, ?)`,
    ).bind(id, id.slice(11), Date.now(), Date.now()).run();
    expect(await deliver(env, configOf(env), id, Date.now())).toBe("ack");
    expect(await outboxRow(id)).toMatchObject({ status: "dead", attempts: 1, last_error: `order ${id.slice(11)} not found` });
  });

  it("an unknown outbox id is acked and changes nothing", async () => {
    expect(await deliver(env, configOf(env), "order-paid:NEVER", Date.now())).toBe("ack");
    expect(await outboxRow("order-paid:NEVER")).toBeNull();
  });
});
