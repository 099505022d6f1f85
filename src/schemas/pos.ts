/**
 * POS retail bills: adding one (SPEC §7) and paying it from the deposit.
 * Seed: pos-sell-paybill-with-prepayment.txt; SPEC §5.4.
 */
import { z } from "zod";
import { commonResultWithTag } from "./envelopes";
import { contract, formats, int, money, text } from "./fields";
import { NS } from "./namespaces";
import { PAY_PASSWORD_DESCRIPTION } from "./order-pay";

const DWSX_DESCRIPTION = "客户类型,1-地接社,2-组团社,3-协议单位,4-地接社部门,5-组团社部门,6-协议单位部门,7-导游员。";

export const PosPayWithPrepaymentParm = contract(
  {
    name: "PosPayWithPrepaymentParm",
    clrNamespace: NS.parm,
    // BillNum, PayPwd and SenderBillNum live on the legacy base class: the
    // seed's XML writes them before DWID and DWSX.
    baseMembers: ["BillNum", "SenderBillNum", "PayPwd"],
  },
  {
    DWID: text({ description: "客户ID。", required: true, max: 36 }),
    DWSX: text({ description: DWSX_DESCRIPTION, required: true, max: 1, min: 1, format: formats.dwlx }),
    BillNum: text({ description: "我方系统订单单据号。不能与SenderBillNum同时为空。", max: 20 }),
    SenderBillNum: text({ description: "第三方系统订单单据号,不能与BillNum同时为空。", max: 32 }),
    PayPwd: text({ description: `支付密码的密文。 ${PAY_PASSWORD_DESCRIPTION.replace(/^支付密码,非明文。 /, "")}` }),
  },
);
export type PosPayWithPrepaymentParm = z.infer<typeof PosPayWithPrepaymentParm>;

export const PosPayWithPrepaymentResult = contract(
  { name: "PosPayWithPrepaymentResult", clrNamespace: NS.result },
  {
    BillNum: text({ description: "我方系统单据号" }),
    BillState: text({ description: "单据当前状态" }),
    RndCode: text({ description: "6位随机取货码" }),
  },
);

export const PosPayWithPrepaymentResponse = commonResultWithTag(PosPayWithPrepaymentResult);

export const PosBillAddItemParm = contract(
  { name: "PosBillAddItemParm", clrNamespace: NS.parm },
  {
    ProductId: text({ description: "零售产品ID", required: true, max: 36 }),
    Amount: int({ description: "数量", required: true, min: 1, max: 9999 }),
  },
);

export const PosBillAddParm = contract(
  { name: "PosBillAddParm", clrNamespace: NS.parm },
  {
    DWID: text({ description: "客户ID。", required: true, max: 36 }),
    DWSX: text({ description: DWSX_DESCRIPTION, required: true, max: 1, min: 1, format: formats.dwlx }),
    SenderBillNum: text({ description: "第三方系统订单单据号,同一客户内唯一,用于防止重复提交。", max: 32 }),
    Items: z.array(PosBillAddItemParm).min(1).describe("单据明细,至少一项。"),
  },
);
export type PosBillAddParm = z.infer<typeof PosBillAddParm>;

export const PosBillAddResult = contract(
  { name: "PosBillAddResult", clrNamespace: NS.result },
  {
    BillNum: text({ description: "我方系统单据号" }),
    BillState: text({ description: "单据当前状态" }),
    Amount: money({ description: "单据金额(元)" }),
  },
);
export const PosBillAddResponse = commonResultWithTag(PosBillAddResult);
