/**
 * POST api/WebInterface/Account/Statement (SPEC §12): the caller's own
 * statement (对账单) for Asia/Shanghai days [begindate, enddate], one page of
 * its entries at a time, from its AccountDO ledger — the same period, opening
 * and closing as the operators' statement (domain/statements.ts: the period
 * is cut by ledger seq, so opening + deposits − debits + refunds = closing).
 * A period that includes today grows as entries are posted; a finished one
 * never changes.
 */
import { fenToYuan } from "../../domain/money";
import { STATEMENT_PAGE_DEFAULT, targetOf, type StatementEntry } from "../../domain/statements";
import type { StatementStart } from "../../durable/account";
import { withAccount } from "../../durable/stubs";
import type { AccountStatementParm } from "../../schemas/account";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { commonResult } from "../../wire/envelope";

export async function accountStatement(input: AccountStatementParm, ctx: PartnerContext): Promise<Outcome> {
  const dwid = ctx.session!.dwid;
  const pageIndex = input.pageindex ?? 1;
  const pageSize = input.pagesize ?? STATEMENT_PAGE_DEFAULT;
  const query = { from: input.begindate, to: input.enddate, limit: pageSize, offset: (pageIndex - 1) * pageSize };
  // RPC types map a union result member by member; the value is the plain union.
  const start = await withAccount(ctx.env, dwid, async (stub) => (await stub.statement(query)) as StatementStart);
  if (!start) return refuse("customerNotFound");
  const { window, entries } = start;
  const t = window.totals;
  const totalCount = t.deposit.count + t.debit.count + t.refund.count;
  const tag = {
    dwid,
    begindate: window.from,
    enddate: window.to,
    openingbalance: fenToYuan(window.openingFen),
    closingbalance: fenToYuan(window.closingFen),
    totalcount: totalCount,
    pagecount: Math.ceil(totalCount / pageSize),
    pageindex: pageIndex,
    pagesize: pageSize,
    entries: entries.map(entryWire),
  };
  return answer(commonResult(tag, "成功"));
}

function entryWire(e: StatementEntry) {
  const { orderId, billNum } = targetOf(e.target);
  return {
    seq: e.seq,
    kind: e.kind,
    amount: fenToYuan(e.amountFen),
    balance: fenToYuan(e.balanceAfterFen),
    reference: e.reference,
    orderid: orderId,
    billnum: billNum,
    refundid: e.refundNo,
    time: new Date(e.createdAtMs).toISOString(),
  };
}
