/**
 * POS retail bills: add one (SPEC §7) and pay it from the deposit (§5.4).
 * Seed: pos-sell-paybill-with-prepayment.txt — errcode 0 paid now, 1 paid
 * earlier (nothing charged, current state returned), -1 anything else with
 * the reason in errmsg.
 */
import { findOwnBill, insertBill, type Bill, type NewBill } from "../../db/bills";
import { getProducts, type Product } from "../../db/products";
import { ResultCodes } from "../../domain/codes";
import { fenToYuan } from "../../domain/money";
import { billPaidOutboxId } from "../../domain/notifications";
import { BILL_NUM_RANDOM_BYTES, newBillNum } from "../../domain/pos";
import type { PayBillResult } from "../../durable/account";
import { workerFaults } from "../../durable/faults";
import { PosBillAddParm, PosBillAddResponse, PosPayWithPrepaymentParm, PosPayWithPrepaymentResponse } from "../../schemas/pos";
import { answer, definePartnerEndpoint, refuse } from "../partner-endpoint";
import { isStoreUnavailable } from "../store-errors";
import { withAccount } from "../../durable/stubs";
import { notifyPaid } from "./follow-ups";
import { commonResult } from "../../wire/envelope";

/** Seed: errcode 0 paid now, 1 paid earlier, -1 failed (the message says why). */
export const POS_PAID_NOW = 0;
export const POS_PAID_EARLIER = 1;
export const POS_PAY_FAILED = -1;

export const posBillAdd = definePartnerEndpoint({
  paths: ["api/WebInterface/Pos/Sell/Bill/Add"],
  methods: ["POST"],
  summary: "新建一个自营零售单据,按SenderBillNum幂等。",
  description: "新建一个自营零售单据,单价取自产品目录(零售产品)。同一客户的SenderBillNum重复提交时返回已有单据的当前状态,不再新建。",
  request: PosBillAddParm,
  response: PosBillAddResponse,
  auth: "session",
  async handle(input, { env, session, nowMs, random }) {
    if (input.DWID !== session!.dwid || input.DWSX !== session!.dwlx) return refuse("customerMismatch");
    let products: Map<string, Product>;
    try {
      products = await getProducts(env.DB, input.Items.map((i) => i.ProductId));
    } catch (error) {
      // Nothing was written yet (SPEC §6): the client may retry.
      if (isStoreUnavailable(error)) return refuse("storeUnavailable");
      throw error;
    }
    const items: NewBill["items"] = [];
    for (const item of input.Items) {
      const product = products.get(item.ProductId);
      if (!product || product.kind !== "retail" || !product.onSale) {
        return refuse("retailProductNotFound", `${ResultCodes.retailProductNotFound.message}: ${item.ProductId}`);
      }
      items.push({ productId: product.productId, quantity: item.Amount, unitPriceFen: product.priceFen });
    }
    const placed = await placeBill(env.DB, {
      billNum: newBillNum(nowMs, () => random.bytes(BILL_NUM_RANDOM_BYTES)),
      dwid: session!.dwid,
      senderBillNum: input.SenderBillNum || null,
      amountFen: items.reduce((sum, i) => sum + i.quantity * i.unitPriceFen, 0),
      createdAtMs: nowMs,
      items,
    });
    if (!placed) return refuse("outcomeUnknown");
    const { bill, created } = placed;
    const tag = { BillNum: bill.billNum, BillState: bill.status, Amount: fenToYuan(bill.amountFen) };
    return answer(commonResult(tag, created ? "单据已创建" : "单据已存在(SenderBillNum重复),返回已有单据"));
  },
});

/**
 * Inserts the bill. When the insert fails it may still have landed (a lost
 * reply): D1 is asked for the bill by its number or SenderBillNum; found, it
 * is the answer; not found, the outcome is not known (null: a write may
 * still be on its way, so "not created" would not be true). A bill holds no
 * stock and costs nothing until paid, so it needs no fence.
 */
async function placeBill(db: D1Database, bill: NewBill): Promise<{ bill: Bill; created: boolean } | null> {
  try {
    return await workerFaults.write("bill-insert", db, (d) => insertBill(d, bill));
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    console.error(JSON.stringify({ event: "bill_insert_failed", billNum: bill.billNum, error: String(error) }));
  }
  const found = await findOwnBill(db, bill.dwid, bill.billNum, bill.senderBillNum);
  return found ? { bill: found, created: found.billNum === bill.billNum } : null;
}

export const posPayBill = definePartnerEndpoint({
  paths: ["api/WebInterface/Pos/Sell/PayBill/WithPrepayment"],
  methods: ["POST"],
  summary: "使用预订金支付一个自营零售的单据。",
  description:
    "使用预订金支付一个自营零售的单据。 返回为0表示成功,返回为1表示以前支付过,本次并未支付,返回了单据的当前信息。返回-1表示失败。",
  request: PosPayWithPrepaymentParm,
  response: PosPayWithPrepaymentResponse,
  auth: "in-operation",
  failureCode: () => POS_PAY_FAILED,
  async handle(input, ctx) {
    const requestId = ctx.random.uuid();
    const result = await withAccount(ctx.env, ctx.tokenDwid!, async (account) =>
      (await account.payBill({
        token: ctx.token!,
        requestId,
        claimedDwid: input.DWID,
        claimedDwlx: input.DWSX,
        ciphertext: input.PayPwd ?? null,
        billNum: input.BillNum || null,
        senderBillNum: input.SenderBillNum || null,
      })) as PayBillResult,
    );
    if (!result.ok) return refuse(result.reason, result.message);
    if (!result.alreadyPaid) ctx.waitUntil(notifyPaid(ctx.env, billPaidOutboxId(result.bill.billNum)));
    const tag = { BillNum: result.bill.billNum, BillState: result.bill.state, RndCode: result.bill.rndCode };
    return answer(commonResult(tag, result.alreadyPaid ? "单据以前已支付,本次未扣款" : "支付成功", result.alreadyPaid ? POS_PAID_EARLIER : POS_PAID_NOW));
  },
});
