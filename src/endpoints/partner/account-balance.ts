/**
 * POST api/WebInterface/Account/Balance (SPEC §12): the caller's own deposit
 * as its AccountDO has it now — balance, what pending payments hold, and
 * what is available to pay. The customer is the session's; there is no
 * other customer to name.
 */
import { fenToYuan } from "../../domain/money";
import { withAccount } from "../../durable/stubs";
import type { AccountBalanceParm } from "../../schemas/account";
import { answer, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { commonResult } from "../../wire/envelope";

export async function accountBalance(_input: AccountBalanceParm, ctx: PartnerContext): Promise<Outcome> {
  const dwid = ctx.session!.dwid;
  const account = await withAccount(ctx.env, dwid, (stub) => stub.account());
  if (account.dwid !== dwid) return refuse("customerNotFound");
  return answer(commonResult({ dwid, balance: fenToYuan(account.balanceFen), held: fenToYuan(account.heldFen), available: fenToYuan(account.availableFen) }, "成功"));
}
