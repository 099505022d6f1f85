/**
 * The low-balance alert (SPEC §12, issue 17 item 2), end to end through the
 * Worker, the customer's real AccountDO, D1, the queue and its consumer:
 * one `balance_low` (signed callback and SMS to the agency's contact mobile)
 * each time available falls below the threshold after a posted debit; none
 * while it stays below; re-armed by a deposit, a refund credit or a voided
 * hold that brings available back; judged again when the operator changes
 * the threshold; exactly once under concurrency, crashes and a D1 outage.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { encryptPayPassword } from "../../src/crypto/paypassword";
import type { FaultPoint } from "../../src/durable/faults";
import { aCustomer, admin, loginAs, partner, uniqueId, type TestCustomer, type TestSession } from "../helpers/api";
import { expectMoneyInvariants } from "../helpers/invariants";
import { expectedSignature, observeOutbound, outboxRow, withCallback } from "../helpers/notifications";
import { anUnpaidOrder } from "../helpers/orders";

const MIN = "/api/PayOrder/MIN/UsePrepaymentAndPassword";
const WAIT = { timeout: 45_000, interval: 100 };
const CONTACT = "13912345678";

const { http, logs } = observeOutbound();

const account = (dwid: string) => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));

interface Agency {
  c: TestCustomer;
  s: TestSession;
  host: string;
  secret: string;
}

/** A customer with a deposit, a callback, a contact mobile and a threshold (yuan), logged in. */
async function anAgency(depositYuan: number, lowBalanceAlert: number | null, contactMobile: string | null = CONTACT): Promise<Agency> {
  const c = await aCustomer({ depositYuan });
  const host = http.partner();
  const secret = await withCallback(c, `https://${host}/notify`);
  const put = await admin("PUT", `/admin/customers/${c.dwid}`, { dwlx: c.dwlx, name: `测试旅行社 ${c.dwid}`, lowBalanceAlert, contactMobile });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ lowBalanceAlert, contactMobile });
  return { c, s: await loginAs(c), host, secret };
}

/** Pays a fresh order of `yuan` through the partner API; answers the HTTP status and resultcode. */
async function payOrder(a: Agency, yuan: number): Promise<{ status: number; resultcode: number; orderId: string }> {
  const order = await anUnpaidOrder(a.c.dwid, { lines: [{ quantity: 1, unitPriceFen: Math.round(yuan * 100) }] });
  const response = await partner(MIN, { orderid: order.orderId, paypassword: await encryptPayPassword(a.s.sessionKey, a.c.loginPassword, a.c.payPassword!) }, { token: a.s.token });
  const body = (await response.json()) as { resultcode: number };
  return { status: response.status, resultcode: body.resultcode, orderId: order.orderId };
}

async function paid(a: Agency, yuan: number): Promise<string> {
  const answer = await payOrder(a, yuan);
  expect(answer.resultcode).toBe(0);
  return answer.orderId;
}

async function deposit(a: Agency, yuan: number): Promise<void> {
  expect((await admin("POST", `/admin/customers/${a.c.dwid}/deposits`, { amount: yuan, reference: uniqueId("dep") })).status).toBe(201);
}

/** D1's balance_low rows of the customer, oldest first. */
async function alertRows(dwid: string) {
  const { results } = await env.DB.prepare("SELECT id, target_id, payload_json, status FROM outbox WHERE kind = 'balance_low' AND dwid = ? ORDER BY created_at_ms, id")
    .bind(dwid)
    .all<{ id: string; target_id: string; payload_json: string; status: string }>();
  return results;
}

/** The alerts the object recorded, and how many D1 does not have yet. */
async function recordedAlerts(dwid: string) {
  return runInDurableObject(account(dwid), (_instance, state) => {
    const sql = state.storage.sql;
    return {
      recorded: sql.exec<{ n: number }>("SELECT count(*) AS n FROM balance_alerts").one().n,
      unwritten: sql.exec<{ n: number }>("SELECT count(*) AS n FROM balance_alerts WHERE written_at_ms IS NULL").one().n,
    };
  });
}

