/**
 * GET /admin/dashboard (SPEC §12): the console's home. Orders are placed,
 * paid, refunded and checked in through the partner API on two days three
 * days apart (the test clock moves); every number the dashboard shows is
 * then recomputed from what the admin API lists — orders and their details,
 * refunds, notifications — and must agree.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate, shanghaiDayStartMs } from "../../src/domain/dates";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aCalendarDay, aProduct, anOrderBody } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const REFUND = "/api/WebInterface/Order/Refund";
const DAY_MS = 86_400_000;
const TODAY = () => shanghaiDate(testClock.nowMs());

interface Buyer {
  customer: TestCustomer;
  session: TestSession;
}

async function aBuyer(): Promise<Buyer> {
  const customer = await aCustomer({ depositYuan: 5000 });
  return { customer, session: await loginAs(customer) };
}

/** An order of `lines` for `day`, paid unless `unpaid`; its id and ticket codes. */
async function anOrder(b: Buyer, day: string, lines: { productid: string; amount: number }[], unpaid = false): Promise<{ orderId: string; tickets: string[] }> {
  const added = (await (await partner(ADD, anOrderBody(lines, { effectdate: day, senderid: uniqueId("S") }), { token: b.session.token })).json()) as any;
  expect(added.resultcode, JSON.stringify(added)).toBe(0);
  if (unpaid) return { orderId: added.orderid, tickets: [] };
  const paypassword = await encryptPayPassword(b.session.sessionKey, b.customer.loginPassword, b.customer.payPassword!);
  const paid = (await (await partner(MIN, { orderid: added.orderid, paypassword }, { token: b.session.token })).json()) as any;
  expect(paid.resultcode, JSON.stringify(paid)).toBe(0);
  const detail = await admin("GET", `/admin/orders/${added.orderid}`);
  return { orderId: added.orderid, tickets: detail.body.tickets.map((t: any) => t.ticketCode) };
}

