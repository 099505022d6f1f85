/**
 * Placing an unpaid order once its checks passed (SPEC §5.3, §7): stock
 * first, then the D1 rows, idempotent on (customer, senderid).
 *
 *   1. hold every product's share in its InventoryDO under a fresh order id,
 *      until the order's own expiry;
 *   2. insert orders + order_items in one batch, unless the order id is
 *      fenced (migration 0004);
 *   3. when (dwid, sender_id) is already taken — a concurrent repeat won —
 *      release this attempt's holds and answer the winner's current state.
 *
 * A session from the isolate's cache (Order/Add, session-cache.ts) guards
 * the insert with its credentials version: refused there, the object is
 * asked, and an ended session gives the holds back and answers 401; a live
 * one inserts again under the same holds, unguarded.
 *
 * A crash between 1 and 2 leaves holds whose order D1 never got: the
 * InventoryDO alarm releases them at expiry (D1 is asked, and the id fenced,
 * first). Two concurrent repeats both hold only until the loser's insert
 * fails. An insert that fails is settled by the fence (SPEC §6: a client
 * told "not placed" finds no order, now or later; no stock sold twice).
 */
import { configOf } from "../../config";
import { expireAndReadFates, findOrderBySender, insertOrder, type InsertOutcome, type NewOrder, type NewOrderItem, type Order } from "../../db/orders";
import type { PlannedLine } from "../../domain/order-plan";
import { makeOrderId, ORDER_ID_RANDOM_BYTES, visibleStatus } from "../../domain/orders";
import { workerFaults } from "../../durable/faults";
import { holdStock, releaseStock, type ProductAsk, type StockOutcome } from "../../durable/inventory-client";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { isStoreUnavailable } from "../store-errors";
import { stockRefusal } from "./order-checks";
import { orderResult } from "../../wire/envelope";

/** A random id colliding with an existing one is retried this often (10^12 ids a day). */
const ORDER_ID_ATTEMPTS = 3;

export interface OrderToPlace {
  kind: "ticket" | "yearcard";
  dwid: string;
  senderId: string | null;
  effectDate: string;
  mobile: string;
  idNumber: string | null;
  amountFen: number;
  lines: readonly (PlannedLine & { kind?: "ticket" | "insurance" })[];
  /** Empty when nothing is stock-limited (an annual card without a calendar day). */
  asks: readonly ProductAsk[];
  requestJson: string;
}

export async function placeOrder(ctx: PartnerContext, o: OrderToPlace): Promise<Outcome> {
  const { env, nowMs } = ctx;
  const holdMs = configOf(env).orderHoldMs;
  const echo = { sendid: o.senderId };
  for (let attempt = 1; attempt <= ORDER_ID_ATTEMPTS; attempt++) {
    const orderId = makeOrderId(nowMs, ctx.random.bytes(ORDER_ID_RANDOM_BYTES));
    const expiresAtMs = nowMs + holdMs;
    let held: StockOutcome;
    try {
      held = o.asks.length === 0 ? { ok: true, slotByProduct: new Map() } : await holdStock(env, orderId, o.effectDate, expiresAtMs, o.asks);
      if (!held.ok) return await orExisting(ctx, o.dwid, o.senderId, stockRefusal(held.reason, held.productId, echo, held.detail));
    } catch (error) {
      // An InventoryDO crashed or was unreachable: this order's insert was never sent.
      return notPlaced(error, o.senderId);
    }

    const order = newOrder(o, orderId, nowMs, expiresAtMs, held.slotByProduct, ctx.sessionCached ? ctx.session!.credentialsVersion : null);
    let outcome = await insertOrSettle(ctx, order, o.asks);
    if (outcome === "unconfirmed") {
      // D1 does not hold the cached session's version (changed, or not known): the object decides.
      const refused = await ctx.confirmSession();
      if (refused) {
        await releaseHolds(ctx, order, o.asks);
        return refused;
      }
      outcome = await insertOrSettle(ctx, { ...order, sessionVersion: null }, o.asks);
    }
    switch (outcome) {
      case "inserted":
        // Under the guard, the insert itself proved the session live when it landed.
        return { ...placedAnswer(orderId, o.senderId, holdMs), sessionConfirmed: true };
      case "fenced":
        // The fence proved D1 has no such order and never will: nothing was placed.
        return refuse("storeUnavailable", undefined, echo);
      case "unknown":
        return refuse("outcomeUnknown", undefined, echo);
      case "senderTaken": {
        const winner = await findOrderBySender(env.DB, o.dwid, o.senderId!);
        if (!winner) throw new Error(`senderid ${o.senderId} taken but not found`);
        return existingAnswer(winner, nowMs);
      }
      case "orderIdTaken":
        continue;
      case "unconfirmed":
        throw new Error(`order ${orderId}: an insert without a session guard answered unconfirmed`);
    }
  }
  throw new Error(`no free order id after ${ORDER_ID_ATTEMPTS} attempts`);
}

