/**
 * Builders and storage readers for tests that talk to an AccountDO directly
 * (its RPC methods) and look at what it keeps (its SQLite, through
 * `runInDurableObject`). Nothing here stubs the object: reads go to the real
 * storage, and the only writes are the ones a test names (ageing a session).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AccountDO } from "../../src/durable/account";
import { uniqueId, upperMd5 } from "./api";

export type AccountStub = DurableObjectStub<AccountDO>;

/** A fresh stub for the customer's object (what the Worker makes per request). */
export function accountOf(dwid: string): AccountStub {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));
}

export interface TestAccount {
  dwid: string;
  dwlx: string;
  loginPassword: string;
  stub: AccountStub;
}

/** An AccountDO with a profile (what PUT /admin/customers/{dwid} would leave), no D1 row. */
export async function anAccount(options: { dwid?: string; dwlx?: string; loginPassword?: string; payPassword?: string | null } = {}): Promise<TestAccount> {
  const dwid = options.dwid ?? uniqueId("acct");
  const dwlx = options.dwlx ?? "1";
  const loginPassword = options.loginPassword ?? "login#1";
  const payPassword = options.payPassword === undefined ? "123456" : options.payPassword;
  const stub = accountOf(dwid);
  const set = await stub.setProfile({
    dwid,
    dwlx,
    loginMd5: await upperMd5(loginPassword),
    payMd5: payPassword === null ? null : await upperMd5(payPassword),
  });
  if (!set.ok) throw new Error(`profile not set: ${JSON.stringify(set)}`);
  return { dwid, dwlx, loginPassword, stub };
}

export interface LedgerRowSeen {
  seq: number;
  kind: "deposit" | "debit" | "refund";
  amount_fen: number;
  balance_after_fen: number;
  reference: string;
  target: string | null;
  created_at_ms: number;
  /** 1 once the ledger copy's cursor has passed it (the row itself never changes). */
  copied: number;
}

export interface IntentRowSeen {
  intent_id: string;
  target_kind: string;
  target_id: string;
  amount_fen: number;
  state: "pending" | "posted" | "voided";
}

export interface AccountStorage {
  balanceFen: number;
  heldFen: number;
  /** Oldest first. */
  ledger: LedgerRowSeen[];
  intents: IntentRowSeen[];
  sessionCount: number;
}

/** What the object has in SQLite right now, read inside the object. */
export async function storageOf(stub: AccountStub): Promise<AccountStorage> {
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const totals = sql.exec<{ balance_fen: number; held_fen: number }>("SELECT balance_fen, held_fen FROM totals WHERE singleton = 1").one();
    return {
      balanceFen: totals.balance_fen,
      heldFen: totals.held_fen,
      ledger: sql
        .exec(`SELECT seq, kind, amount_fen, balance_after_fen, reference, target, created_at_ms,
                 CASE WHEN seq <= (SELECT copied_through FROM ledger_copy_cursor) THEN 1 ELSE 0 END AS copied
               FROM ledger ORDER BY seq`)
        .toArray() as unknown as LedgerRowSeen[],
      intents: sql.exec("SELECT intent_id, target_kind, target_id, amount_fen, state FROM intents").toArray() as unknown as IntentRowSeen[],
      sessionCount: sql.exec<{ n: number }>("SELECT count(*) AS n FROM sessions").one().n,
    };
  });
}

/**
 * SPEC §6 for one customer, from storage: the balance is what the ledger
 * says (deposits − debits + refunds), every entry's running balance follows
 * from the one before, holds are the pending intents, and nothing is
 * negative. Returns the broken rules (empty when all hold), so a failing test
 * names every one of them.
 */
