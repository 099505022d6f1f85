/** /admin/customers/{dwid}/deposits, /account, /ledger: the deposit (预订金) account. */
import { fenToYuanNumber, yuanToFen } from "../../domain/money";
import type { AccountSnapshot, DepositResult, LedgerEntry } from "../../durable/account";
import { withAccount } from "../../durable/stubs";
import { DepositPost, PageQuery } from "../../schemas/admin";
import { dwidParam } from "./customers";
import { adminError, isoTime, json, readJson, validate, type AdminHandler } from "./http";

export const LEDGER_PAGE_MAX = 200;

export function accountJson(a: AccountSnapshot) {
  return { balance: fenToYuanNumber(a.balanceFen), held: fenToYuanNumber(a.heldFen), available: fenToYuanNumber(a.availableFen) };
}

function entryJson(e: LedgerEntry) {
  return {
    seq: e.seq,
    kind: e.kind,
    amount: fenToYuanNumber(e.amountFen),
    balanceAfter: fenToYuanNumber(e.balanceAfterFen),
    reference: e.reference,
    target: e.target,
    createdAt: isoTime(e.createdAtMs),
  };
}

/** POST deposits: idempotent on reference (a repeat answers 200 with the first entry; a different amount is 409). */
export const postDeposit: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const body = await readJson(request, DepositPost);
  // RPC types map a union result member by member; the value is the plain union.
  const deposit = { amountFen: yuanToFen(body.amount)!, reference: body.reference };
  const result = await withAccount(env, dwid, async (account) => (await account.deposit(deposit)) as DepositResult);
  if (!result.ok) {
    if (result.reason === "amountInvalid") return adminError("adminInvalid", "amount 超出范围", "amount");
    return adminError(result.reason, undefined, result.reason === "depositReferenceConflict" ? "reference" : undefined);
  }
  return json({ duplicate: result.duplicate, entry: entryJson(result.entry), account: accountJson(result.account) }, result.duplicate ? 200 : 201);
};

export const getAccount: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const snapshot = await withAccount(env, dwid, (account) => account.account());
  if (snapshot.dwid === null) return adminError("customerNotFound");
  return json({ dwid, ...accountJson(snapshot) });
};

/** Newest first, with the running balance after each entry; `cursor` is the last seq seen. */
export const getLedger: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const query = validate(PageQuery, request.query);
  const beforeSeq = query.cursor ? Number(query.cursor) : undefined;
  if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq)) return adminError("adminInvalid", "cursor 格式错误", "cursor");
  const snapshot = await withAccount(env, dwid, (account) => account.account());
  if (snapshot.dwid === null) return adminError("customerNotFound");
  const entries = await withAccount(env, dwid, (account) => account.ledger({ limit: query.limit + 1, beforeSeq }));
  const more = entries.length > query.limit;
  const kept = more ? entries.slice(0, query.limit) : entries;
  return json({
    account: accountJson(snapshot),
    items: kept.map(entryJson),
    nextCursor: more ? String(kept[kept.length - 1]!.seq) : null,
  });
};
