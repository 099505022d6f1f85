/**
 * The gate (SPEC §10 核销) through the real Worker: gate devices registered
 * by an operator, Ticket/Check by code and by ID number, every refusal its
 * own code, idempotent on checkid, exactly once under concurrency, a refund
 * racing a scan, and tokens that call nothing else.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { aCustomer, admin, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, aCalendarDay, aProduct, aResidentId, anOrderBody, d1Rows } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";
import { paid } from "../helpers/payments";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const REFUND = "/api/WebInterface/Order/Refund";


/** A paid order for today (or `day`), its tickets. */
async function todaysTickets(c: TestCustomer, s: TestSession, options: { day?: string; quantity?: number; body?: Record<string, unknown>; product?: Parameters<typeof aProduct>[0]; timeslots?: unknown } = {}) {
  const day = options.day ?? shanghaiDate(testClock.nowMs());
  const productId = await aProduct(options.product ?? { price: 30 }, null);
  await aCalendarDay(productId, day, { stock: 50, ...(options.timeslots ? { timeslots: options.timeslots as never } : {}) });
  const body = options.body ?? anOrderBody([{ productid: productId, amount: options.quantity ?? 2 }], { effectdate: day });
  const added = (await (await partner(ADD, { ...body, effectdate: day }, { token: s.token })).json()) as { resultcode: number; orderid: string };
  expect(added.resultcode).toBe(0);
  await paid(c, s, added.orderid);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, productId, tickets };
}

async function check(token: string, body: Record<string, unknown>) {
  const response = await partner(CHECK, body, { token });
  return { status: response.status, body: (await response.json()) as { errcode: number; errmsg: string; tag: any } };
}

