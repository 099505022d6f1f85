/**
 * GET /openapi.json and GET /docs through the real Worker (issue 10, point
 * 4), and the admin half of the document held to the Worker: every /admin
 * route is documented, and real answers parse with the documented (strict)
 * schemas, so an undocumented field or route fails here. The validator run is
 * test/node/openapi.test.ts (ajv cannot run inside workerd).
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { ResultCodes } from "../../src/domain/codes";
import { shanghaiDate } from "../../src/domain/dates";
import * as documented from "../../src/openapi/admin";
import { adminOperations } from "../../src/openapi/admin";
import { openApiDocument } from "../../src/openapi/document";
import { buildRouter } from "../../src/router";
import { aCustomer, admin, fetchWorker, loginAs, partner, uniqueId } from "../helpers/api";
import { addDays } from "../../src/domain/dates";
import { ADD, LATER, TODAY, aProduct, anOrderBody, call } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";

describe("GET /openapi.json", () => {
  it("serves the generated document as JSON, at any case", async () => {
    for (const path of ["/openapi.json", "/OpenAPI.json", "/openapi.json/"]) {
      const response = await fetchWorker(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    }
  });
});

describe("GET /docs", () => {
  it("is one self-contained page: no script, no stylesheet or image from elsewhere", async () => {
    const response = await fetchWorker("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href, href).toMatch(/^[#/]/);
  });

  it("lists every operation, schema and result code of the document", async () => {
    const html = await (await fetchWorker("/DOCS")).text();
    const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) expect(html, `${method} ${path}`).toContain(`<span class="m m-${method}">${method.toUpperCase()}</span> <code>${path}</code>`);
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html, name).toContain(`id="schema-${name}"`);
    for (const [key, c] of Object.entries(ResultCodes)) expect(html, key).toContain(`<td class="num">${c.code}</td><td><code>${key}</code></td>`);
  });
});

describe("the admin API in the document", () => {
  it("documents exactly the /admin routes of the router", () => {
    const routed = buildRouter()
      .routes.map(([method, , , pattern = ""]) => [method, pattern] as const)
      .filter(([, pattern]) => pattern.startsWith("/admin"))
      .map(([method, pattern]) => `${method.toLowerCase()} ${pattern.replace(/:(\w+)/g, "{$1}")}`);
    expect(adminOperations.map((op) => `${op.method} ${op.path}`).sort()).toEqual([...new Set(routed)].sort());
  });

  it("describes the real answers: every field, no more (strict schemas)", async () => {
    const expectAnswer = (schema: z.ZodType, answer: { status: number; body: unknown }, status = 200) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      const parsed = schema.safeParse(answer.body);
      expect(parsed.success ? [] : parsed.error.issues, JSON.stringify(answer.body)).toEqual([]);
    };
    /** A page of a list: {items, nextCursor}, each item as documented. */
    const expectItems = (schema: z.ZodType, answer: { status: number; body: any }, count?: number) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(Object.keys(answer.body).sort()).toEqual(["items", "nextCursor"]);
      const items = count === undefined ? schema.array().min(1) : schema.array().length(count);
      const parsed = items.safeParse(answer.body.items);
      expect(parsed.success ? [] : parsed.error.issues, JSON.stringify(answer.body)).toEqual([]);
    };
    const c = await aCustomer({ depositYuan: 500 });
    expectItems(documented.AdminCustomer, await admin("GET", `/admin/customers?q=${c.dwid}`), 1);
    expectAnswer(documented.AdminCustomerSaved, await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: c.dwlx, name: "改名旅行社" }));
    expectAnswer(documented.AdminCustomer, await admin("GET", `/admin/customers/${c.dwid}`));
    expectAnswer(documented.AdminCallbackSecret, await admin("POST", `/admin/customers/${c.dwid}/callback-secret`));
    const reference = uniqueId("dep");
    expectAnswer(documented.AdminDepositResult, await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 12.5, reference }), 201);
    expectAnswer(documented.AdminDepositResult, await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 12.5, reference }));
    expectAnswer(documented.AdminError, await admin("POST", `/admin/customers/${c.dwid}/deposits`, { amount: 13, reference }), 409);
    expectAnswer(documented.AdminAccountOfCustomer, await admin("GET", `/admin/customers/${c.dwid}/account`));
    expectAnswer(documented.AdminLedgerPage, await admin("GET", `/admin/customers/${c.dwid}/ledger?limit=1`));
    const today = shanghaiDate(testClock.nowMs());
    const statement = await admin("GET", `/admin/customers/${c.dwid}/statement?from=${today}&to=${today}`);
    expectAnswer(documented.AdminStatement, statement);
    expect(statement.body.entries.length).toBeGreaterThan(0);

    const ticket = await aProduct({ price: 30 }, { stock: 20, timeslots: [{ index: 1, start: "09:00", end: "12:00", capacity: 20 }] });
    const card = await aProduct({
      kind: "yearcard", price: 199,
      insurance: { mode: "optional", price: 5.5, count: 1, planCode: "P1", planName: "年卡意外险", destZone: "景区", timeRange: 365,
        holder: { type: "2", companyName: "公司", companyCode: "C1", address: "地址", contactName: "联系人", contactPhone: "123", email: "a@b.c" } },
    }, null);
    expectAnswer(documented.AdminProduct, await admin("GET", `/admin/products/${card}`));
    expectAnswer(documented.AdminCalendarMonth, await admin("GET", `/admin/products/${ticket}/calendar?month=${LATER().slice(0, 6)}`));
    expectAnswer(documented.AdminCalendarDay, await admin("PUT", `/admin/products/${ticket}/calendar/${LATER()}`, { stock: 20, price: 28, timeslots: [{ index: 1, start: "09:00", end: "12:00", capacity: 20 }] }));
    expectAnswer(documented.AdminCalendarRangeSet, await admin("PUT", `/admin/products/${ticket}/calendar?from=${LATER()}&to=${addDays(LATER(), 6)}&weekdays=1,7`, { stock: 20, timeslots: [{ index: 1, start: "09:00", end: "12:00", capacity: 20 }] }));
    expectItems(documented.AdminProduct, await admin("GET", "/admin/products?limit=2"));

    const s = await loginAs(c);
    const added = await call(ADD, s, anOrderBody([{ productid: ticket, amount: 2 }], { timespanindex: 1, senderid: uniqueId("S") }));
    expect(added.resultcode).toBe(0);
    const paid = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", {
      orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    }, { token: s.token });
    expect(((await paid.json()) as { resultcode: number }).resultcode).toBe(0);
    const order = await admin("GET", `/admin/orders/${added.orderid}`);
    expectAnswer(documented.AdminOrderDetail, order);
    expect((order.body as { tickets: unknown[] }).tickets).toHaveLength(2);
    expectItems(documented.AdminOrder, await admin("GET", `/admin/orders?customer=${c.dwid}`), 1);
    expectItems(documented.AdminOrder, await admin("GET", `/admin/customers/${c.dwid}/orders`), 1);
    expectAnswer(documented.AdminError, await admin("POST", `/admin/orders/${added.orderid}/cancel`), 409);
    expectAnswer(documented.AdminError, await admin("PUT", `/admin/products/${ticket}/calendar?from=${LATER()}&to=${LATER()}`, { stock: 1 }), 409);
    expectAnswer(documented.AdminDashboard, await admin("GET", "/admin/dashboard"));
    const unpaid = await call(ADD, s, anOrderBody([{ productid: ticket, amount: 1 }], { timespanindex: 1, senderid: uniqueId("S") }));
    expectAnswer(documented.AdminOrderDetail, await admin("POST", `/admin/orders/${unpaid.orderid}/cancel`));

    const retail = await aProduct({ kind: "retail", price: 9 }, null);
    const bill = await call("/api/WebInterface/Pos/Sell/Bill/Add", s, { DWID: c.dwid, DWSX: c.dwlx, Items: [{ ProductId: retail, Amount: 1 }] });
    expect(bill.errcode).toBe(0);
    expectItems(documented.AdminBill, await admin("GET", `/admin/bills?customer=${c.dwid}`), 1);

    // A ticket of today admitted at a gate: the day's check-ins and the ticket's history.
    const todays = await aProduct({ price: 20 }, { date: TODAY() });
    const visit = await call(ADD, s, anOrderBody([{ productid: todays, amount: 1 }], { effectdate: TODAY(), senderid: uniqueId("S") }));
    const visitPaid = await partner("/api/PayOrder/MIN/UsePrepaymentAndPassword", {
      orderid: visit.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!),
    }, { token: s.token });
    expect(((await visitPaid.json()) as { resultcode: number }).resultcode).toBe(0);
    const gate = await aGate();
    const code = ((await admin("GET", `/admin/orders/${visit.orderid}`)).body as { tickets: { ticketCode: string }[] }).tickets[0]!.ticketCode;
    expect(((await (await partner(CHECK, { ticketcode: code }, { token: gate.token })).json()) as { errcode: number }).errcode).toBe(0);
    const checkins = await admin("GET", `/admin/checkins?date=${TODAY()}&gateid=${gate.gateId}`);
    expectAnswer(documented.AdminCheckins, checkins);
    expect((checkins.body as { total: number }).total).toBe(1);
    const history = await admin("GET", `/admin/tickets?code=${code}`);
    expectAnswer(documented.AdminTicketSearch, history);
    expect((history.body as { items: { history: unknown[] }[] }).items[0]!.history).toHaveLength(3);

    const notifications = await admin("GET", "/admin/notifications?limit=5");
    expectItems(documented.AdminNotification, notifications);
    expectAnswer(documented.AdminNotificationDetail, await admin("GET", `/admin/notifications/${encodeURIComponent(notifications.body.items[0].id)}`));

    expectAnswer(documented.AdminError, await admin("GET", "/admin/customers/nobody-here"), 404);
    expectAnswer(documented.AdminError, await admin("GET", "/admin/customers", undefined, "wrong-token"), 401);
    expectAnswer(documented.AdminError, await admin("PUT", `/admin/products/${ticket}`, { name: "" }), 400);
  });

  it("would notice an undocumented field (the schemas are strict)", () => {
    const parsed = documented.AdminCustomer.safeParse({
      dwid: "a", dwlx: "1", name: "n", callbackUrl: null, createdAt: "t", updatedAt: "t", extra: 1,
    });
    expect(parsed.success).toBe(false);
  });
});
