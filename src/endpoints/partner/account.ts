/**
 * The partner's own deposit account (SPEC §12): its balance and its
 * statement, read-only, the customer always the session's. The operations
 * live beside: account-balance.ts, account-statement.ts.
 */
import { STATEMENT_MAX_DAYS, STATEMENT_PAGE_MAX } from "../../domain/statements";
import { AccountBalanceParm, AccountBalanceResponse, AccountStatementParm, AccountStatementResponse } from "../../schemas/account";
import { definePartnerEndpoint } from "../partner-endpoint";
import { accountBalance } from "./account-balance";
import { accountStatement } from "./account-statement";

export const accountBalanceEndpoint = definePartnerEndpoint({
  paths: ["api/WebInterface/Account/Balance"],
  methods: ["POST"],
  summary: "查询自己的预订金余额:余额、冻结中、可用。",
  description: "查询当前会话客户自己的预订金账户:余额(充值 − 已扣款 + 已退款)、冻结中(支付中尚未确定的金额)和可用余额(可以支付的金额)。请求体为空对象 {}。只读。",
  request: AccountBalanceParm,
  response: AccountBalanceResponse,
  auth: "session",
  readOnly: true,
  handle: accountBalance,
});

export const accountStatementEndpoint = definePartnerEndpoint({
  paths: ["api/WebInterface/Account/Statement"],
  methods: ["POST"],
  summary: `查询自己的预订金对账单(北京时间,最多${STATEMENT_MAX_DAYS}天):期初、期末和分页的每一笔。`,
  description:
    `查询当前会话客户自己在begindate至enddate(北京时间,含两端,最多${STATEMENT_MAX_DAYS}天)的对账单:期初余额、期末余额、本期笔数,以及按账本顺序分页的每一笔(充值、扣款、退款,` +
    `各笔的金额、之后的余额、订单号或单据号、退款单号),每页最多${STATEMENT_PAGE_MAX}笔。期初 + 充值 − 扣款 + 退款 = 期末。` +
    `本期从begindate零点及以后记账的第一笔起,到enddate次日零点及以后记账的第一笔之前;包含今天的期间会随新的记账增长,已结束的期间不再变化。只读。`,
  request: AccountStatementParm,
  response: AccountStatementResponse,
  auth: "session",
  readOnly: true,
  handle: accountStatement,
});
