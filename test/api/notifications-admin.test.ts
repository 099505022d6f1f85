/**
 * The operators' side of notifications (issue 6): the list and detail the
 * console is built against, the retry, and the callback signing secret
 * (generated once, sealed at rest, rotated). Through the real Worker, queue
 * and D1; only the partners' HTTP servers are fakes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { verifySignatureHeader } from "../../src/crypto/signature";
import { aCustomer, admin, fetchWorker, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { expectedSignature, observeOutbound, outboxRow, paidBehindTheEndpoint, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";
import { paid } from "../helpers/payments";

const WAIT = { timeout: 45_000, interval: 100 };

const { http, logs } = observeOutbound();

async function pay(c: TestCustomer, s: TestSession, orderId: string) {
  await paid(c, s, orderId, { via: "bypassword" });
}

async function settled(id: string, status = "sent") {
  await vi.waitFor(async () => expect((await outboxRow(id))?.status).toBe(status), WAIT);
}

describe("GET /admin/notifications", () => {
  it("lists newest first, pages with limit and cursor, filters by status", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const s = await loginAs(c);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await anUnpaidOrder(c.dwid);
      await pay(c, s, order.orderId);
      ids.push(`order-paid:${order.orderId}`);
    }
    for (const id of ids) await settled(id);
    const pending = await anUnpaidOrder(c.dwid);
    await paidBehindTheEndpoint(c, s, pending.orderId);

    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: any } = await admin("GET", `/admin/notifications?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(new Set(seen.map((n) => n.id)).size).toBe(seen.length);
    const createdAts = seen.map((n) => n.createdAt);
    expect(createdAts).toEqual([...createdAts].sort().reverse());
    const mine = seen.filter((n) => n.dwid === c.dwid);
    expect(mine.map((n) => n.id)).toEqual([`order-paid:${pending.orderId}`, ...ids.slice().reverse()]);
    expect(Object.keys(mine[1])).toEqual(["id", "kind", "dwid", "targetId", "status", "attempts", "lastError", "createdAt", "updatedAt"]);
    expect(mine[1]).toMatchObject({ id: ids[2], kind: "order_paid", dwid: c.dwid, targetId: ids[2]!.slice("order-paid:".length), status: "sent", attempts: 1, lastError: null });
    expect(mine[0]).toMatchObject({ status: "pending", attempts: 0 });

    const sent = await admin("GET", "/admin/notifications?status=sent&limit=200");
    expect(sent.body.items.every((n: { status: string }) => n.status === "sent")).toBe(true);
    expect(sent.body.items.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining(ids));
    const pendingOnly = await admin("GET", "/admin/notifications?status=pending&limit=200");
    expect(pendingOnly.body.items.map((n: { id: string }) => n.id)).toContain(`order-paid:${pending.orderId}`);
    expect(pendingOnly.body.items.map((n: { id: string }) => n.id)).not.toContain(ids[0]);
  });

  it.each([
    ["an unknown status", "?status=lost", "status"],
    ["limit 0", "?limit=0", "limit"],
    ["limit 201", "?limit=201", "limit"],
  ])("refuses %s (400)", async (_name, query, field) => {
    const r = await admin("GET", `/admin/notifications${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 6006, field });
  });

  it("needs the admin token", async () => {
    expect((await admin("GET", "/admin/notifications", undefined, "wrong")).status).toBe(401);
    expect((await admin("POST", "/admin/notifications/order-paid:X/retry", undefined, "wrong")).status).toBe(401);
  });
});

describe("GET /admin/notifications/{id}", () => {
  it("shows the delivery of each channel", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const host = http.partner();
    await withCallback(c, `https://${host}/cb`);
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await pay(c, s, order.orderId);
    const id = `order-paid:${order.orderId}`;
    await settled(id);

    const r = await admin("GET", `/admin/notifications/${encodeURIComponent(id)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: "sent", attempts: 1 });
    expect(r.body.deliveries).toEqual([
      { channel: "callback", status: "sent", attempts: 1, target: `https://${host}/cb`, lastError: null, updatedAt: expect.any(String), sentAt: expect.any(String) },
      { channel: "sms", status: "logged", attempts: 1, target: "138****8000", lastError: null, updatedAt: expect.any(String), sentAt: expect.any(String) },
    ]);
  });

  it("answers 404 with code 7001 for an unknown id", async () => {
    expect(await admin("GET", "/admin/notifications/order-paid:NOPE")).toEqual({ status: 404, body: { error: { code: 7001, message: "通知不存在" } } });
  });
});

describe("POST /admin/notifications/{id}/retry", () => {
  it("enqueues a row still pending, which is then delivered; a sent one answers 409", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const host = http.partner();
    await withCallback(c, `https://${host}/cb`);
    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await paidBehindTheEndpoint(c, s, order.orderId);
    const id = `order-paid:${order.orderId}`;

    // The id may be sent as is (':' is allowed in a path) or percent-encoded.
    expect(await admin("POST", `/admin/notifications/${id}/retry`)).toEqual({ status: 200, body: { id, status: "enqueued" } });
    await settled(id);
    expect(http.callsTo(host)).toHaveLength(1);
    expect(await admin("POST", `/admin/notifications/${encodeURIComponent(id)}/retry`)).toEqual({
      status: 409, body: { error: { code: 7002, message: "通知已送达，无需重发" } },
    });
  });

  it("answers 404 for an unknown id, 400 for an id too long, 405 for GET", async () => {
    expect((await admin("POST", "/admin/notifications/bill-paid:NOPE/retry")).body).toEqual({ error: { code: 7001, message: "通知不存在" } });
    expect((await admin("POST", "/admin/notifications/bill-paid:NOPE/retry")).status).toBe(404);
    expect((await admin("POST", `/admin/notifications/${"x".repeat(65)}/retry`)).body.error).toMatchObject({ code: 6006, field: "id" });
    const get = await fetchWorker("/admin/notifications/x/retry", { headers: { authorization: "Bearer test-admin-token" } });
    expect(get.status).toBe(405);
  });
});

describe("the callback signing secret", () => {
  it("is generated the first time a callback URL is set, shown once, and sealed at rest", async () => {
    const c = await aCustomer();
    const first = await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: "1", name: "有回调的旅行社", callbackUrl: "https://a.partner.test/cb" });
    expect(first.status).toBe(200);
    expect(first.body.callbackSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const changedUrl = await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: "1", name: "有回调的旅行社", callbackUrl: "https://b.partner.test/cb" });
    expect(changedUrl.body).not.toHaveProperty("callbackSecret");
    expect(changedUrl.body.callbackUrl).toBe("https://b.partner.test/cb");
    const read = await admin("GET", `/admin/customers/${c.dwid}`);
    expect(read.body).not.toHaveProperty("callbackSecret");
    expect(JSON.stringify((await admin("GET", `/admin/customers?q=${c.dwid}`)).body)).not.toContain(first.body.callbackSecret);

    const row = await env.DB.prepare("SELECT callback_secret_sealed FROM customers WHERE dwid = ?").bind(c.dwid).first<{ callback_secret_sealed: string }>();
    expect(row!.callback_secret_sealed).toMatch(/^v1\./);
    expect(row!.callback_secret_sealed).not.toContain(first.body.callbackSecret.slice(6));
  });

  it("a customer created with a callback URL gets its secret in the 201", async () => {
    const dwid = uniqueId("cb");
    const r = await admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: "x", loginPassword: "l", callbackUrl: "https://c.partner.test/" });
    expect(r.status).toBe(201);
    expect(r.body.callbackSecret).toMatch(/^whsec_/);
    const none = await admin("PUT", `/admin/customers/${uniqueId("cb")}`, { dwlx: "1", name: "x", loginPassword: "l" });
    expect(none.body).not.toHaveProperty("callbackSecret");
  });

  it("rotates: callbacks are signed with the new secret, no longer with the old", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const host = http.partner();
    const old = await withCallback(c, `https://${host}/cb`);
    const rotated = await admin("POST", `/admin/customers/${c.dwid}/callback-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ dwid: c.dwid, callbackSecret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });
    expect(rotated.body.callbackSecret).not.toBe(old);

    const s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid);
    await pay(c, s, order.orderId);
    await settled(`order-paid:${order.orderId}`);
    const [call] = http.callsTo(host);
    const header = call!.headers.get("x-signature")!;
    const now = Math.floor(Date.now() / 1000);
    expect(await verifySignatureHeader(rotated.body.callbackSecret, header, call!.body, now)).toBe(true);
    expect(await verifySignatureHeader(old, header, call!.body, now)).toBe(false);
    const [, t, v1] = /^t=(\d+),v1=(.+)$/.exec(header)!;
    expect(v1).toBe(await expectedSignature(rotated.body.callbackSecret, t!, call!.body));
  });

  it("rotation answers 404 for an unknown customer and 400 for a malformed dwid", async () => {
    expect(await admin("POST", `/admin/customers/${uniqueId("nobody")}/callback-secret`)).toEqual({ status: 404, body: { error: { code: 2005, message: "客户不存在" } } });
    expect((await admin("POST", "/admin/customers/bad%20id/callback-secret")).status).toBe(400);
  });
});