/** Every alert of the customer delivered; their callbacks' bodies. */
async function deliveredAlerts(a: Agency, expected: number) {
  await vi.waitFor(async () => {
    const rows = await alertRows(a.c.dwid);
    expect(rows).toHaveLength(expected);
    for (const row of rows) expect(row.status).toBe("sent");
  }, WAIT);
  return http.callsTo(a.host).filter((call) => JSON.parse(call.body).kind === "balance_low");
}

async function drainAlarms(dwid: string) {
  for (let i = 0; i < 5; i++) {
    await runDurableObjectAlarm(account(dwid));
    const { unwritten } = await recordedAlerts(dwid);
    const pending = await runInDurableObject(account(dwid), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM intents WHERE state = 'pending'").one().n);
    if (unwritten === 0 && pending === 0) return;
  }
}

describe("crossing below the threshold", () => {
  it("sends one balance_low — the signed callback and the SMS to the contact mobile — and no more while available stays below", async () => {
    const a = await anAgency(300, 100);
    await paid(a, 150); // available 150: above
    expect(await alertRows(a.c.dwid)).toEqual([]);
    await paid(a, 80); // available 70: below

    const [call, ...more] = await deliveredAlerts(a, 1);
    expect(more).toEqual([]);
    const [row] = await alertRows(a.c.dwid);
    expect(row!.id).toBe(`balance-low:${a.c.dwid}:1`);
    expect(row!.target_id).toBe(a.c.dwid);
    expect(call!.headers.get("x-notification-id")).toBe(row!.id);
    const header = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call!.headers.get("x-signature")!)!;
    expect(header[2]).toBe(await expectedSignature(a.secret, header[1]!, call!.body));
    const body = JSON.parse(call!.body);
    expect(Object.keys(body)).toEqual(["id", "kind", "dwid", "balance", "available", "threshold", "at"]);
    expect(body).toMatchObject({ id: row!.id, kind: "balance_low", dwid: a.c.dwid, balance: "70.00", available: "70.00", threshold: "100.00" });
    expect(Date.parse(body.at)).toBeGreaterThan(0);

    const sms = logs.sms(row!.id);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ to: "139****5678" });
    expect(sms[0]!.text).toContain("70.00");
    expect(sms[0]!.text).toContain("100.00");

    // Further debits below the threshold: nothing more.
    await paid(a, 10);
    await paid(a, 5);
    expect(await recordedAlerts(a.c.dwid)).toEqual({ recorded: 1, unwritten: 0 });
    expect(await alertRows(a.c.dwid)).toHaveLength(1);
  });

  it("a deposit back to the threshold re-arms it: the next debit below sends a second one", async () => {
    const a = await anAgency(200, 100);
    await paid(a, 120); // 80: alert 1
    await deposit(a, 15); // 95: still below, still alerted
    await paid(a, 1); // 94
    expect((await recordedAlerts(a.c.dwid)).recorded).toBe(1);
    await deposit(a, 6); // 100: at the threshold, re-armed
    await paid(a, 0.01); // 99.99: alert 2
    const calls = await deliveredAlerts(a, 2);
    expect(calls.map((call) => JSON.parse(call.body).available).sort()).toEqual(["80.00", "99.99"]);
    const rows = await alertRows(a.c.dwid);
    expect(rows.map((r) => r.id)).toEqual([`balance-low:${a.c.dwid}:1`, `balance-low:${a.c.dwid}:2`]);
  });

  it("a refund credit back above re-arms it", async () => {
    const a = await anAgency(200, 100);
    const orderId = await paid(a, 150); // 50: alert 1
    const refunded = await admin("POST", `/admin/orders/${orderId}/refunds`, { refundid: uniqueId("RF"), reason: "行程取消" });
    expect(refunded.status).toBe(200); // 200 again: re-armed
    await paid(a, 120); // 80: alert 2
    expect((await deliveredAlerts(a, 2)).length).toBe(2);
  });

  it("a hold voided back above re-arms it", async () => {
    const a = await anAgency(200, 100);
    await paid(a, 120); // 80: alert 1 (alerted)
    // D1 goes down for writes between the pay's read and its batch: 50 stays held, nothing decided (available 30).
    await account(a.c.dwid).armFault("d1-outage-from-batch");
    expect((await payOrder(a, 50)).status).toBe(503);
    await deposit(a, 40); // 70 available: still below, still alerted
    await account(a.c.dwid).disarmFaults();
    await drainAlarms(a.c.dwid); // recovery fences and voids the hold: 120 available, re-armed
    expect(await runInDurableObject(account(a.c.dwid), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM intents WHERE state = 'voided'").one().n)).toBe(1);
    await paid(a, 30); // 90: alert 2
    expect((await deliveredAlerts(a, 2)).length).toBe(2);
    await expectMoneyInvariants(a.c.dwid);
  });

  it("the operator's change of threshold is judged at once: below a new threshold → one alert; at or above → re-armed", async () => {
    const a = await anAgency(50, null);
    const set = (lowBalanceAlert: number | null) => admin("PUT", `/admin/customers/${a.c.dwid}`, { dwlx: a.c.dwlx, name: `测试旅行社 ${a.c.dwid}`, lowBalanceAlert });
    expect((await set(100)).body.lowBalanceAlert).toBe(100); // 50 < 100: alert 1
    expect((await set(120)).status).toBe(200); // still the same crossing: nothing
    expect((await set(40)).status).toBe(200); // 50 ≥ 40: re-armed
    expect((await set(100)).status).toBe(200); // alert 2
    expect((await set(null)).body.lowBalanceAlert).toBeNull(); // none: nothing, and re-armed
    await paid(a, 20);
    const calls = await deliveredAlerts(a, 2);
    expect(calls.map((call) => JSON.parse(call.body).threshold).sort()).toEqual(["100.00", "100.00"]);
    expect((await recordedAlerts(a.c.dwid)).recorded).toBe(2);
    // D1 keeps a copy of the threshold for the lists; the contact mobile is D1's.
    expect((await admin("GET", `/admin/customers/${a.c.dwid}`)).body).toMatchObject({ lowBalanceAlert: null, contactMobile: CONTACT });
  });

  it("a customer created below its threshold is told once, at the callback URL and the contact mobile of that same PUT", async () => {
    const dwid = uniqueId("c");
    const host = http.partner();
    const created = await admin("PUT", `/admin/customers/${dwid}`, {
      dwlx: "1", name: "新开户旅行社", loginPassword: "login#1", callbackUrl: `https://${host}/notify`, lowBalanceAlert: 500, contactMobile: "13700001111",
    });
    expect(created.status).toBe(201);
    const a: Agency = { c: { dwid, dwlx: "1", loginPassword: "login#1", payPassword: null }, s: { token: "", sessionKey: "" }, host, secret: created.body.callbackSecret };
    const [call] = await deliveredAlerts(a, 1);
    expect(JSON.parse(call!.body)).toMatchObject({ dwid, balance: "0.00", available: "0.00", threshold: "500.00" });
    const header = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call!.headers.get("x-signature")!)!;
    expect(header[2]).toBe(await expectedSignature(a.secret, header[1]!, call!.body));
    expect(logs.sms((await alertRows(dwid))[0]!.id)).toEqual([expect.objectContaining({ to: "137****1111" })]);
    // Written only once the customer's row was: the delivery could not have read a row without them.
    const written = await env.DB.prepare("SELECT o.created_at_ms AS alert, c.updated_at_ms AS customer FROM outbox o JOIN customers c ON c.dwid = o.dwid WHERE o.dwid = ?")
      .bind(dwid)
      .first<{ alert: number; customer: number }>();
    expect(written!.alert).toBeGreaterThanOrEqual(written!.customer);
  });

  it("without a contact mobile: the callback only, the SMS skipped and said why", async () => {
    const a = await anAgency(100, 100, null);
    await paid(a, 1);
    expect(await deliveredAlerts(a, 1)).toHaveLength(1);
    const [row] = await alertRows(a.c.dwid);
    expect(logs.sms(row!.id)).toEqual([]);
    const { results } = await env.DB.prepare("SELECT channel, status, last_error FROM outbox_deliveries WHERE outbox_id = ? ORDER BY channel").bind(row!.id).all();
    expect(results).toEqual([
      { channel: "callback", status: "sent", last_error: null },
      { channel: "sms", status: "skipped", last_error: "customer has no contactMobile" },
    ]);
  });
});

