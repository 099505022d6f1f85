/**
 * The AccountDO's credentials and sessions through its own RPC methods
 * (SPEC §11): what a setProfile ends, the schema upgrade of objects created
 * before suspension existed, and suspension refusing a session even if one
 * ever outlived it. The Worker-level rules are in
 * test/security/credential-changes.test.ts and login-lockout.test.ts.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCOUNT_SCHEMA_V1, ACCOUNT_SCHEMA_VERSION } from "../../src/durable/account-schema";
import { upperMd5 } from "../helpers/api";
import { accountOf, anAccount, type TestAccount } from "../helpers/durable";

async function openSession(a: TestAccount) {
  const login = await a.stub.login({ dwid: a.dwid, dwlx: a.dwlx, passwordMd5: await upperMd5(a.loginPassword) });
  if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login)}`);
  return login;
}

describe("setProfile: what a change ends", () => {
  // Each account starts with login "login#1" and pay "123456", active, and two sessions.
  const cases: [string, { loginPassword?: string; payPassword?: string | null; suspended?: boolean }, string[]][] = [
    ["nothing new", {}, []],
    ["the same login password", { loginPassword: "login#1" }, []],
    ["the same pay password", { payPassword: "123456" }, []],
    ["reinstating an active customer", { suspended: false }, []],
    ["a new login password", { loginPassword: "login#2" }, ["loginPassword"]],
    ["a new pay password", { payPassword: "654321" }, ["payPassword"]],
    ["the pay password removed", { payPassword: null }, ["payPassword"]],
    ["a suspension", { suspended: true }, ["suspended"]],
    ["all three at once", { loginPassword: "login#2", payPassword: null, suspended: true }, ["loginPassword", "payPassword", "suspended"]],
  ];
  it.each(cases)("%s → ends %j", async (_label, change, ended) => {
    const a = await anAccount();
    const sessions = [await openSession(a), await openSession(a)];
    const result = await a.stub.setProfile({
      dwid: a.dwid,
      dwlx: a.dwlx,
      loginMd5: change.loginPassword === undefined ? undefined : await upperMd5(change.loginPassword),
      payMd5: change.payPassword === undefined ? undefined : change.payPassword === null ? null : await upperMd5(change.payPassword),
      suspended: change.suspended,
    });
    expect(result).toEqual({ ok: true, created: false, suspended: change.suspended ?? false, sessionsEnded: ended.length > 0 ? 2 : 0, ended, lowBalanceFen: null,
      // The version moves on exactly when sessions end (D1 copies it: the session guard of order add).
      credentialsVersion: ended.length > 0 ? 2 : 1,
    });
    for (const s of sessions) expect((await a.stub.authenticate(s.token)).ok).toBe(ended.length === 0);
  });
});

describe("an object created before schema v2", () => {
  it("wakes on v2 with its profile and sessions working, and a change then ends them", async () => {
    const a = await anAccount();
    const session = await openSession(a);
    // Rebuild this object's storage as schema v1 left it: same sealed material, same session row.
    await runInDurableObject(a.stub, (_instance, state) => {
      const sql = state.storage.sql;
      const profile = sql.exec("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms FROM profile").one();
      const row = sql.exec("SELECT token_sha256, session_key, created_at_ms, last_seen_at_ms FROM sessions").one();
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
      for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
      sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
      for (const statement of ACCOUNT_SCHEMA_V1) sql.exec(statement);
      sql.exec("INSERT INTO schema_version (version) VALUES (1)");
      sql.exec(
        "INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms) VALUES (1, ?, ?, ?, ?, ?)",
        profile.dwid, profile.dwlx, profile.login_md5_sealed, profile.pay_md5_sealed, profile.updated_at_ms,
      );
      sql.exec("INSERT INTO sessions (token_sha256, session_key, created_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?)", row.token_sha256, row.session_key, row.created_at_ms, row.last_seen_at_ms);
    });
    await evictDurableObject(a.stub);

    const fresh = accountOf(a.dwid);
    expect(await fresh.authenticate(session.token)).toMatchObject({ ok: true, session: { dwid: a.dwid, sessionKey: session.sessionKey } });
    expect(
      await runInDurableObject(fresh, (_i, state) => ({
        version: state.storage.sql.exec("SELECT max(version) AS v FROM schema_version").one().v,
        profile: state.storage.sql.exec("SELECT suspended, credentials_version FROM profile").one(),
        failures: state.storage.sql.exec("SELECT count(*) AS n FROM login_failures").one().n,
      })),
    ).toEqual({ version: ACCOUNT_SCHEMA_VERSION, profile: { suspended: 0, credentials_version: 1 }, failures: 0 });
    await fresh.setProfile({ dwid: a.dwid, dwlx: a.dwlx, suspended: true });
    expect(await fresh.authenticate(session.token)).toEqual({ ok: false, reason: "sessionInvalid" });
  });
});

describe("suspension inside the object", () => {
  it("refuses a session of a suspended customer with customerSuspended, should one ever outlive the suspension", async () => {
    const a = await anAccount();
    const session = await openSession(a);
    // A suspension written without moving the credentials version on: what the version rule normally prevents.
    // Written behind the object's back, it is read when the object next wakes (the object keeps the row it wrote).
    await runInDurableObject(a.stub, (_i, state) => state.storage.sql.exec("UPDATE profile SET suspended = 1"));
    await evictDurableObject(a.stub);
    expect(await a.stub.authenticate(session.token)).toEqual({ ok: false, reason: "customerSuspended" });
    const pay = await a.stub.payBill({ token: session.token, requestId: "r1", claimedDwid: a.dwid, claimedDwlx: a.dwlx, ciphertext: null, billNum: "B1", senderBillNum: null });
    expect(pay).toMatchObject({ ok: false, reason: "customerSuspended" });
  });

  it("a suspended customer's right password answers customerSuspended and opens no session; reinstated, it logs in", async () => {
    const a = await anAccount();
    await a.stub.setProfile({ dwid: a.dwid, dwlx: a.dwlx, suspended: true });
    expect(await a.stub.login({ dwid: a.dwid, dwlx: a.dwlx, passwordMd5: await upperMd5(a.loginPassword) })).toEqual({
      ok: false, reason: "customerSuspended", wrongPassword: false,
    });
    expect(await runInDurableObject(a.stub, (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM sessions").one().n)).toBe(0);
    await a.stub.setProfile({ dwid: a.dwid, dwlx: a.dwlx, suspended: false });
    expect((await openSession(a)).token).toMatch(/^t1\./);
  });
});