describe("Ticket/Check", () => {
  it("admits a valid ticket of today once: 0 with when and where; a second scan is 4802 saying when and at which gate", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await todaysTickets(c, s);
    const gate = await aGate();
    const before = testClock.nowMs();
    const first = await check(gate.token, { ticketcode: order.tickets[0] });
    expect(first).toMatchObject({ status: 200, body: { errcode: 0, tag: { ticketcode: order.tickets[0], orderid: order.orderId, productid: order.productId, status: "used", gateid: gate.gateId } } });
    expect(Date.parse(first.body.tag.usedat)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(first.body.tag.usedat)).toBeLessThanOrEqual(testClock.nowMs());
    const again = await check(gate.token, { ticketcode: order.tickets[0] });
    expect(again.body).toMatchObject({ errcode: 4802, tag: { status: "used", usedat: first.body.tag.usedat, gateid: gate.gateId } });
    expect(again.body.errmsg).toContain(gate.gateId);
    // The partner is told once (its outbox row), and Order/Query shows the ticket used.
    expect(await d1Rows("SELECT kind FROM outbox WHERE id = ?", `ticket-used:${order.tickets[0]}`)).toEqual([{ kind: "ticket_used" }]);
    const query = (await (await partner("/api/WebInterface/Order/Query", { orderid: order.orderId }, { token: s.token })).json()) as { tag: { tickets: Array<{ ticketcode: string; status: string; usedat: string | null }> } };
    expect(query.tag.tickets).toEqual([
      { ticketcode: order.tickets[0], productid: order.productId, status: "used", usedat: first.body.tag.usedat },
      { ticketcode: order.tickets[1], productid: order.productId, status: "valid", usedat: null },
    ].sort((a, b) => a.ticketcode!.localeCompare(b.ticketcode!)));
    const detail = await admin("GET", `/admin/orders/${order.orderId}`);
    expect(detail.body.tickets.find((t: { ticketCode: string }) => t.ticketCode === order.tickets[0])).toMatchObject({ status: "used", usedAt: first.body.tag.usedat, gateId: gate.gateId });
  });

  it("a retry of one scan (the same checkid) answers 0 again with the same usedat", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const order = await todaysTickets(c, await loginAs(c));
    const gate = await aGate();
    const first = await check(gate.token, { ticketcode: order.tickets[1], checkid: "scan-1" });
    testClock.advance(5_000);
    const retry = await check(gate.token, { ticketcode: order.tickets[1], checkid: "scan-1" });
    expect(retry.body).toEqual(first.body);
    expect(first.body.errcode).toBe(0);
  });

  it("a scan id this gate already used for another ticket (a device whose counter repeats) is refused 4808: the gate never opens on another ticket's admission", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const order = await todaysTickets(c, await loginAs(c));
    const gate = await aGate();
    const first = await check(gate.token, { ticketcode: order.tickets[0], checkid: "scan-7" });
    expect(first.body.errcode).toBe(0);
    // Before the fix: errcode 0 with the first ticket's tag, the second ticket still valid.
    const repeated = await check(gate.token, { ticketcode: order.tickets[1], checkid: "scan-7" });
    expect(repeated).toMatchObject({ status: 200, body: { errcode: 4808 } });
    expect(await d1Rows("SELECT status, used_at_ms FROM tickets WHERE ticket_code = ?", order.tickets[1])).toEqual([{ status: "valid", used_at_ms: null }]);
    // The retry of the first scan is still that scan's answer; the scan id at another gate is another scan.
    expect((await check(gate.token, { ticketcode: order.tickets[0], checkid: "scan-7" })).body).toEqual(first.body);
    const elsewhere = await aGate();
    expect((await check(elsewhere.token, { ticketcode: order.tickets[1], checkid: "scan-7" })).body).toMatchObject({ errcode: 0, tag: { ticketcode: order.tickets[1], gateid: elsewhere.gateId } });
  });

  it("by ID number, a scan id already used for another holder's ticket is refused 4808, its own retry answered 0 again", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const productId = await aProduct({ price: 30, realName: true }, null);
    const today = shanghaiDate(testClock.nowMs());
    await aCalendarDay(productId, today, { stock: 20 });
    const holders = [aResidentId("19850101", 123), aResidentId("19900101", 321)] as const;
    const body = anOrderBody(holders.map((id, k) => ({ productid: productId, amount: 1, fullname: `游客${k}`, identificationtype: "1", identificationnumber: id })), { effectdate: today });
    const order = await todaysTickets(c, s, { body });
    const gate = await aGate();
    const first = await check(gate.token, { idnumber: holders[0], checkid: "scan-9" });
    expect(first.body.errcode).toBe(0);
    expect((await check(gate.token, { idnumber: holders[1], checkid: "scan-9" })).body.errcode).toBe(4808);
    expect((await check(gate.token, { idnumber: holders[0], checkid: "scan-9" })).body).toEqual(first.body);
    expect(await d1Rows("SELECT count(*) AS n FROM tickets WHERE order_id = ? AND status = 'valid'", order.orderId)).toEqual([{ n: 1 }]);
  });

  it("twenty concurrent scans of one code admit exactly one", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const order = await todaysTickets(c, await loginAs(c));
    const gates = await Promise.all([aGate(), aGate()]);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => check(gates[i % 2]!.token, { ticketcode: order.tickets[0], checkid: `c${i}` })));
    expect(answers.filter((a) => a.body.errcode === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.body.errcode === 4802)).toHaveLength(19);
    expect(await d1Rows("SELECT status FROM tickets WHERE ticket_code = ?", order.tickets[0])).toEqual([{ status: "used" }]);
  });

  it("a refund racing scans of the same ticket: exactly one of them wins, the money follows", async () => {
    for (let round = 0; round < 6; round++) {
      const c = await aCustomer({ depositYuan: 500 });
      const s = await loginAs(c);
      const order = await todaysTickets(c, s, { quantity: 1 });
      const gate = await aGate();
      const [scan, refund] = await Promise.all([
        check(gate.token, { ticketcode: order.tickets[0] }),
        partner(REFUND, { orderid: order.orderId, refundid: `R${round}`, ticketcodes: [order.tickets[0]] }, { token: s.token }).then((r) => r.json() as Promise<{ errcode: number }>),
      ]);
      expect([scan.body.errcode === 0, refund.errcode === 0].filter(Boolean)).toHaveLength(1);
      const [ticket] = await d1Rows("SELECT status FROM tickets WHERE ticket_code = ?", order.tickets[0]);
      expect(ticket.status).toBe(scan.body.errcode === 0 ? "used" : "refunded");
      if (scan.body.errcode !== 0) expect(scan.body.errcode).toBe(4803);
      else expect(refund.errcode).toBe(4704);
    }
  });

  it.each<[string, number]>([
    ["unknown", 4801],
    ["tomorrow's", 4805],
    ["yesterday's", 4805],
    ["refunded", 4803],
    ["of a product this gate does not admit", 4807],
  ])("refuses a ticket that is %s (%i), changing nothing", async (kind, code) => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const today = shanghaiDate(testClock.nowMs());
    const order = await todaysTickets(c, s, { day: kind === "tomorrow's" ? addDays(today, 1) : today });
    if (kind === "refunded") expect(((await (await partner(REFUND, { orderid: order.orderId, refundid: "R" }, { token: s.token })).json()) as { errcode: number }).errcode).toBe(0);
    if (kind === "yesterday's") testClock.advance(86_400_000);
    const gate = await aGate(kind.startsWith("of a product") ? ["SOME-OTHER"] : null);
    const answer = await check(gate.token, { ticketcode: kind === "unknown" ? "000000000000000000" : order.tickets[0] });
    expect(answer.body.errcode).toBe(code);
    if (kind !== "unknown") expect(await d1Rows("SELECT used_at_ms FROM tickets WHERE ticket_code = ?", order.tickets[0])).toEqual([{ used_at_ms: null }]);
  });

  it("refuses outside the ticket's time slot, admits within it", async () => {
    // Slot 1 ends where the day's clock is now (or later ones do not start yet): compute from the clock,
    // moved out of the day's edges first — before signing in, so the session does not idle out meanwhile.
    const minute = Math.floor(((testClock.nowMs() + 8 * 3_600_000) % 86_400_000) / 60_000);
    if (minute < 120 || minute > 1300) testClock.advance(3 * 3_600_000);
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const now = Math.floor(((testClock.nowMs() + 8 * 3_600_000) % 86_400_000) / 60_000);
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    const timeslots = [
      { index: 1, start: hhmm(now - 60), end: hhmm(now + 30), capacity: 10 },
      { index: 2, start: hhmm(now + 30), end: hhmm(now + 120), capacity: 10 },
    ];
    const productId = await aProduct({ price: 30 }, null);
    const today = shanghaiDate(testClock.nowMs());
    await aCalendarDay(productId, today, { stock: 20, timeslots });
    const gate = await aGate();
    const codes: string[] = [];
    for (const slot of [1, 2]) {
      const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: 1 }], { effectdate: today, timespanindex: slot }), { token: s.token })).json()) as { orderid: string };
      await partner(MIN, { orderid: added.orderid, paypassword: await encryptPayPassword(s.sessionKey, c.loginPassword, c.payPassword!) }, { token: s.token });
      codes.push((await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ?", added.orderid))[0].ticket_code);
    }
    expect((await check(gate.token, { ticketcode: codes[0] })).body.errcode).toBe(0);
    expect((await check(gate.token, { ticketcode: codes[1] })).body).toMatchObject({ errcode: 4806, tag: { timespanindex: 2, status: "valid" } });
    testClock.advance(31 * 60_000);
    expect((await check(gate.token, { ticketcode: codes[1] })).body.errcode).toBe(0);
  });

  it("by ID number (刷身份证入园): admits the holder's real-name ticket of today, then says it is used", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const idnumber = aResidentId("19850101", 123);
    const productId = await aProduct({ price: 30, realName: true }, null);
    const today = shanghaiDate(testClock.nowMs());
    await aCalendarDay(productId, today, { stock: 20 });
    const body = anOrderBody([{ productid: productId, amount: 1, fullname: "张三", identificationtype: "1", identificationnumber: idnumber }], { effectdate: today });
    const order = await todaysTickets(c, s, { body });
    const gate = await aGate();
    expect((await check(gate.token, { idnumber })).body).toMatchObject({ errcode: 0, tag: { ticketcode: order.tickets[0] } });
    expect((await check(gate.token, { idnumber })).body.errcode).toBe(4802);
    expect((await check(gate.token, { idnumber: aResidentId("19900101", 321) })).body.errcode).toBe(4801);
  });

  it("a gate token calls nothing else, a partner session cannot call the gate, a rotated token ends at once", async () => {
    const c = await aCustomer({ depositYuan: 500 });
    const s = await loginAs(c);
    const order = await todaysTickets(c, s);
    const gate = await aGate();
    expect((await partner(CHECK, { ticketcode: order.tickets[0] }, { token: s.token })).status).toBe(401);
    expect((await partner("/api/WebInterface/Order/Query", { orderid: order.orderId }, { token: gate.token })).status).toBe(401);
    expect((await admin("GET", "/admin/gates", undefined, gate.token)).status).toBe(401);
    const rotated = await admin("POST", `/admin/gates/${gate.gateId}/token`);
    expect(rotated.status).toBe(200);
    expect((await partner(CHECK, { ticketcode: order.tickets[0] }, { token: gate.token })).status).toBe(401);
    expect((await check(rotated.body.token, { ticketcode: order.tickets[0] })).body.errcode).toBe(0);
    // The list never shows a token.
    const listed = await admin("GET", "/admin/gates?limit=200");
    expect(JSON.stringify(listed.body)).not.toContain(rotated.body.token);
    void env;
  });
});