/**
 * Inserts the order. An insert that failed may still have landed (its reply
 * lost) or still be on its way: the fence decides (db/orders.ts
 * `expireAndReadFates`) — either D1 has the order ("inserted": its holds
 * stay) or it can never have it ("fenced"); "unknown" when D1 cannot be
 * asked. Every outcome but "inserted" gives the holds back, each
 * InventoryDO asking D1 first (a lost release ends at the hold's expiry).
 */
async function insertOrSettle(ctx: PartnerContext, order: NewOrder, asks: readonly ProductAsk[]): Promise<InsertOutcome | "unknown"> {
  let outcome: InsertOutcome | "unknown";
  try {
    outcome = await workerFaults.write("order-insert", ctx.env.DB, (db) => insertOrder(db, order));
  } catch (error) {
    if (!isStoreUnavailable(error)) {
      await releaseHolds(ctx, order, asks);
      throw error;
    }
    outcome = await fenceFailedInsert(ctx, order.orderId, error);
  }
  // Unconfirmed: nothing landed, and the caller decides whether to insert again under the same holds.
  if (outcome !== "inserted" && outcome !== "unconfirmed") await releaseHolds(ctx, order, asks);
  return outcome;
}

function releaseHolds(ctx: PartnerContext, order: NewOrder, asks: readonly ProductAsk[]): Promise<void> {
  return releaseStock(ctx.env, order.orderId, order.effectDate, asks.map((a) => a.productId));
}

/** After a failed insert: fence the order id and read whether the order landed (SPEC §6: no oversell). */
async function fenceFailedInsert(ctx: PartnerContext, orderId: string, insertError: unknown): Promise<"inserted" | "fenced" | "unknown"> {
  try {
    const fates = await workerFaults.d1("fence", () => expireAndReadFates(ctx.env.DB, [orderId], ctx.nowMs));
    await workerFaults.landLateInserts(ctx.env.DB);
    return fates.has(orderId) ? "inserted" : "fenced";
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    console.error(JSON.stringify({ event: "order_insert_unknown", orderId, insertError: String(insertError), fenceError: String(error) }));
    return "unknown";
  }
}

function newOrder(
  o: OrderToPlace,
  orderId: string,
  nowMs: number,
  expiresAtMs: number,
  slotByProduct: ReadonlyMap<string, number | null>,
  sessionVersion: number | null,
): NewOrder {
  const items = o.lines.map((line) => itemOf(line, slotByProduct.get(line.productId) ?? null));
  return {
    orderId,
    dwid: o.dwid,
    senderId: o.senderId,
    kind: o.kind,
    effectDate: o.effectDate,
    timespanIndex: items.find((i) => i.timespanIndex !== null)?.timespanIndex ?? null,
    amountFen: o.amountFen,
    mobile: o.mobile,
    idNumber: o.idNumber,
    requestJson: o.requestJson,
    createdAtMs: nowMs,
    expiresAtMs,
    items,
    sessionVersion,
  };
}

function itemOf(line: OrderToPlace["lines"][number], timespanIndex: number | null): NewOrderItem {
  return {
    lineNo: line.lineNo,
    itemKind: line.kind ?? "ticket",
    productId: line.productId,
    quantity: line.quantity,
    unitPriceFen: line.unitPriceFen,
    fullname: line.fullname,
    idType: line.idType,
    idNumber: line.idNumber,
    mobile: line.mobile,
    timespanIndex,
    seatIds: line.seatIds,
  };
}

function placedAnswer(orderId: string, senderId: string | null, holdMs: number): Extract<Outcome, { ok: true }> {
  return answer(orderResult({ orderid: orderId, sendid: senderId, orderstatus: "unpaid" }, `下单成功，请在${Math.round(holdMs / 60_000)}分钟内完成支付`));
}

/**
 * The answer to a store error thrown before the order's insert was sent
 * (the catalogue and limit reads, the holds): nothing was placed and
 * nothing will be, so the client is told so and may retry (SPEC §6:
 * storeUnavailable, 9002). Any other error is rethrown. Errors after the
 * insert was sent are never answered this way (see `insertOrSettle`).
 */
export function notPlaced(error: unknown, senderId: string | null): Outcome {
  if (!isStoreUnavailable(error)) throw error;
  console.error(JSON.stringify({ event: "order_not_placed", error: String(error) }));
  return refuse("storeUnavailable", undefined, { sendid: senderId });
}

/**
 * A refusal, unless this customer's senderid names an order already: then
 * that order's current state (seed yearcard-add-order.txt: the repeat is
 * answered whatever else it carries, even when it would now be refused).
 */
export async function orExisting(ctx: PartnerContext, dwid: string, senderId: string | null, refusal: Outcome): Promise<Outcome> {
  if (senderId === null) return refusal;
  const existing = await findOrderBySender(ctx.env.DB, dwid, senderId);
  return existing ? existingAnswer(existing, ctx.nowMs) : refusal;
}

/** Seed yearcard-add-order.txt: a senderid submitted before answers the order's latest state. */
export function existingAnswer(order: Order, nowMs: number): Outcome {
  const echo = { orderid: order.orderId, sendid: order.senderId, orderstatus: visibleStatus(order.status, order.expiresAtMs, nowMs) };
  return answer(orderResult(echo, "该senderid的订单已存在，返回订单当前状态"));
}
