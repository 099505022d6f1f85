/**
 * POST api/WebInterface/Order/ChangeDate (SPEC §10): one of the caller's own
 * paid orders, every ticket still valid, moves to another day (and slot)
 * that sells its tickets at the price paid. Never oversold, never lost:
 *
 *   1. the new day's InventoryDOs hold the units under a fresh change id
 *      (`${orderId}.${hex}`), remembering the day and hold the order leaves;
 *   2. one D1 batch decides (db/date-changes.ts): 'commit' only while the
 *      order is paid, where and under the hold key it was read, every
 *      ticket valid, the change id not fenced — and moves the order;
 *   3. committed: each new hold is sold, and its object has the old day's
 *      object release the old hold (retried by its alarm until done);
 *      void: the new holds are released and the order, as it now stands,
 *      says why.
 *
 * New stock is taken before the order moves and the old given back only
 * after: at no instant are both days' units free. A crash anywhere leaves a
 * held hold on the new day that its alarm settles by asking D1, fencing the
 * change id first (a batch still on its way then can never commit). A batch
 * whose reply is lost is settled the same way before answering; when D1
 * cannot be asked, the answer is "outcome unknown" (9003, HTTP 503), and a
 * retry answers the order where it then is.
 */
import { configOf } from "../../config";
import { readCatalogue } from "../../db/catalogue-cache";
import { changeOrderDate, type DateChange } from "../../db/date-changes";
import { expireAndReadFates, getOwnOrderDetail, type Order, type OrderItem, type Ticket } from "../../db/orders";
import { ResultCodes } from "../../domain/codes";
import { shanghaiDate } from "../../domain/dates";
import { CHANGE_ID_RANDOM_BYTES, DATE_CHANGE_HOLD_MS, makeChangeId, moveVerdict, priceDiffers, slotToAsk } from "../../domain/date-change";
import { blankToNull, checkSellable, type PlannedLine } from "../../domain/order-plan";
import { visibleStatus } from "../../domain/orders";
import { workerFaults } from "../../durable/faults";
import { confirmMove, dayConfigOf, holdStock, releaseStock, type ProductAsk } from "../../durable/inventory-client";
import type { OrderChangeDateParm } from "../../schemas/order-change-date";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { isStoreUnavailable } from "../store-errors";
import { buyerAsk, closedBeforeMinute, stockRefusal } from "./order-checks";
import { orderResult } from "../../wire/envelope";

type OrderDetail = { order: Order; items: readonly (OrderItem & { timespanIndex?: number | null; seatIds?: string[] })[]; tickets: readonly Ticket[] };

export async function changeOwnOrderDate(input: OrderChangeDateParm, ctx: PartnerContext): Promise<Outcome> {
  const orderId = blankToNull(input.orderid);
  const senderId = blankToNull(input.senderid);
  if (orderId === null && senderId === null) return refuse("fieldRequired", "orderid 与 senderid 至少提供一个");
  const toDate = input.effectdate;
  const toTimespan = input.timespanindex ?? null;
  let found: OrderDetail | null;
  try {
    found = await workerFaults.d1("read", () => getOwnOrderDetail(ctx.env.DB, ctx.session!.dwid, { orderId, senderId }));
  } catch (error) {
    return notChanged(error);
  }
  if (!found) return refuse("orderNotFound");

  const verdict = moveVerdict({ ...found.order, tickets: found.tickets }, { toDate, toTimespan, today: shanghaiDate(ctx.nowMs) });
  if (verdict === "already") return moved(found.order, ctx.nowMs, "订单已在该日期,返回订单当前状态");
  if (verdict !== "move") return refuse(verdict, undefined, echoOf(found.order, ctx.nowMs));

  let asks: ProductAsk[] | Outcome;
  try {
    asks = await asksOnNewDay(ctx, found, toDate, toTimespan);
  } catch (error) {
    return notChanged(error);
  }
  if (!Array.isArray(asks)) return asks;
  return move(ctx, found.order, asks, toDate);
}

