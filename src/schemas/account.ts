/**
 * A partner's own deposit account (SPEC §12): its balance, and its statement
 * (对账单) page by page. The request types are named like the legacy ones,
 * in OrderAddParm's CLR namespace; the answers are CommonOperationResults
 * whose tag is the account or the statement's page.
 */
import { z } from "zod";
import { STATEMENT_MAX_DAYS, STATEMENT_PAGE_DEFAULT, STATEMENT_PAGE_MAX, statementRangeProblem } from "../domain/statements";
import { isRealDate } from "../domain/dates";
import { commonResultWithTag } from "./envelopes";
import { contract, formats, int, money, refinedContract, rule, text } from "./fields";
import { NS } from "./namespaces";

export const AccountBalanceParm = contract(
  {
    name: "AccountBalanceParm",
    clrNamespace: NS.parmWebInterface,
    description: "查询自己的预订金余额时参数的数据结构:没有成员,发送空对象 {} 即可;客户取自会话。",
  },
  {},
);
export type AccountBalanceParm = z.infer<typeof AccountBalanceParm>;

export const AccountBalanceResult = contract(
  { name: "AccountBalanceResult", clrNamespace: NS.result },
  {
    dwid: text({ description: "客户ID" }),
    balance: money({ description: "预订金余额(元):充值 − 已扣款 + 已退款" }),
    held: money({ description: "冻结中(元):支付中尚未确定的金额" }),
    available: money({ description: "可用余额(元):余额 − 冻结中,可以支付的金额" }),
  },
);
export const AccountBalanceResponse = commonResultWithTag(AccountBalanceResult);

export const AccountStatementParm = refinedContract(
  contract(
    {
      name: "AccountStatementParm",
      clrNamespace: NS.parmWebInterface,
      description:
        `查询自己的预订金对账单时参数的数据结构。日期是北京时间,begindate与enddate都包含在内,最多${STATEMENT_MAX_DAYS}天;` +
        `按账本顺序分页,pageindex从1开始,pagesize最大${STATEMENT_PAGE_MAX}。`,
    },
    {
      begindate: text({ description: "开始日期,格式:yyyyMMdd(北京时间,含当天)。", required: true, max: 8, format: formats.date }),
      enddate: text({ description: `结束日期,格式:yyyyMMdd(北京时间,含当天),不能早于begindate,与begindate之间最多${STATEMENT_MAX_DAYS}天(含首尾两天)。`, required: true, max: 8, format: formats.date }),
      pageindex: int({ description: "页码,从1开始;不填为1。", min: 1, clrNullable: true }),
      pagesize: int({ description: `每页条数,1到${STATEMENT_PAGE_MAX};不填为${STATEMENT_PAGE_DEFAULT}。`, min: 1, max: STATEMENT_PAGE_MAX, clrNullable: true }),
    },
  ),
  (parm, ctx) => {
    // Only once both are real dates: a malformed one has its own message.
    if (!isRealDate(parm.begindate) || !isRealDate(parm.enddate)) return;
    const problem = statementRangeProblem(parm.begindate, parm.enddate, "begindate");
    if (problem) ctx.addIssue({ code: "custom", path: ["enddate"], params: rule("range", problem) });
  },
);
export type AccountStatementParm = z.infer<typeof AccountStatementParm>;

export const AccountStatementEntry = contract(
  { name: "AccountStatementEntry", clrNamespace: NS.result },
  {
    seq: int({ description: "账本序号(本客户的每一笔,只增不减)", required: true }),
    kind: text({ description: "deposit 充值、debit 扣款、refund 退款" }),
    amount: money({ description: "金额(元)" }),
    balance: money({ description: "这一笔之后的余额(元)" }),
    reference: text({ description: "充值:充值流水号;扣款:支付号;退款:退款号(系统内部编号)" }),
    orderid: text({ description: "扣款或退款的订单号" }),
    billnum: text({ description: "扣款的POS单据号" }),
    refundid: text({ description: "退款单号(接口方的refundid,或运营方的)" }),
    time: text({ description: "记账时间(ISO 8601, UTC)" }),
  },
);

export const AccountStatementResult = contract(
  { name: "AccountStatementResult", clrNamespace: NS.result },
  {
    dwid: text({ description: "客户ID" }),
    begindate: text({ description: "开始日期yyyyMMdd" }),
    enddate: text({ description: "结束日期yyyyMMdd" }),
    openingbalance: money({ description: "期初余额(元):本期之前最后一笔之后的余额,没有则为0" }),
    closingbalance: money({ description: "期末余额(元):本期最后一笔之后的余额;期初 + 充值 − 扣款 + 退款 = 期末" }),
    totalcount: int({ description: "本期的笔数(所有页)", required: true }),
    pagecount: int({ description: "本期的页数(按pagesize)", required: true }),
    pageindex: int({ description: "本页页码,从1开始", required: true }),
    pagesize: int({ description: "每页条数", required: true }),
    entries: z.array(AccountStatementEntry).nullable().optional().describe("本页的各笔,按账本序号"),
  },
);
export const AccountStatementResponse = commonResultWithTag(AccountStatementResult);