describe("exactly once", () => {
  it("20 concurrent payments crossing the threshold: one alert", async () => {
    const a = await anAgency(1000, 500);
    const answers = await Promise.all(Array.from({ length: 20 }, () => payOrder(a, 40)));
    expect(answers.map((x) => x.resultcode)).toEqual(Array(20).fill(0));
    const [call] = await deliveredAlerts(a, 1);
    expect(JSON.parse(call!.body).threshold).toBe("500.00");
    expect((await recordedAlerts(a.c.dwid)).recorded).toBe(1);
    expect(logs.sms((await alertRows(a.c.dwid))[0]!.id)).toHaveLength(1);
    await expectMoneyInvariants(a.c.dwid);
  });

  it.each<FaultPoint>(["abort-after-batch", "abort-after-post-unsynced"])("a crash after D1 committed the crossing debit (%s): one alert once the alarm has run", async (point) => {
    const a = await anAgency(200, 100);
    await account(a.c.dwid).armFault(point);
    // Straight to the object, so no retry of the Worker's settles it: the alarm finishes what the crash left.
    const order = await anUnpaidOrder(a.c.dwid, { lines: [{ quantity: 1, unitPriceFen: 15_000 }] });
    await expect(
      account(a.c.dwid).payOrder({
        token: a.s.token, requestId: crypto.randomUUID(), claimedDwid: null, claimedDwlx: null,
        ciphertext: await encryptPayPassword(a.s.sessionKey, a.c.loginPassword, a.c.payPassword!),
        orderId: order.orderId, sellStationId: null, marketAreaId: null, teamTypeCode: null, rollOverAt: null,
      }),
    ).rejects.toThrow(point);
    await drainAlarms(a.c.dwid);
    expect(await deliveredAlerts(a, 1)).toHaveLength(1);
    expect(await recordedAlerts(a.c.dwid)).toEqual({ recorded: 1, unwritten: 0 });
    const state = await expectMoneyInvariants(a.c.dwid);
    expect(state.balanceFen).toBe(5000);
  });

  it("D1 refusing the alert's write: the payment is done, the alert waits in the object, and the alarm writes it once D1 takes it", async () => {
    const a = await anAgency(200, 100);
    // "Down" for alert writes until disarmed.
    await account(a.c.dwid).armFault("alert-write-reject", 1_000);
    expect((await payOrder(a, 150)).resultcode).toBe(0);
    expect(await recordedAlerts(a.c.dwid)).toEqual({ recorded: 1, unwritten: 1 });
    await runDurableObjectAlarm(account(a.c.dwid));
    expect(await alertRows(a.c.dwid)).toEqual([]);
    expect((await recordedAlerts(a.c.dwid)).unwritten).toBe(1);

    await account(a.c.dwid).disarmFaults();
    await runDurableObjectAlarm(account(a.c.dwid));
    expect((await deliveredAlerts(a, 1))).toHaveLength(1);
    expect(await recordedAlerts(a.c.dwid)).toEqual({ recorded: 1, unwritten: 0 });
    expect(logs.sms((await alertRows(a.c.dwid))[0]!.id)).toHaveLength(1);
    // Written again (its reply lost, say): the same row, nothing new.
    await runInDurableObject(account(a.c.dwid), async (instance, state) => {
      state.storage.sql.exec("UPDATE balance_alerts SET written_at_ms = NULL");
      await instance.alarm();
    });
    expect(await recordedAlerts(a.c.dwid)).toEqual({ recorded: 1, unwritten: 0 });
    expect(await alertRows(a.c.dwid)).toHaveLength(1);
  });
});

describe("migration 0012", () => {
  it("rebuilt the outbox for balance_low keeping every index 0001–0008 made, and its rows' deliveries still reference it", async () => {
    const { results } = await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY name").all<{ name: string; sql: string }>();
    expect(results.map((r) => r.name)).toEqual(["outbox_by_created", "outbox_by_kind_target", "outbox_by_status", "outbox_by_status_updated"]);
    const table = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").first<{ sql: string }>();
    expect(table!.sql).toContain("'balance_low'");
    const deliveries = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox_deliveries'").first<{ sql: string }>();
    expect(deliveries!.sql).toMatch(/REFERENCES\s+"?outbox"?\s*\(id\)/);
  });
});
