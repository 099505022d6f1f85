/**
 * AccountDO schema version 5 (SPEC §12) on an object written by version 4:
 * on wake it gains the ledger's time index, the profile's threshold (none)
 * and the alerts table, keeps every row, and its old ledger reads as a
 * statement at once.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCOUNT_MIGRATIONS, ACCOUNT_SCHEMA_VERSION } from "../../src/durable/account-schema";
import { accountOf, anAccount } from "../helpers/durable";

describe("an AccountDO of schema version 4 wakes up to version 5", () => {
  it("with its ledger, a threshold of none, no alerts, and its statement", async () => {
    const a = await anAccount();
    const t0 = Date.UTC(2027, 0, 5, 2); // 10:00 on 5 January 2027, Beijing time
    await runInDurableObject(a.stub, (_instance, state) => {
      const sql = state.storage.sql;
      const profile = sql.exec("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms FROM profile").one();
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
      for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
      sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
      for (const statements of ACCOUNT_MIGRATIONS.slice(0, 4)) for (const statement of statements) sql.exec(statement);
      sql.exec("INSERT INTO schema_version (version) VALUES (4)");
      sql.exec(
        "INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms) VALUES (1, ?, ?, ?, ?, ?)",
        profile.dwid, profile.dwlx, profile.login_md5_sealed, profile.pay_md5_sealed, profile.updated_at_ms,
      );
      sql.exec("INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms) VALUES ('deposit', 50000, 50000, 'D-OLD', NULL, ?)", t0);
      sql.exec("INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms) VALUES ('debit', 12000, 38000, 'I-OLD', 'order:T1', ?)", t0 + 60_000);
      sql.exec("UPDATE totals SET balance_fen = 38000");
      sql.exec("UPDATE ledger_copy_cursor SET copied_through = 2");
    });
    await evictDurableObject(a.stub);

    const fresh = accountOf(a.dwid);
    const statement = await fresh.statement({ from: "20270105", to: "20270105", limit: 10 });
    expect(statement!.window).toMatchObject({ openingFen: 0, closingFen: 38000, afterSeq: 0, throughSeq: 2 });
    expect(statement!.entries.map((e) => [e.reference, e.target])).toEqual([["D-OLD", null], ["I-OLD", "order:T1"]]);
    const after = await runInDurableObject(fresh, (_i, state) => {
      const sql = state.storage.sql;
      return {
        version: sql.exec("SELECT max(version) AS v FROM schema_version").one().v,
        profile: sql.exec("SELECT low_balance_fen, low_balance_alerted FROM profile").one(),
        alerts: sql.exec("SELECT count(*) AS n FROM balance_alerts").one().n,
        index: sql.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ledger_by_time'").toArray().length,
      };
    });
    expect(after).toEqual({ version: ACCOUNT_SCHEMA_VERSION, profile: { low_balance_fen: null, low_balance_alerted: 0 }, alerts: 0, index: 1 });
    expect(ACCOUNT_SCHEMA_VERSION).toBe(5);
  });
});
