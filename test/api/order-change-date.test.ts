/**
 * Order/ChangeDate (SPEC §10) through the real Worker, InventoryDOs and D1:
 * a paid order moves to another day and slot, the new day's units taken
 * before the old day's come back; every refusal its own code and nothing
 * changed; concurrent changes, a change racing a refund or a gate scan, and
 * faults around D1's batch and the old day's release.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { addDays } from "../../src/domain/dates";
import { DATE_CHANGE_HOLD_MS } from "../../src/domain/date-change";
import { workerFaults } from "../../src/durable/faults";
import { aCustomer, loginAs, partner, type TestCustomer, type TestSession } from "../helpers/api";
import { ADD, LATER, QUERY, TODAY, aProduct, aCalendarDay, anOrderBody, d1Rows, expectNoOversell, inventoryRows, inventoryStub, liveStock } from "../helpers/catalogue";
import { CHECK, aGate } from "../helpers/gates";
import { paid } from "../helpers/payments";

const CHANGE = "/api/WebInterface/Order/ChangeDate";
const REFUND = "/api/WebInterface/Order/Refund";

afterEach(() => workerFaults.disarm());

interface Buyer {
  c: TestCustomer;
  s: TestSession;
}

async function aBuyer(): Promise<Buyer> {
  const c = await aCustomer({ depositYuan: 2000 });
  return { c, s: await loginAs(c) };
}

/** A product on sale on `days` (price 30 unless a day says otherwise). */
async function aProductOn(days: { date: string; stock?: number; price?: number | null; timeslots?: { index: number; start: string; end: string; capacity: number }[] }[], price = 30) {
  const productId = await aProduct({ price }, null);
  for (const d of days) await aCalendarDay(productId, d.date, { stock: d.stock ?? 10, price: d.price, timeslots: d.timeslots });
  return productId;
}

/** A paid order of `quantity` tickets of `productId` on `day`, and its ticket codes. */
async function aPaidOrder(b: Buyer, productId: string, day: string, quantity = 2, extra: Record<string, unknown> = {}) {
  const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: quantity }], { effectdate: day, ...extra }), { token: b.s.token })).json()) as { resultcode: number; orderid: string };
  expect(added.resultcode).toBe(0);
  await paid(b.c, b.s, added.orderid);
  const tickets = (await d1Rows("SELECT ticket_code FROM tickets WHERE order_id = ? ORDER BY ticket_code", added.orderid)).map((t) => t.ticket_code as string);
  return { orderId: added.orderid, tickets };
}

async function change(b: Buyer, body: Record<string, unknown>) {
  const response = await partner(CHANGE, body, { token: b.s.token });
  return { status: response.status, body: (await response.json()) as { resultcode: number; returnmessgage: string; orderid: string; orderstatus: string } };
}

async function orderRow(orderId: string) {
  return (await d1Rows("SELECT effect_date, timespan_index, coalesce(hold_key, order_id) AS hold_key FROM orders WHERE order_id = ?", orderId))[0];
}

/** Sold units of the day (and slot), from the object itself. */
async function sold(productId: string, date: string, slot?: number): Promise<number> {
  const live = await liveStock(productId, date);
  return slot === undefined ? live.sold + live.held : live.slots.find((s) => s.index === slot)!.sold;
}

async function expectNothingChanged<T>(what: () => Promise<T>, act: () => Promise<unknown>): Promise<void> {
  const before = await what();
  await act();
  expect(await what()).toEqual(before);
}