async function allPages(path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const r: { status: number; body: any } = await admin("GET", `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

/** What the admin API says about [fromMs, toMs): paid orders (with details) and refunds, and the check-ins of the last day. */
async function fromTheAdminApi(fromMs: number, dayMs: number, toMs: number) {
  const within = (iso: string | null, start: number) => iso !== null && Date.parse(iso) >= start && Date.parse(iso) < toMs;
  const paid = await allPages("/admin/orders?status=paid");
  const details = await Promise.all(paid.filter((o) => within(o.paidAt, fromMs)).map(async (o) => (await admin("GET", `/admin/orders/${o.orderId}`)).body));
  const refunds = (await allPages("/admin/refunds")).filter((r) => within(r.refundedAt, fromMs));
  const productOf = new Map<string, string>();
  const everyPaid = await Promise.all(paid.map(async (o) => (await admin("GET", `/admin/orders/${o.orderId}`)).body));
  for (const d of everyPaid) for (const t of d.tickets) productOf.set(t.ticketCode, t.productId);
  const sum = <T>(items: readonly T[], pick: (t: T) => number) => Math.round(items.reduce((n, t) => n + pick(t), 0) * 100) / 100;

  const period = (start: number) => {
    const orders = details.filter((d) => within(d.paidAt, start));
    const made = refunds.filter((r) => within(r.refundedAt, start));
    const byCustomer = new Map<string, unknown>();
    for (const dwid of new Set([...orders.map((o) => o.dwid), ...made.map((r) => r.dwid)])) {
      const mine = orders.filter((o) => o.dwid === dwid);
      const back = made.filter((r) => r.dwid === dwid);
      byCustomer.set(dwid, {
        orders: mine.length, tickets: sum(mine, (o) => o.tickets.length), amount: sum(mine, (o) => o.amount),
        refunds: back.length, refundedTickets: sum(back, (r) => r.tickets.length), refunded: sum(back, (r) => r.amount),
      });
    }
    const byProduct = new Map<string, unknown>();
    for (const productId of new Set(orders.flatMap((o) => o.items.map((i: any) => i.productId)))) {
      const lines = orders.flatMap((o) => o.items.filter((i: any) => i.productId === productId).map((i: any) => ({ ...i, orderId: o.orderId, tickets: o.tickets })));
      byProduct.set(productId, {
        orders: new Set(lines.map((l) => l.orderId)).size,
        tickets: sum(orders, (o) => o.tickets.filter((t: any) => t.productId === productId).length),
        amount: sum(lines, (l) => l.amount),
        refundedTickets: sum(made, (r) => r.tickets.filter((code: string) => productOf.get(code) === productId).length),
      });
    }
    const totals = {
      orders: orders.length, tickets: sum(orders, (o) => o.tickets.length), amount: sum(orders, (o) => o.amount),
      refunds: made.length, refundedTickets: sum(made, (r) => r.tickets.length), refunded: sum(made, (r) => r.amount),
    };
    return { totals, byCustomer, byProduct };
  };
  const byHour = Array.from({ length: 24 }, () => 0);
  for (const d of everyPaid) {
    for (const t of d.tickets) if (within(t.usedAt, dayMs)) byHour[new Date(Date.parse(t.usedAt) + 8 * 3_600_000).getUTCHours()]! += 1;
  }
  const dayOf = (iso: string) => shanghaiDate(Date.parse(iso));
  return { today: period(dayMs), last30Days: period(fromMs), byHour, details, refunds, dayOf, sum };
}

let a: Buyer;
let b: Buyer;
let p1: string;
let p2: string;
let firstDay: string;
let secondDay: string;
let failedIds: string[];

beforeAll(async () => {
  [a, b] = [await aBuyer(), await aBuyer()];
  p1 = await aProduct({ price: 30 }, null);
  p2 = await aProduct({ price: 50, refund: { allowed: true, deadline: "visit_day_end", feePercent: 10 } }, null);
  firstDay = TODAY();
  for (const p of [p1, p2]) for (const offset of [0, 3, 40]) await aCalendarDay(p, addDays(firstDay, offset), { stock: 100 });

  // Day one: A buys three P1 for a later visit.
  await anOrder(a, addDays(firstDay, 40), [{ productid: p1, amount: 3 }]);

  // Three days later (sessions have ended: log in again).
  testClock.advance(3 * DAY_MS);
  secondDay = TODAY();
  [a.session, b.session] = [await loginAs(a.customer), await loginAs(b.customer)];
  const visit = await anOrder(a, secondDay, [{ productid: p1, amount: 2 }, { productid: p2, amount: 1 }]);
  const group = await anOrder(b, secondDay, [{ productid: p2, amount: 2 }]);
  await anOrder(a, secondDay, [{ productid: p2, amount: 1 }], true);
  const refunded = (await (await partner(REFUND, { orderid: group.orderId, refundid: uniqueId("RF"), ticketcodes: [group.tickets[0]] }, { token: b.session.token })).json()) as any;
  expect(refunded.errcode, JSON.stringify(refunded)).toBe(0);
  const gate = await aGate();
  for (const ticketcode of visit.tickets.slice(0, 2)) {
    const checked = (await (await partner(CHECK, { ticketcode }, { token: gate.token })).json()) as any;
    expect(checked.errcode, JSON.stringify(checked)).toBe(0);
  }
  // Two notifications that could not be delivered, one given up.
  failedIds = [uniqueId("n-failed-"), uniqueId("n-failed-"), uniqueId("n-dead-")];
  await env.DB.batch(failedIds.map((id, i) =>
    env.DB.prepare(
      `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, last_error, created_at_ms, updated_at_ms)
       VALUES (?, 'order_paid', ?, ?, '{}', ?, 6, 'callback: HTTP 503', ?, ?)`,
    ).bind(id, a.customer.dwid, visit.orderId, i < 2 ? "failed" : "dead", testClock.nowMs(), testClock.nowMs()),
  ));
});

describe("GET /admin/dashboard", () => {
  it("today and the last 30 days, per customer and per product, agree with the admin API's orders and refunds", async () => {
    const r = await admin("GET", "/admin/dashboard");
    expect(r.status).toBe(200);
    const dayMs = shanghaiDayStartMs(secondDay);
    const expected = await fromTheAdminApi(shanghaiDayStartMs(addDays(secondDay, -29)), dayMs, dayMs + DAY_MS);
    expect(r.body).toMatchObject({ date: secondDay, from: addDays(secondDay, -29), to: secondDay });
    expect(r.body.today).toEqual(expected.today.totals);
    expect(r.body.last30Days).toEqual(expected.last30Days.totals);
    for (const c of r.body.byCustomer) {
      expect(c.today, `today ${c.dwid}`).toEqual(expected.today.byCustomer.get(c.dwid) ?? { orders: 0, tickets: 0, amount: 0, refunds: 0, refundedTickets: 0, refunded: 0 });
      expect(c.last30Days, `30 days ${c.dwid}`).toEqual(expected.last30Days.byCustomer.get(c.dwid));
    }
    expect(r.body.byCustomer.map((c: any) => c.dwid).sort()).toEqual([...expected.last30Days.byCustomer.keys()].sort());
    for (const p of r.body.byProduct) {
      expect(p.last30Days, `30 days ${p.productId}`).toEqual(expected.last30Days.byProduct.get(p.productId));
      expect(p.today, `today ${p.productId}`).toEqual(expected.today.byProduct.get(p.productId) ?? { orders: 0, tickets: 0, amount: 0, refundedTickets: 0 });
    }
    expect(r.body.byProduct.map((p: any) => p.productId).sort()).toEqual([...expected.last30Days.byProduct.keys()].sort());

    // The numbers themselves, for this test's own customers and products.
    const mine = (dwid: string) => r.body.byCustomer.find((c: any) => c.dwid === dwid);
    expect(mine(a.customer.dwid)).toMatchObject({
      name: `测试旅行社 ${a.customer.dwid}`,
      today: { orders: 1, tickets: 3, amount: 110, refunds: 0 },
      last30Days: { orders: 2, tickets: 6, amount: 200 },
    });
    expect(mine(b.customer.dwid)).toMatchObject({ today: { orders: 1, tickets: 2, amount: 100, refunds: 1, refundedTickets: 1, refunded: 45 } });
    expect(r.body.byProduct.find((p: any) => p.productId === p2)).toMatchObject({ name: `测试门票 ${p2}`, today: { orders: 2, tickets: 3, amount: 150, refundedTickets: 1 } });
  });

  it("check-ins per hour of the day, as the tickets' usedAt say; notifications that failed and were given up, as the list says", async () => {
    const r = await admin("GET", "/admin/dashboard");
    const dayMs = shanghaiDayStartMs(secondDay);
    const expected = await fromTheAdminApi(shanghaiDayStartMs(addDays(secondDay, -29)), dayMs, dayMs + DAY_MS);
    expect(r.body.checkins.byHour).toEqual(expected.byHour);
    expect(r.body.checkins.total).toBe(2);
    const failed = await allPages("/admin/notifications?status=failed");
    const dead = await allPages("/admin/notifications?status=dead");
    expect(r.body.notifications).toEqual({ failed: failed.length, dead: dead.length });
    expect(failed.map((n) => n.id)).toEqual(expect.arrayContaining(failedIds.slice(0, 2)));
  });

  it("one entry per day of the 30, each the sum of that day's paid orders and refunds", async () => {
    const r = await admin("GET", "/admin/dashboard");
    const dayMs = shanghaiDayStartMs(secondDay);
    const { details, refunds, dayOf, sum } = await fromTheAdminApi(shanghaiDayStartMs(addDays(secondDay, -29)), dayMs, dayMs + DAY_MS);
    expect(r.body.daily.map((d: any) => d.day)).toEqual(Array.from({ length: 30 }, (_, i) => addDays(secondDay, i - 29)));
    for (const entry of r.body.daily) {
      const paid = details.filter((d) => dayOf(d.paidAt) === entry.day);
      expect(entry, entry.day).toEqual({
        day: entry.day, orders: paid.length, tickets: sum(paid, (o) => o.tickets.length), amount: sum(paid, (o) => o.amount),
        refunded: sum(refunds.filter((x) => dayOf(x.refundedAt) === entry.day), (x) => x.amount),
      });
    }
    expect(r.body.daily.find((d: any) => d.day === firstDay).orders).toBeGreaterThanOrEqual(1);
  });

  it("?date= looks at another day: three days back, only that day's order is today's", async () => {
    const r = await admin("GET", `/admin/dashboard?date=${firstDay}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ date: firstDay, from: addDays(firstDay, -29) });
    expect(r.body.byCustomer.find((c: any) => c.dwid === a.customer.dwid)).toMatchObject({ today: { orders: 1, tickets: 3, amount: 90 }, last30Days: { orders: 1 } });
    expect(r.body.byCustomer.find((c: any) => c.dwid === b.customer.dwid)).toBeUndefined();
    expect(r.body.checkins.total).toBe(0);
    const bad = await admin("GET", "/admin/dashboard?date=20270230");
    expect([bad.status, bad.body.error.field]).toEqual([400, "date"]);
  });

  it("lists the customers whose available balance is below their threshold now, as each AccountDO says", async () => {
    const dwids = [uniqueId("low"), uniqueId("ok"), uniqueId("none")];
    const put = (dwid: string, lowBalanceAlert: number | null) => admin("PUT", `/admin/customers/${dwid}`, { dwlx: "1", name: `客户 ${dwid}`, loginPassword: "x", lowBalanceAlert });
    expect((await put(dwids[0]!, 500)).status).toBe(201);
    expect((await put(dwids[1]!, 100)).status).toBe(201);
    expect((await put(dwids[2]!, null)).status).toBe(201);
    for (const dwid of dwids) expect((await admin("POST", `/admin/customers/${dwid}/deposits`, { amount: 300, reference: `d-${dwid}` })).status).toBe(201);
    const r = await admin("GET", "/admin/dashboard");
    const mine = r.body.lowBalance.customers.filter((c: { dwid: string }) => dwids.includes(c.dwid));
    expect(mine).toEqual([{ dwid: dwids[0], name: `客户 ${dwids[0]}`, available: 300, threshold: 500 }]);
    expect(r.body.lowBalance.checked).toBeGreaterThanOrEqual(2);
    // A deposit back above the threshold takes it off the list.
    await admin("POST", `/admin/customers/${dwids[0]}/deposits`, { amount: 250, reference: `d2-${dwids[0]}` });
    const after = await admin("GET", "/admin/dashboard");
    expect(after.body.lowBalance.customers.filter((c: { dwid: string }) => dwids.includes(c.dwid))).toEqual([]);
  });
});
