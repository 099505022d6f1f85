/**
 * Every /admin route the router serves — read from the route table itself,
 * so a route added later is covered without editing this file — refused
 * without the admin token or with a wrong one (401, the one error body), and
 * a refused write changes nothing anywhere in D1 or in the customer's
 * AccountDO.
 *
 * What already existed (test/api/admin-customers.test.ts): 15 routes × 8 malformed
 * credentials, listed by hand. This adds the routes that list missed
 * (notifications, callback-secret rotation), credentials in other places
 * (query string, another header), and the whole-store "nothing changed".
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ResultCodes } from "../../src/domain/codes";
import { buildRouter } from "../../src/router";
import { ADMIN_TOKEN, aCustomer, admin, fetchWorker, loginAs, partner } from "../helpers/api";
import { aProduct } from "../helpers/catalogue";
import { everyD1Text } from "../helpers/durable";
import { anUnpaidOrder } from "../helpers/orders";
import { encryptPayPassword } from "../../src/crypto/paypassword";

interface Fixture {
  dwid: string;
  productid: string;
  orderid: string;
  notification: string;
}

let fixture: Fixture;

beforeAll(async () => {
  const c = await aCustomer({ depositYuan: 50 });
  const s = await loginAs(c);
  const order = await anUnpaidOrder(c.dwid);
  const paid = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", { orderid: order.orderId, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
  expect(((await paid.json()) as { resultcode: number }).resultcode).toBe(0);
  fixture = { dwid: c.dwid, productid: await aProduct(), orderid: order.orderId, notification: `order-paid:${order.orderId}` };
  // The payment's notification is delivered in the background: let it finish, so "nothing changed" compares a quiet store.
  await vi.waitFor(async () => {
    const row = await env.DB.prepare("SELECT status FROM outbox WHERE id = ?").bind(fixture.notification).first<{ status: string }>();
    expect(row?.status).toBe("sent");
  }, { timeout: 15_000, interval: 100 });
});

/** The admin routes of the route table: method and pattern, parameters filled with real ids. */
function adminRoutes(): { method: string; pattern: string; path: () => string }[] {
  return buildRouter()
    .routes.filter(([, , , pattern]) => typeof pattern === "string" && pattern.startsWith("/admin"))
    .map(([method, , , pattern]) => ({
      method,
      pattern: pattern as string,
      path: () =>
        (pattern as string)
          .replace(":dwid", fixture.dwid)
          .replace(":productid", fixture.productid)
          .replace(":orderid", fixture.orderid)
          .replace(":day", "20270101")
          .replace(":id", encodeURIComponent(fixture.notification)),
    }));
}

/** A body that would change something, were it accepted. */
function hostileBody(method: string, pattern: string): string | undefined {
  if (method === "GET") return undefined;
  if (pattern.endsWith("/deposits")) return JSON.stringify({ amount: 1_000_000, reference: "stolen" });
  if (pattern.endsWith("/calendar/:day")) return JSON.stringify({ stock: 0 });
  if (pattern === "/admin/products/:productid") return JSON.stringify({ name: "hijacked", kind: "ticket", price: 0 });
  if (pattern === "/admin/customers/:dwid") return JSON.stringify({ dwlx: "1", name: "hijacked", loginPassword: "owned", payPassword: "owned" });
  return "{}";
}

const CREDENTIALS: [label: string, headers: Record<string, string>, query: string][] = [
  ["no credentials", {}, ""],
  ["a wrong bearer token", { authorization: "Bearer not-the-admin-token" }, ""],
  ["the token in the query string", {}, `?token=${ADMIN_TOKEN}&access_token=${ADMIN_TOKEN}`],
  ["the token in another header", { "x-admin-token": ADMIN_TOKEN, "x-api-key": ADMIN_TOKEN }, ""],
  ["a partner's session token", {}, "partner"],
];

async function wholeState() {
  const account = await runInDurableObject(env.ACCOUNT.get(env.ACCOUNT.idFromName(fixture.dwid)), (_i, state) => ({
    totals: state.storage.sql.exec("SELECT * FROM totals").toArray(),
    ledger: state.storage.sql.exec("SELECT kind, amount_fen, reference FROM ledger ORDER BY seq").toArray(),
    profile: state.storage.sql.exec("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed FROM profile").toArray(),
  }));
  return { d1: (await everyD1Text(env.DB)).sort(), account };
}

describe("every /admin route, without the admin token", () => {
  it("the route table has the routes this sweep expects to find", () => {
    const patterns = adminRoutes().map((r) => `${r.method} ${r.pattern}`);
    expect(patterns.length).toBeGreaterThanOrEqual(19);
    expect(patterns).toEqual(expect.arrayContaining(["GET /admin/notifications/:id", "POST /admin/notifications/:id/retry", "POST /admin/customers/:dwid/callback-secret"]));
  });

  it.each(CREDENTIALS)("%s: every route answers 401 and nothing changes", async (_label, headers, query) => {
    const partnerToken = query === "partner" ? (await loginAs(await aCustomer())).token : null;
    const before = await wholeState();
    for (const route of adminRoutes()) {
      const body = hostileBody(route.method, route.pattern);
      const response = await fetchWorker(`${route.path()}${partnerToken ? "" : query}`, {
        method: route.method,
        headers: { ...headers, ...(partnerToken ? { authorization: `Bearer ${partnerToken}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
        body,
      });
      const what = `${route.method} ${route.pattern}`;
      expect(response.status, what).toBe(401);
      expect(await response.json(), what).toEqual({ error: { code: ResultCodes.adminUnauthorized.code, message: ResultCodes.adminUnauthorized.message } });
    }
    expect(await wholeState()).toEqual(before);
  });

  it("with the token, every GET route of the sweep is reachable (the 401s above are the token's doing)", async () => {
    /** What a GET route needs in its query to answer 200. */
    const requiredQuery: Record<string, string> = {
      "/admin/products/:productid/calendar": "?month=202701",
      "/admin/checkins": "?date=20270101",
      "/admin/tickets": "?code=000000000000000000",
      "/admin/customers/:dwid/statement": "?from=20270101&to=20270101",
    };
    for (const route of adminRoutes().filter((r) => r.method === "GET")) {
      const r = await admin("GET", route.path() + (requiredQuery[route.pattern] ?? ""));
      expect(r.status, route.pattern).toBe(200);
    }
  });
});