describe("Order/ChangeDate", () => {
  it("moves a paid order to another day: the new day's units taken, the old day's back, the same tickets; a repeat answers the same", async () => {
    const b = await aBuyer();
    const [d1, d2] = [LATER(), addDays(LATER(), 1)];
    const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
    const order = await aPaidOrder(b, productId, d1, 3);
    expect(await sold(productId, d1)).toBe(3);

    const moved = await change(b, { orderid: order.orderId, effectdate: d2 });
    expect(moved).toMatchObject({ status: 200, body: { resultcode: 0, orderid: order.orderId, orderstatus: "paid" } });
    expect(moved.body.returnmessgage).toContain(d2);
    expect(await sold(productId, d1)).toBe(0);
    expect(await sold(productId, d2)).toBe(3);
    expect((await liveStock(productId, d2)).sold).toBe(3);
    const row = await orderRow(order.orderId);
    expect(row.effect_date).toBe(d2);
    expect(row.hold_key).toMatch(new RegExp(`^${order.orderId}\\.[0-9a-f]{8}$`));
    const query = (await (await partner(QUERY, { orderid: order.orderId }, { token: b.s.token })).json()) as any;
    expect(query.tag).toMatchObject({ effectdate: d2, status: "paid" });
    expect(query.tag.tickets.map((t: { ticketcode: string }) => t.ticketcode).sort()).toEqual(order.tickets);

    const again = await change(b, { senderid: null, orderid: order.orderId, effectdate: d2 });
    expect(again.body.resultcode).toBe(0);
    expect(again.body.returnmessgage).toContain("已在该日期");
    expect(await d1Rows("SELECT outcome FROM order_date_changes WHERE order_id = ?", order.orderId)).toEqual([{ outcome: "commit" }]);
    await expectNoOversell(productId, d1);
    await expectNoOversell(productId, d2);
  });

  it("moves back and forth: each change a new hold key, each old hold released, the units always on the order's day", async () => {
    const b = await aBuyer();
    const [d1, d2] = [LATER(), addDays(LATER(), 2)];
    const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
    const order = await aPaidOrder(b, productId, d1, 2);
    for (const [to, from] of [[d2, d1], [d1, d2], [d2, d1]] as const) {
      expect((await change(b, { orderid: order.orderId, effectdate: to })).body.resultcode).toBe(0);
      expect([await sold(productId, to), await sold(productId, from)]).toEqual([2, 0]);
    }
    expect(await d1Rows("SELECT count(*) AS n FROM order_date_changes WHERE order_id = ? AND outcome = 'commit'", order.orderId)).toEqual([{ n: 3 }]);
  });

  it("takes the slot asked for on the new day, the order's own slot when none is asked, the earliest with room for -1", async () => {
    const b = await aBuyer();
    const slots = [
      { index: 1, start: "08:00", end: "12:00", capacity: 5 },
      { index: 2, start: "12:00", end: "17:00", capacity: 5 },
    ];
    const [d1, d2, d3] = [LATER(), addDays(LATER(), 1), addDays(LATER(), 2)];
    const productId = await aProductOn([{ date: d1, timeslots: slots }, { date: d2, timeslots: slots }, { date: d3, timeslots: slots }]);
    const order = await aPaidOrder(b, productId, d1, 2, { timespanindex: 2 });
    expect((await change(b, { orderid: order.orderId, effectdate: d2 })).body.resultcode).toBe(0);
    expect(await sold(productId, d2, 2)).toBe(2);
    expect((await change(b, { orderid: order.orderId, effectdate: d2, timespanindex: 1 })).body.resultcode).toBe(0);
    expect([await sold(productId, d2, 1), await sold(productId, d2, 2)]).toEqual([2, 0]);
    expect(await d1Rows("SELECT timespan_index FROM order_items WHERE order_id = ?", order.orderId)).toEqual([{ timespan_index: 1 }]);
    expect((await change(b, { orderid: order.orderId, effectdate: d3, timespanindex: -1 })).body.resultcode).toBe(0);
    expect(await orderRow(order.orderId)).toMatchObject({ effect_date: d3, timespan_index: 1 });
    expect((await change(b, { orderid: order.orderId, effectdate: d3, timespanindex: 9 })).body.resultcode).toBe(4303);
  });

  describe("refusals change nothing", () => {
    it.each([
      ["the new day sells at another price", 4904, async (productId: string, d2: string) => aCalendarDay(productId, d2, { stock: 10, price: 35 })],
      ["the new day is not on sale", 4203, async () => {}],
      ["the new day is sold out", 4301, async (productId: string, d2: string) => aCalendarDay(productId, d2, { stock: 1 })],
    ])("%s: %i", async (_what, code, setUp) => {
      const b = await aBuyer();
      const [d1, d2] = [LATER(), addDays(LATER(), 3)];
      const productId = await aProductOn([{ date: d1 }]);
      await setUp(productId, d2);
      const order = await aPaidOrder(b, productId, d1, 2);
      const stores = async () => ({ order: await orderRow(order.orderId), old: await inventoryRows(productId, d1), changes: await d1Rows("SELECT * FROM order_date_changes WHERE order_id = ?", order.orderId) });
      let answer!: Awaited<ReturnType<typeof change>>;
      await expectNothingChanged(stores, async () => (answer = await change(b, { orderid: order.orderId, effectdate: d2 })));
      expect(answer.body.resultcode).toBe(code);
      if (code === 4904) expect(answer.body.returnmessgage).toContain(productId);
      expect(await sold(productId, d2).catch(() => 0)).toBe(0);
    });

    it("unpaid (4901), an annual card (4905), a day past (4205), another customer's order (4001), no order named (1001 field rule)", async () => {
      const b = await aBuyer();
      const d1 = LATER();
      const productId = await aProductOn([{ date: d1 }, { date: addDays(d1, 1) }]);
      const added = (await (await partner(ADD, anOrderBody([{ productid: productId, amount: 1 }], { effectdate: d1 }), { token: b.s.token })).json()) as { orderid: string };
      expect((await change(b, { orderid: added.orderid, effectdate: addDays(d1, 1) })).body.resultcode).toBe(4901);
      const paid = await aPaidOrder(b, productId, d1, 1);
      expect((await change(b, { orderid: paid.orderId, effectdate: addDays(TODAY(), -1) })).body.resultcode).toBe(4205);
      const other = await aBuyer();
      expect((await change(other, { orderid: paid.orderId, effectdate: addDays(d1, 1) })).body.resultcode).toBe(4001);
      const missing = await change(b, { effectdate: addDays(d1, 1) });
      expect(missing.body.resultcode).not.toBe(0);
      expect(missing.body.returnmessgage).toContain("orderid");
      expect(await orderRow(paid.orderId)).toMatchObject({ effect_date: d1, hold_key: paid.orderId });
    });

    it("a used ticket or a refunded one: 4902; the visit day over: 4903", async () => {
      const b = await aBuyer();
      const today = TODAY();
      const productId = await aProductOn([{ date: today }, { date: addDays(today, 1) }, { date: addDays(today, 5) }]);
      const used = await aPaidOrder(b, productId, today, 2);
      const gate = await aGate();
      expect(((await (await partner(CHECK, { ticketcode: used.tickets[0] }, { token: gate.token })).json()) as { errcode: number }).errcode).toBe(0);
      expect((await change(b, { orderid: used.orderId, effectdate: addDays(today, 1) })).body.resultcode).toBe(4902);

      const refunded = await aPaidOrder(b, productId, today, 2);
      const r = (await (await partner(REFUND, { orderid: refunded.orderId, refundid: "R-CD-1", reason: "test", ticketcodes: [refunded.tickets[0]] }, { token: b.s.token })).json()) as { errcode: number };
      expect(r.errcode).toBe(0);
      expect((await change(b, { orderid: refunded.orderId, effectdate: addDays(today, 1) })).body.resultcode).toBe(4902);

      const late = await aPaidOrder(b, productId, today, 1);
      testClock.advance(24 * 3600_000);
      const next = { c: b.c, s: await loginAs(b.c) };
      expect((await change(next, { orderid: late.orderId, effectdate: addDays(today, 5) })).body.resultcode).toBe(4903);
    });
  });

  describe("under concurrency", () => {
    it("ten concurrent changes of one order to one day: all answered 0, one change, the units taken once", async () => {
      const b = await aBuyer();
      const [d1, d2] = [LATER(), addDays(LATER(), 4)];
      const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
      const order = await aPaidOrder(b, productId, d1, 2);
      const answers = await Promise.all(Array.from({ length: 10 }, () => change(b, { orderid: order.orderId, effectdate: d2 })));
      expect(answers.map((a) => a.body.resultcode)).toEqual(Array(10).fill(0));
      expect(await d1Rows("SELECT count(*) AS n FROM order_date_changes WHERE order_id = ? AND outcome = 'commit'", order.orderId)).toEqual([{ n: 1 }]);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, 2]);
    });

    it("concurrent changes to different days: exactly one wins, the others refused 4906, only the winner's day holds the units", async () => {
      const b = await aBuyer();
      const days = [LATER(), addDays(LATER(), 1), addDays(LATER(), 2), addDays(LATER(), 3)];
      const productId = await aProductOn(days.map((date) => ({ date })));
      const order = await aPaidOrder(b, productId, days[0]!, 2);
      const answers = await Promise.all(days.slice(1).flatMap((d) => [change(b, { orderid: order.orderId, effectdate: d }), change(b, { orderid: order.orderId, effectdate: d })]));
      const row = await orderRow(order.orderId);
      for (const [i, a] of answers.entries()) {
        const asked = days[1 + Math.floor(i / 2)]!;
        expect(a.body.resultcode, `change to ${asked}`).toBe(asked === row.effect_date ? 0 : 4906);
      }
      for (const d of days) expect(await sold(productId, d), d).toBe(d === row.effect_date ? 2 : 0);
    });

    it("two orders moving into the last units of a day: one moves, the other is refused 4301; never oversold", async () => {
      const [b1, b2] = [await aBuyer(), await aBuyer()];
      const [d1, d2] = [LATER(), addDays(LATER(), 1)];
      const productId = await aProductOn([{ date: d1 }, { date: d2, stock: 3 }]);
      const [o1, o2] = [await aPaidOrder(b1, productId, d1, 2), await aPaidOrder(b2, productId, d1, 2)];
      const answers = await Promise.all([change(b1, { orderid: o1.orderId, effectdate: d2 }), change(b2, { orderid: o2.orderId, effectdate: d2 })]);
      expect(answers.map((a) => a.body.resultcode).sort()).toEqual([0, 4301]);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([2, 2]);
      await expectNoOversell(productId, d1);
      await expectNoOversell(productId, d2);
    });

    it("a change racing a refund of the same order: exactly one wins; a later refund gives the units back to the new day", async () => {
      for (let round = 0; round < 4; round++) {
        const b = await aBuyer();
        const [d1, d2] = [LATER(), addDays(LATER(), 1)];
        const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
        const order = await aPaidOrder(b, productId, d1, 2);
        const [moved, refund] = await Promise.all([
          change(b, { orderid: order.orderId, effectdate: d2 }),
          partner(REFUND, { orderid: order.orderId, refundid: `R-${round}`, reason: "race", ticketcodes: [order.tickets[0]] }, { token: b.s.token }).then((r) => r.json() as Promise<{ errcode: number }>),
        ]);
        const row = await orderRow(order.orderId);
        if (moved.body.resultcode === 0) {
          expect(row.effect_date).toBe(d2);
          // The refund either lost (refused) or came after the change and returned its unit to the new day.
          expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, refund.errcode === 0 ? 1 : 2]);
        } else {
          expect(moved.body.resultcode).toBe(4902);
          expect(refund.errcode).toBe(0);
          expect(row.effect_date).toBe(d1);
          expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([1, 0]);
        }
      }
      const b = await aBuyer();
      const [d1, d2] = [LATER(), addDays(LATER(), 1)];
      const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
      const order = await aPaidOrder(b, productId, d1, 3);
      expect((await change(b, { orderid: order.orderId, effectdate: d2 })).body.resultcode).toBe(0);
      const refund = (await (await partner(REFUND, { orderid: order.orderId, refundid: "R-after", reason: "after", ticketcodes: [order.tickets[1]] }, { token: b.s.token })).json()) as { errcode: number };
      expect(refund.errcode).toBe(0);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, 2]);
    });

    it("a change racing gate scans of today's order: admitted XOR moved", async () => {
      for (let round = 0; round < 4; round++) {
        const b = await aBuyer();
        const today = TODAY();
        const productId = await aProductOn([{ date: today }, { date: addDays(today, 1) }]);
        const gate = await aGate();
        const order = await aPaidOrder(b, productId, today, 1);
        const [moved, scan] = await Promise.all([
          change(b, { orderid: order.orderId, effectdate: addDays(today, 1) }),
          partner(CHECK, { ticketcode: order.tickets[0] }, { token: gate.token }).then((r) => r.json() as Promise<{ errcode: number }>),
        ]);
        const [ticket] = await d1Rows("SELECT status FROM tickets WHERE ticket_code = ?", order.tickets[0]);
        if (scan.errcode === 0) {
          expect(moved.body.resultcode).toBe(4902);
          expect(ticket.status).toBe("used");
          expect((await orderRow(order.orderId)).effect_date).toBe(today);
        } else {
          expect(scan.errcode).toBe(4805);
          expect(moved.body.resultcode).toBe(0);
          expect(ticket.status).toBe("valid");
        }
      }
    });
  });

  describe("faults", () => {
    async function setUp() {
      const b = await aBuyer();
      const [d1, d2] = [LATER(), addDays(LATER(), 6)];
      const productId = await aProductOn([{ date: d1 }, { date: d2 }]);
      const order = await aPaidOrder(b, productId, d1, 2);
      return { b, d1, d2, productId, order };
    }

    it("the batch refused before D1: 9002, the order where it was, the new day's units back", async () => {
      const { b, d1, d2, productId, order } = await setUp();
      workerFaults.armIn(env, "date-change-reject");
      expect((await change(b, { orderid: order.orderId, effectdate: d2 })).body.resultcode).toBe(9002);
      expect(await orderRow(order.orderId)).toMatchObject({ effect_date: d1, hold_key: order.orderId });
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([2, 0]);
      // Fenced: that change can never commit.
      expect(await d1Rows("SELECT count(*) AS n FROM order_date_changes WHERE order_id = ?", order.orderId)).toEqual([{ n: 0 }]);
    });

    it("the batch committed and its reply lost: D1 is asked, and the answer is 0", async () => {
      const { b, d1, d2, productId, order } = await setUp();
      workerFaults.armIn(env, "date-change-reply-lost");
      expect((await change(b, { orderid: order.orderId, effectdate: d2 })).body.resultcode).toBe(0);
      expect((await orderRow(order.orderId)).effect_date).toBe(d2);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, 2]);
    });

    it("committed, reply lost, D1 gone: 503 not yet known; the new day's alarm settles it — sold there, released on the old day", async () => {
      const { b, d1, d2, productId, order } = await setUp();
      workerFaults.armIn(env, "date-change-reply-lost-then-outage");
      const unknown = await change(b, { orderid: order.orderId, effectdate: d2 });
      expect(unknown).toMatchObject({ status: 503, body: { resultcode: 9003 } });
      workerFaults.disarm();
      // Until then both days count the units: never both free.
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([2, 2]);
      testClock.advance(DATE_CHANGE_HOLD_MS + 1);
      expect(await runDurableObjectAlarm(inventoryStub(productId, d2))).toBe(true);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, 2]);
      expect((await liveStock(productId, d2)).sold).toBe(2);
      const retry = await change(b, { orderid: order.orderId, effectdate: d2 });
      expect(retry.body.resultcode).toBe(0);
      await expectNoOversell(productId, d2);
    });

    it("the old day refuses its release: the change stands (0), the new day's alarm releases the old units later", async () => {
      const { b, d1, d2, productId, order } = await setUp();
      await inventoryStub(productId, d1).armFault("move-out-reject");
      expect((await change(b, { orderid: order.orderId, effectdate: d2 })).body.resultcode).toBe(0);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([2, 2]);
      testClock.advance(31_000);
      expect(await runDurableObjectAlarm(inventoryStub(productId, d2))).toBe(true);
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([0, 2]);
    });

    it("the new day's units cannot be held (the object unreachable mid-hold): 9002, nothing moved", async () => {
      const { b, d1, d2, productId, order } = await setUp();
      await inventoryStub(productId, d2).armFault("abort-mid-hold");
      const answer = await change(b, { orderid: order.orderId, effectdate: d2 });
      expect(answer.body.resultcode).toBe(9002);
      expect(await orderRow(order.orderId)).toMatchObject({ effect_date: d1, hold_key: order.orderId });
      // The orphan hold (written before the crash) ends at its alarm: D1 has no such change, and fences it.
      testClock.advance(DATE_CHANGE_HOLD_MS + 1);
      await runDurableObjectAlarm(inventoryStub(productId, d2));
      expect([await sold(productId, d1), await sold(productId, d2)]).toEqual([2, 0]);
    });
  });
});
