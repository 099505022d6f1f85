/**
 * What whole requests cost in the stores (issue 19), counted by the bench's
 * counters switched on for this file's isolate (src/counters.ts
 * `forceCountersForTests`): the Worker, its objects and D1 as in
 * production, every statement counted. The rules: rows a request reads do
 * not depend on how much the stores hold, and a request reads nothing its
 * answer does not depend on.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { countersSnapshot, forceCountersForTests, resetCounters } from "../../src/counters";
import { aCustomer, loginAs } from "../helpers/api";
import { anUnpaidOrder } from "../helpers/orders";
import { paid } from "../helpers/payments";

beforeAll(() => forceCountersForTests(true));
afterAll(() => forceCountersForTests(false));

/** Runs of statements of one store whose text contains `fragment`. */
function runsOf(statements: ReturnType<typeof countersSnapshot>["statements"], prefix: string, fragment: string): number {
  return Object.entries(statements)
    .filter(([sql]) => sql.startsWith(prefix) && sql.includes(fragment))
    .reduce((n, [, s]) => n + s.runs, 0);
}

it("a pay of an awake, idle customer reads no profile row and counts no open work", async () => {
  const c = await aCustomer({ depositYuan: 100 });
  const s = await loginAs(c);
  await paid(c, s, (await anUnpaidOrder(c.dwid)).orderId);
  // The payment's alarm (recovery, ledger copy) runs and finds nothing left: the object is idle.
  const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
  while (await runDurableObjectAlarm(stub));

  const order = await anUnpaidOrder(c.dwid);
  resetCounters();
  await paid(c, s, order.orderId);
  const { statements, totals } = countersSnapshot();
  expect(runsOf(statements, "do.AccountDO", "FROM profile")).toBe(0);
  expect(runsOf(statements, "do.AccountDO", "count(*)") - runsOf(statements, "do.AccountDO", "FROM pay_failures")).toBe(0);
  expect(totals["do.AccountDO.requests"]).toBe(1);
});

it("the object reads its profile again after it changed it: a suspension ends the session at once", async () => {
  const c = await aCustomer({ depositYuan: 100 });
  const s = await loginAs(c);
  await paid(c, s, (await anUnpaidOrder(c.dwid)).orderId);
  const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(c.dwid));
  await stub.setProfile({ dwid: c.dwid, dwlx: c.dwlx, suspended: true });
  expect(await stub.authenticate(s.token)).toEqual({ ok: false, reason: "sessionInvalid" });
});