/** What each product asks of the new day, or the refusal of a product it does not sell, or sells at another price. */
async function asksOnNewDay(ctx: PartnerContext, found: OrderDetail, toDate: string, toTimespan: number | null): Promise<ProductAsk[] | Outcome> {
  const { order } = found;
  const lines = found.items.filter((i) => (i.itemKind ?? "ticket") === "ticket").map((i) => lineOf(order, i));
  const productIds = [...new Set(lines.map((l) => l.productId))];
  const { products, days } = await readCatalogue(ctx.env.DB, productIds, toDate, configOf(ctx.env).catalogueCacheMs, ctx.nowMs);
  const echo = echoOf(order, ctx.nowMs);
  for (const productId of productIds) {
    const unsellable = checkSellable(products.get(productId), days.get(productId), "ticket");
    if (unsellable) return refuse(unsellable, `${ResultCodes[unsellable].message}（${productId}）`, echo);
  }
  const priceOnDay = new Map(productIds.map((p) => [p, days.get(p)!.priceFen ?? products.get(p)!.priceFen]));
  const differs = priceDiffers(lines, priceOnDay);
  if (differs) {
    const yuan = (fen: number) => (fen / 100).toFixed(2);
    return refuse("dateChangePriceDiffers", `${ResultCodes.dateChangePriceDiffers.message}（${differs.productId}:已付${yuan(differs.paidFen)}元,新日期${yuan(differs.newFen)}元）`, echo);
  }
  return productIds.map((productId) => {
    const own = lines.filter((l) => l.productId === productId);
    return {
      productId,
      quantity: own.reduce((n, l) => n + l.quantity, 0),
      seatIds: own.flatMap((l) => l.seatIds),
      timespanIndex: slotToAsk(order, toTimespan),
      closedBeforeMinute: closedBeforeMinute(toDate, ctx.nowMs),
      config: dayConfigOf(days.get(productId)!),
      buyers: buyerAsk(products.get(productId)!, lines),
      movedFrom: { day: order.effectDate, holdKey: order.holdKey },
    };
  });
}

/** An order line as the daily limits count it (the buyer's ID number, else the order's; the line's mobile, else the order's). */
function lineOf(order: Order, item: OrderDetail["items"][number]): PlannedLine {
  return {
    lineNo: item.lineNo,
    productId: item.productId,
    quantity: item.quantity,
    unitPriceFen: item.unitPriceFen,
    amountFen: item.amountFen,
    fullname: item.fullname,
    idType: item.idType as PlannedLine["idType"],
    idNumber: item.idNumber,
    limitId: item.idNumber ?? order.idNumber,
    mobile: item.mobile ?? order.mobile,
    seatIds: item.seatIds ?? [],
  };
}

async function move(ctx: PartnerContext, order: Order, asks: readonly ProductAsk[], toDate: string): Promise<Outcome> {
  const { env, nowMs } = ctx;
  const changeId = makeChangeId(order.orderId, ctx.random.bytes(CHANGE_ID_RANDOM_BYTES));
  const productIds = asks.map((a) => a.productId);
  const echo = echoOf(order, nowMs);
  let held: Awaited<ReturnType<typeof holdStock>>;
  try {
    held = await holdStock(env, changeId, toDate, nowMs + DATE_CHANGE_HOLD_MS, asks);
  } catch (error) {
    return notChanged(error);
  }
  // No room: unless a concurrent repeat of this change took it (the order is there now).
  if (!held.ok) return orAlreadyThere(ctx, order, toDate, stockRefusal(held.reason, held.productId, echo, held.detail));

  const slots = [...held.slotByProduct.values()];
  const change: DateChange = {
    changeId,
    orderId: order.orderId,
    dwid: order.dwid,
    fromHoldKey: order.holdKey,
    fromDate: order.effectDate,
    fromTimespan: order.timespanIndex,
    toDate,
    toTimespan: slots.find((s) => s !== null) ?? null,
    slotByProduct: held.slotByProduct,
    decidedAtMs: nowMs,
  };
  const decided = await decide(ctx, change);
  switch (decided.decision) {
    case "commit":
      await confirmMove(env, changeId, toDate, productIds);
      return moved(decided.order ?? { ...order, effectDate: toDate }, nowMs, `改期成功,新的游玩日期${toDate}`);
    case "unknown":
      // The new holds stay until their alarm asks D1 (fencing the change first): sold, or released.
      return refuse("outcomeUnknown", undefined, echo);
    case "fenced":
      await releaseStock(env, changeId, toDate, productIds);
      return refuse("storeUnavailable", undefined, echo);
    case "void":
      await releaseStock(env, changeId, toDate, productIds);
      return afterVoid(ctx, order, toDate);
  }
}

