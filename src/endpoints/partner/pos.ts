/** POS retail bills: add (SPEC §7) and pay from the deposit (§5.4). */
import { PosBillAddParm, PosBillAddResponse, PosPayWithPrepaymentParm, PosPayWithPrepaymentResponse } from "../../schemas/pos";
import { definePartnerEndpoint } from "../partner-endpoint";
import { notYetAvailable } from "./not-yet-available";

/** Seed: errcode 0 paid now, 1 paid earlier, -1 failed (the message says why). */
export const POS_PAY_FAILED = -1;

export const posBillAdd = definePartnerEndpoint({
  paths: ["api/WebInterface/Pos/Sell/Bill/Add"],
  methods: ["POST"],
  summary: "新建一个自营零售单据,按SenderBillNum幂等。",
  description: "新建一个自营零售单据,单价取自产品目录。同一客户的SenderBillNum重复提交时返回已有单据。",
  request: PosBillAddParm,
  response: PosBillAddResponse,
  auth: "session",
  handle: notYetAvailable,
});

export const posPayBill = definePartnerEndpoint({
  paths: ["api/WebInterface/Pos/Sell/PayBill/WithPrepayment"],
  methods: ["POST"],
  summary: "使用预订金支付一个自营零售的单据。",
  description:
    "使用预订金支付一个自营零售的单据。 返回为0表示成功,返回为1表示以前支付过,本次并未支付,返回了单据的当前信息。返回-1表示失败。",
  request: PosPayWithPrepaymentParm,
  response: PosPayWithPrepaymentResponse,
  auth: "session",
  failureCode: () => POS_PAY_FAILED,
  handle: notYetAvailable,
});
