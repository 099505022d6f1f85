/**
 * State kept no longer than it serves (issue 19, src/domain/retention.ts),
 * time moved with the test clock: released holds go some days after their
 * release, a day gone by keeps only its totals, settled payment intents go
 * after their window — and every answer that used them stays the same —
 * idle sessions go, delivered notifications go. Each purge is bounded per
 * pass and finishes a backlog by coming back.
 */
import { createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testClock } from "../../src/clock";
import { addDays, shanghaiDate } from "../../src/domain/dates";
import { PAST_DAY_RETENTION_MS, PURGE_BATCH_ROWS, RELEASED_HOLD_RETENTION_MS, SENT_NOTIFICATION_RETENTION_MS, SETTLED_INTENT_RETENTION_MS } from "../../src/domain/retention";
import type { DayConfig, InventoryAsk } from "../../src/durable/inventory";
import worker from "../../src/index";
import { admin, aCustomer, loginAs, uniqueId } from "../helpers/api";
import { inventoryStub } from "../helpers/catalogue";
import { anUnpaidOrder } from "../helpers/orders";
import { paid, payOrder } from "../helpers/payments";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function anInventory(day = "20991231") {
  const productId = uniqueId("ret");
  const stub = inventoryStub(productId, day);
  const config: DayConfig = { productId, day, stock: 10_000, timeslots: null, version: 1 };
  const ask: InventoryAsk = { quantity: 1, timespanIndex: null, seatIds: [], closedBeforeMinute: null, config };
  return { productId, day, stub, config, ask };
}

const anOrderId = () => uniqueId("R").slice(0, 20);

const holdsOf = (stub: ReturnType<typeof anInventory>["stub"]) =>
  runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ order_id: string; state: string }>("SELECT order_id, state FROM holds ORDER BY order_id").toArray());

describe("an InventoryDO", () => {
  it("purges holds released more than the window ago when its alarm rings; younger ones stay", async () => {
    const { stub, ask } = anInventory();
    const old = anOrderId();
    await stub.hold(old, testClock.nowMs() + HOUR_MS, ask);
    // D1 has no such order: the release fences it and gives the unit back.
    expect(await stub.release(old)).toEqual({ state: "released" });
    testClock.advance(RELEASED_HOLD_RETENTION_MS - HOUR_MS);
    const young = anOrderId();
    await stub.hold(young, testClock.nowMs() + HOUR_MS, ask);
    await stub.release(young);
    // A hold whose expiry rings the alarm later on.
    const ringer = anOrderId();
    await stub.hold(ringer, testClock.nowMs() + HOUR_MS, ask);
    testClock.advance(2 * HOUR_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await holdsOf(stub);
    expect(left.map((h) => h.order_id).sort()).toEqual([ringer, young].sort());
    expect(left.every((h) => h.state === "released")).toBe(true);
    expect(await stub.snapshot()).toMatchObject({ held: 0, sold: 0, available: 10_000 });
  });

  it("finishes a backlog larger than one pass, a pass per ring, the alarm coming back while any is left", async () => {
    const { stub, ask } = anInventory();
    const ringer = anOrderId();
    await stub.hold(ringer, testClock.nowMs() + HOUR_MS, ask);
    // Released holds written as the object writes them, a long time ago.
    const backlog = PURGE_BATCH_ROWS + 20;
    await runInDurableObject(stub, (_i, state) => {
      for (let i = 0; i < backlog; i++) {
        state.storage.sql.exec(
          "INSERT INTO holds (order_id, quantity, slot_index, state, expires_at_ms, created_at_ms, decided_at_ms) VALUES (?, 1, NULL, 'released', 0, 0, ?)",
          `OLD${String(i).padStart(6, "0")}`, testClock.nowMs() - RELEASED_HOLD_RETENTION_MS - HOUR_MS,
        );
      }
    });
    testClock.advance(2 * HOUR_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await holdsOf(stub)).length).toBe(backlog - PURGE_BATCH_ROWS + 1);
    // More was left: the alarm comes back soon, and the next ring finishes.
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await holdsOf(stub)).map((h) => h.order_id)).toEqual([ringer]);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });

  it("of a day gone by past its window keeps only its configuration and totals, and is asked by the daily cron", async () => {
    const day = shanghaiDate(testClock.nowMs() + 2 * 86_400_000);
    const productId = uniqueId("P");
    expect((await admin("PUT", `/admin/products/${productId}`, { name: "过期日", kind: "ticket", price: 1 })).status).toBe(201);
    expect((await admin("PUT", `/admin/products/${productId}/calendar/${day}`, { stock: 50 })).status).toBe(200);
    const stub = inventoryStub(productId, day);
    const config = (await stub.snapshot()).version!;
    const ask: InventoryAsk = { quantity: 2, timespanIndex: null, seatIds: [], closedBeforeMinute: null, config: { productId, day, stock: 50, timeslots: null, version: config } };
    const sold = anOrderId();
    await stub.hold(sold, testClock.nowMs() + HOUR_MS, ask);
    await stub.confirm(sold);
    const before = await stub.snapshot();
    expect(before).toMatchObject({ sold: 2, available: 48 });

    // Within the window: asking changes nothing.
    expect(await stub.compact()).toEqual({ backlog: false });
    expect(await holdsOf(stub)).toHaveLength(1);

    // The day ends, its window passes; the cron run of 03:00 (Asia/Shanghai) asks the day's object.
    testClock.advance(3 * 86_400_000 + PAST_DAY_RETENTION_MS);
    const today = shanghaiDate(testClock.nowMs());
    const threeAm = Date.parse(`${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}T03:00:00+08:00`);
    expect(day < shanghaiDate(threeAm - PAST_DAY_RETENTION_MS) && day >= addDays(shanghaiDate(threeAm - PAST_DAY_RETENTION_MS), -7)).toBe(true);
    await worker.scheduled(createScheduledController({ scheduledTime: threeAm, cron: "* * * * *" }), env);
    expect(await holdsOf(stub)).toEqual([]);
    expect(await stub.snapshot()).toEqual(before);
  });
});