export function invariantViolations(s: AccountStorage): string[] {
  const broken: string[] = [];
  const sum = (kind: LedgerRowSeen["kind"]) => s.ledger.filter((e) => e.kind === kind).reduce((t, e) => t + e.amount_fen, 0);
  const fromLedger = sum("deposit") - sum("debit") + sum("refund");
  if (s.balanceFen !== fromLedger) broken.push(`balance ${s.balanceFen} != deposits - debits + refunds ${fromLedger}`);
  let running = 0;
  let lastSeq = 0;
  for (const e of s.ledger) {
    if (e.seq <= lastSeq) broken.push(`seq ${e.seq} not after ${lastSeq}`);
    lastSeq = e.seq;
    running += e.kind === "debit" ? -e.amount_fen : e.amount_fen;
    if (e.balance_after_fen !== running) broken.push(`seq ${e.seq}: balance_after ${e.balance_after_fen} != running ${running}`);
  }
  const last = s.ledger[s.ledger.length - 1];
  if (last && last.balance_after_fen !== s.balanceFen) broken.push(`last balance_after ${last.balance_after_fen} != balance ${s.balanceFen}`);
  const pending = s.intents.filter((i) => i.state === "pending").reduce((t, i) => t + i.amount_fen, 0);
  if (s.heldFen !== pending) broken.push(`held ${s.heldFen} != pending holds ${pending}`);
  if (s.heldFen < 0) broken.push(`held ${s.heldFen} < 0`);
  if (s.balanceFen - s.heldFen < 0) broken.push(`available ${s.balanceFen - s.heldFen} < 0`);
  return broken;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Moves a session's last use `minutes` into the past, as if the customer had
 * been idle that long (the object keeps only the token's SHA-256).
 */
export async function ageSession(dwid: string, token: string, minutes: number): Promise<void> {
  const tokenSha256 = await sha256Hex(token);
  const changed = await runInDurableObject(accountOf(dwid), (_instance, state) => {
    const cursor = state.storage.sql.exec(
      "UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - ? WHERE token_sha256 = ?",
      Math.round(minutes * 60_000),
      tokenSha256,
    );
    return cursor.rowsWritten;
  });
  if (changed !== 1) throw new Error(`no session row for this token in ${dwid}`);
}

/** The session row's last use, or null when the object has no row for the token. */
export async function sessionLastSeenMs(dwid: string, token: string): Promise<number | null> {
  const tokenSha256 = await sha256Hex(token);
  return runInDurableObject(accountOf(dwid), (_instance, state) => {
    const rows = state.storage.sql
      .exec<{ last_seen_at_ms: number }>("SELECT last_seen_at_ms FROM sessions WHERE token_sha256 = ?", tokenSha256)
      .toArray();
    return rows[0]?.last_seen_at_ms ?? null;
  });
}

/** Every text cell (BLOBs decoded as UTF-8) of every table of the object's SQLite. */
export async function everyStoredText(stub: AccountStub): Promise<string[]> {
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((t) => t.name);
    const out: string[] = [];
    for (const table of tables) {
      for (const row of sql.exec(`SELECT * FROM "${table}"`).toArray()) {
        for (const value of Object.values(row)) out.push(cellText(value));
      }
    }
    return out;
  });
}

/** Every text cell of every table of the D1 database. */
export async function everyD1Text(db: D1Database): Promise<string[]> {
  const { results: tables } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'")
    .all<{ name: string }>();
  const out: string[] = [];
  for (const { name } of tables) {
    const { results } = await db.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
    for (const row of results) for (const value of Object.values(row)) out.push(cellText(value));
  }
  return out;
}

function cellText(value: unknown): string {
  if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
  if (ArrayBuffer.isView(value)) return new TextDecoder().decode(value);
  return String(value);
}

/** D1's copy of one customer's ledger, oldest first. */
export async function ledgerCopyOf(dwid: string) {
  const { results } = await env.DB.prepare(
    "SELECT seq, kind, amount_fen, balance_after_fen, reference, created_at_ms FROM ledger_copy WHERE dwid = ? ORDER BY seq",
  )
    .bind(dwid)
    .all<{ seq: number; kind: string; amount_fen: number; balance_after_fen: number; reference: string; created_at_ms: number }>();
  return results;
}