type Decided = { decision: "commit" | "void"; order: Order | null } | { decision: "fenced" | "unknown" };

/**
 * The batch's decision; when its reply is lost, D1 is asked what it
 * recorded under the change id, fencing it first (absent then: it never
 * will be). "unknown" when D1 cannot be asked.
 */
async function decide(ctx: PartnerContext, change: DateChange): Promise<Decided> {
  try {
    return await workerFaults.write("date-change", ctx.env.DB, (db) => changeOrderDate(db, change));
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    try {
      const fate = (await workerFaults.d1("fence", () => expireAndReadFates(ctx.env.DB, [change.changeId], ctx.nowMs))).get(change.changeId);
      if (!fate) return { decision: "fenced" };
      return { decision: fate.status === "paid" ? "commit" : "void", order: null };
    } catch (fenceError) {
      if (!isStoreUnavailable(fenceError)) throw fenceError;
      console.error(JSON.stringify({ event: "date_change_unknown", changeId: change.changeId, error: String(error), fenceError: String(fenceError) }));
      return { decision: "unknown" };
    }
  }
}

/**
 * D1 voided the change: something moved the order first (a refund, a gate
 * check, another change). The order as it now stands says what: already
 * where it was asked to be, or the refusal it now deserves.
 */
async function afterVoid(ctx: PartnerContext, order: Order, toDate: string): Promise<Outcome> {
  const now = await reread(ctx, order);
  if (now && movedThere(order, now.order, toDate)) return moved(now.order, ctx.nowMs, "订单已在该日期,返回订单当前状态");
  const verdict = now ? moveVerdict({ ...now.order, tickets: now.tickets }, { toDate, toTimespan: null, today: shanghaiDate(ctx.nowMs) }) : null;
  const key = verdict && verdict !== "move" && verdict !== "already" ? verdict : "dateChangeConflict";
  return refuse(key, undefined, echoOf(now?.order ?? order, ctx.nowMs));
}

/** `refusal`, unless the order moved to `toDate` since it was read (a concurrent repeat of this change). */
async function orAlreadyThere(ctx: PartnerContext, order: Order, toDate: string, refusal: Outcome): Promise<Outcome> {
  const now = await reread(ctx, order);
  return now && movedThere(order, now.order, toDate) ? moved(now.order, ctx.nowMs, "订单已在该日期,返回订单当前状态") : refusal;
}

const movedThere = (before: Order, now: Order, toDate: string) => now.effectDate === toDate && now.holdKey !== before.holdKey;

/** The order again; null when D1 cannot be read (the refusal stands: this request changed nothing). */
async function reread(ctx: PartnerContext, order: Order): Promise<OrderDetail | null> {
  try {
    return await getOwnOrderDetail(ctx.env.DB, order.dwid, { orderId: order.orderId, senderId: null });
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    return null;
  }
}

/** A store error before the batch was sent: nothing changed, and nothing will (a hold placed is released by its object). */
function notChanged(error: unknown): Outcome {
  if (!isStoreUnavailable(error)) throw error;
  console.error(JSON.stringify({ event: "date_change_not_done", error: String(error) }));
  return refuse("storeUnavailable");
}

function echoOf(order: Order, nowMs: number) {
  return { orderid: order.orderId, sendid: order.senderId, orderstatus: visibleStatus(order.status, order.expiresAtMs, nowMs) };
}

function moved(order: Order, nowMs: number, message: string): Outcome {
  return answer(orderResult(echoOf(order, nowMs), message));
}