describe("an AccountDO", () => {
  it("purges payment intents settled more than the window ago; a later pay of the order is still 'paid earlier', never unknown", async () => {
    const c = await aCustomer({ depositYuan: 100 });
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
    let s = await loginAs(c);
    const order = await anUnpaidOrder(c.dwid, { expiresInMs: SETTLED_INTENT_RETENTION_MS + 86_400_000 });
    await paid(c, s, order.orderId);
    const intentsOf = () => runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ target_id: string; state: string }>("SELECT target_id, state FROM intents").toArray());
    expect(await intentsOf()).toEqual([{ target_id: order.orderId, state: "posted" }]);

    testClock.advance(SETTLED_INTENT_RETENTION_MS + MINUTE_MS);
    // The next payment's alarm finds the old intent due.
    s = await loginAs(c);
    const next = await anUnpaidOrder(c.dwid);
    await paid(c, s, next.orderId);
    while (await runDurableObjectAlarm(stub));
    expect(await intentsOf()).toEqual([{ target_id: next.orderId, state: "posted" }]);

    // The ledger keeps the debit, and answers for the intent that is gone.
    const again = await payOrder(c, s, order.orderId);
    expect(again).toMatchObject({ status: 200, resultcode: 0, orderstatus: "paid" });
    expect(again.returnmessgage).toContain("已支付");
    const settled = await runInDurableObject(stub, async (instance) => {
      const desk = (instance as unknown as { desk: { settledState(id: string): Promise<string | null> } }).desk;
      const paymentId = (await env.DB.prepare("SELECT payment_id FROM orders WHERE order_id = ?").bind(order.orderId).first<{ payment_id: string }>())!.payment_id;
      return [await desk.settledState(paymentId), await desk.settledState("never-an-intent")];
    });
    expect(settled).toEqual(["posted", null]);
    expect((await stub.account()).balanceFen).toBe(100 * 100 - order.amountFen - next.amountFen);
  });

  it("purges sessions idle past their expiry when its alarm rings, without waiting for the next login", async () => {
    const c = await aCustomer({ depositYuan: 10 });
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
    await loginAs(c);
    await loginAs(c);
    const sessions = () => runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sessions").one().n);
    expect(await sessions()).toBe(2);
    testClock.advance(3 * HOUR_MS);
    // An operator's deposit: the ledger copy's alarm rings.
    await stub.deposit({ amountFen: 100, reference: uniqueId("dep") });
    while (await runDurableObjectAlarm(stub));
    expect(await sessions()).toBe(0);
  });
});

describe("the cron", () => {
  it("purges notifications delivered more than the window ago, with their channels; failed ones and younger ones stay", async () => {
    const nowMs = testClock.nowMs();
    const old = nowMs - SENT_NOTIFICATION_RETENTION_MS - HOUR_MS;
    const rows = [
      [uniqueId("ret-sent-old-"), "sent", old],
      [uniqueId("ret-failed-old-"), "failed", old],
      [uniqueId("ret-sent-young-"), "sent", nowMs - HOUR_MS],
    ] as const;
    for (const [id, status, at] of rows) {
      await env.DB.batch([
        env.DB.prepare(
          `INSERT INTO outbox (id, kind, dwid, target_id, payload_json, status, attempts, created_at_ms, updated_at_ms) VALUES (?, 'order_paid', 'dw', 'T', '{}', ?, 1, ?, ?)`,
        ).bind(id, status, at, at),
        env.DB.prepare(
          `INSERT INTO outbox_deliveries (outbox_id, channel, status, attempts, target, updated_at_ms, sent_at_ms) VALUES (?, 'sms', 'logged', 1, '138****8000', ?, ?)`,
        ).bind(id, at, at),
      ]);
    }
    await worker.scheduled(createScheduledController({ scheduledTime: nowMs, cron: "* * * * *" }), env);
    const ids = rows.map(([id]) => id);
    const left = await env.DB.prepare("SELECT id FROM outbox WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id").bind(JSON.stringify(ids)).all<{ id: string }>();
    expect(left.results.map((r) => r.id).sort()).toEqual([rows[1][0], rows[2][0]].sort());
    const channels = await env.DB.prepare("SELECT outbox_id FROM outbox_deliveries WHERE outbox_id IN (SELECT value FROM json_each(?))").bind(JSON.stringify(ids)).all<{ outbox_id: string }>();
    expect(channels.results.map((r) => r.outbox_id).sort()).toEqual([rows[1][0], rows[2][0]].sort());
  });
});
