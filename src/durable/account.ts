/**
 * AccountDO — one per customer (dwid). The only writer of the customer's
 * balance: deposits, holds, debits and refunds are serialized here, in SQLite
 * transactions (SPEC §2, §6). It also keeps the customer's sessions, pay
 * password material (sealed with PASSWORD_KEY) and the pay-password lockout.
 *
 * RPC methods return results, never throw for a partner's mistake; a throw is
 * a programmer error and rolls back the transaction it happened in.
 */
import { DurableObject } from "cloudflare:workers";
import { configOf, type Config } from "../config";
import { constantTimeEqual } from "../crypto/paypassword";
import { importSealingKey, open, seal } from "../crypto/sealed";
import { MAX_AMOUNT_FEN } from "../domain/money";
import { base64url, dwidOfToken, makeToken, SESSION_KEY_BYTES, TOKEN_SECRET_BYTES } from "../domain/tokens";
import type { Env } from "../env";
import { ACCOUNT_SCHEMA_V1, ACCOUNT_SCHEMA_VERSION } from "./account-schema";
import { copyLedgerToD1 } from "./ledger-copy";

/** Sessions kept per customer; the oldest is dropped past this. */
export const MAX_SESSIONS_PER_CUSTOMER = 200;
/** last_seen is rewritten at most this often (a write per request would be waste). */
const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** The ledger copy to D1 runs this long after a change. */
const LEDGER_COPY_DELAY_MS = 2_000;

export interface AccountSnapshot {
  dwid: string | null;
  balanceFen: number;
  heldFen: number;
  availableFen: number;
}

export interface LedgerEntry {
  seq: number;
  kind: "deposit" | "debit" | "refund";
  amountFen: number;
  balanceAfterFen: number;
  reference: string;
  target: string | null;
  createdAtMs: number;
}

export type DepositResult =
  | { ok: true; duplicate: boolean; entry: LedgerEntry; account: AccountSnapshot }
  | { ok: false; reason: "customerNotFound" | "depositReferenceConflict" | "amountInvalid"; entry?: LedgerEntry };

export type LoginResult =
  | { ok: true; token: string; sessionKey: string; expiresAtMs: number }
  | { ok: false; reason: "loginFailed" };

export interface Session {
  dwid: string;
  dwlx: string;
  sessionKey: string;
  tokenSha256: string;
}
export type AuthResult = { ok: true; session: Session } | { ok: false; reason: "sessionInvalid" };

interface Profile {
  dwid: string;
  dwlx: string;
  loginMd5: string;
  payMd5: string | null;
}

export class AccountDO extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly config: Config;
  /** Opened password material, cached for the life of the instance. */
  private profileCache: Profile | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.config = configOf(env);
    void ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = this.sql.exec<{ version: number }>("SELECT max(version) AS version FROM schema_version").one();
    const current = row.version ?? 0;
    if (current >= ACCOUNT_SCHEMA_VERSION) return;
    this.ctx.storage.transactionSync(() => {
      for (const statement of ACCOUNT_SCHEMA_V1) this.sql.exec(statement);
      this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", ACCOUNT_SCHEMA_VERSION);
    });
  }

  // ------------------------------------------------------------ profile

  /**
   * Creates or updates the customer's identity and password material. The
   * UPPER_MD5 values are the only form the scheme needs (SPEC §4); they are
   * sealed before they touch storage. `payMd5: null` removes the pay password.
   */
  async setProfile(input: { dwid: string; dwlx: string; loginMd5?: string; payMd5?: string | null }): Promise<{ ok: true } | { ok: false; reason: "loginPasswordRequired" }> {
    const existing = this.readSealedProfile();
    if (!existing && !input.loginMd5) return { ok: false, reason: "loginPasswordRequired" };
    const key = await importSealingKey(this.env.PASSWORD_KEY);
    const loginSealed = input.loginMd5 ? await seal(key, input.loginMd5) : existing!.login_md5_sealed;
    const paySealed =
      input.payMd5 === undefined ? existing?.pay_md5_sealed ?? null : input.payMd5 === null ? null : await seal(key, input.payMd5);
    this.sql.exec(
      `INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms)
       VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET dwid = excluded.dwid, dwlx = excluded.dwlx,
         login_md5_sealed = excluded.login_md5_sealed, pay_md5_sealed = excluded.pay_md5_sealed,
         updated_at_ms = excluded.updated_at_ms`,
      input.dwid, input.dwlx, loginSealed, paySealed, Date.now(),
    );
    this.profileCache = undefined;
    return { ok: true };
  }

  private readSealedProfile() {
    return this.sql
      .exec<{ dwid: string; dwlx: string; login_md5_sealed: string; pay_md5_sealed: string | null }>(
        "SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed FROM profile WHERE singleton = 1",
      )
      .toArray()[0];
  }

  protected async profile(): Promise<Profile | null> {
    if (this.profileCache !== undefined) return this.profileCache;
    const row = this.readSealedProfile();
    if (!row) return (this.profileCache = null);
    const key = await importSealingKey(this.env.PASSWORD_KEY);
    this.profileCache = {
      dwid: row.dwid,
      dwlx: row.dwlx,
      loginMd5: await open(key, row.login_md5_sealed),
      payMd5: row.pay_md5_sealed ? await open(key, row.pay_md5_sealed) : null,
    };
    return this.profileCache;
  }

  // ------------------------------------------------------------ money

  /** Idempotent on `reference`: a repeat returns the first entry (TigerBeetle's "exists"). */
  async deposit(input: { amountFen: number; reference: string }): Promise<DepositResult> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || input.amountFen > MAX_AMOUNT_FEN) {
      return { ok: false, reason: "amountInvalid" };
    }
    if (!this.readSealedProfile()) return { ok: false, reason: "customerNotFound" };
    const result = this.ctx.storage.transactionSync((): DepositResult => {
      const prior = this.entryByReference("deposit", input.reference);
      if (prior) {
        return prior.amountFen === input.amountFen
          ? { ok: true, duplicate: true, entry: prior, account: this.snapshot() }
          : { ok: false, reason: "depositReferenceConflict", entry: prior };
      }
      const totals = this.totals();
      const balanceAfterFen = totals.balanceFen + input.amountFen;
      this.sql.exec("UPDATE totals SET balance_fen = ? WHERE singleton = 1", balanceAfterFen);
      const entry = this.appendLedger("deposit", input.amountFen, balanceAfterFen, input.reference, null);
      return { ok: true, duplicate: false, entry, account: this.snapshot() };
    });
    if (result.ok && !result.duplicate) await this.scheduleLedgerCopy();
    return result;
  }

  async account(): Promise<AccountSnapshot> {
    return this.snapshot();
  }

  /** Newest first; `beforeSeq` pages backwards. */
  async ledger(input: { limit: number; beforeSeq?: number }): Promise<LedgerEntry[]> {
    const rows = this.sql
      .exec<LedgerRow>(
        `SELECT seq, kind, amount_fen, balance_after_fen, reference, target, created_at_ms FROM ledger
         WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
        input.beforeSeq ?? Number.MAX_SAFE_INTEGER, input.limit,
      )
      .toArray();
    return rows.map(entryOf);
  }

  protected snapshot(): AccountSnapshot {
    const totals = this.totals();
    return {
      dwid: this.readSealedProfile()?.dwid ?? null,
      balanceFen: totals.balanceFen,
      heldFen: totals.heldFen,
      availableFen: totals.balanceFen - totals.heldFen,
    };
  }

  protected totals(): { balanceFen: number; heldFen: number } {
    const row = this.sql.exec<{ balance_fen: number; held_fen: number }>(
      "SELECT balance_fen, held_fen FROM totals WHERE singleton = 1",
    ).one();
    return { balanceFen: row.balance_fen, heldFen: row.held_fen };
  }

  protected appendLedger(kind: LedgerEntry["kind"], amountFen: number, balanceAfterFen: number, reference: string, target: string | null): LedgerEntry {
    const createdAtMs = Date.now();
    const row = this.sql
      .exec<{ seq: number }>(
        `INSERT INTO ledger (kind, amount_fen, balance_after_fen, reference, target, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
        kind, amountFen, balanceAfterFen, reference, target, createdAtMs,
      )
      .one();
    return { seq: row.seq, kind, amountFen, balanceAfterFen, reference, target, createdAtMs };
  }

  private entryByReference(kind: LedgerEntry["kind"], reference: string): LedgerEntry | null {
    const row = this.sql
      .exec<LedgerRow>(
        `SELECT seq, kind, amount_fen, balance_after_fen, reference, target, created_at_ms FROM ledger
         WHERE kind = ? AND reference = ?`,
        kind, reference,
      )
      .toArray()[0];
    return row ? entryOf(row) : null;
  }

  // ------------------------------------------------------------ sessions

  async login(input: { dwlx: string; passwordMd5: string }): Promise<LoginResult> {
    const profile = await this.profile();
    // Compare even when there is no profile, so timing does not tell which part failed.
    const expected = profile?.loginMd5 ?? "0".repeat(32);
    const passwordOk = constantTimeEqual(input.passwordMd5.toUpperCase(), expected);
    if (!profile || !passwordOk || profile.dwlx !== input.dwlx) return { ok: false, reason: "loginFailed" };

    const nowMs = Date.now();
    const token = makeToken(profile.dwid, crypto.getRandomValues(new Uint8Array(TOKEN_SECRET_BYTES)));
    const sessionKey = base64url(crypto.getRandomValues(new Uint8Array(SESSION_KEY_BYTES)));
    const tokenSha256 = await sha256Hex(token);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM sessions WHERE last_seen_at_ms <= ?", nowMs - this.config.sessionIdleMs);
      this.sql.exec(
        "INSERT INTO sessions (token_sha256, session_key, created_at_ms, last_seen_at_ms) VALUES (?, ?, ?, ?)",
        tokenSha256, sessionKey, nowMs, nowMs,
      );
      this.sql.exec(
        `DELETE FROM sessions WHERE token_sha256 IN (
           SELECT token_sha256 FROM sessions ORDER BY last_seen_at_ms DESC LIMIT -1 OFFSET ?)`,
        MAX_SESSIONS_PER_CUSTOMER,
      );
    });
    return { ok: true, token, sessionKey, expiresAtMs: nowMs + this.config.sessionIdleMs };
  }

  /** A live session for this token, its idle clock restarted. */
  async authenticate(token: string): Promise<AuthResult> {
    return this.authenticateAt(token, Date.now());
  }

  protected async authenticateAt(token: string, nowMs: number): Promise<AuthResult> {
    const profile = await this.profile();
    if (!profile || dwidOfToken(token) !== profile.dwid) return { ok: false, reason: "sessionInvalid" };
    const tokenSha256 = await sha256Hex(token);
    const row = this.sql
      .exec<{ session_key: string; last_seen_at_ms: number }>(
        "SELECT session_key, last_seen_at_ms FROM sessions WHERE token_sha256 = ?",
        tokenSha256,
      )
      .toArray()[0];
    if (!row || row.last_seen_at_ms + this.config.sessionIdleMs <= nowMs) return { ok: false, reason: "sessionInvalid" };
    if (nowMs - row.last_seen_at_ms >= SESSION_TOUCH_INTERVAL_MS) {
      this.sql.exec("UPDATE sessions SET last_seen_at_ms = ? WHERE token_sha256 = ?", nowMs, tokenSha256);
    }
    return { ok: true, session: { dwid: profile.dwid, dwlx: profile.dwlx, sessionKey: row.session_key, tokenSha256 } };
  }

  // ------------------------------------------------------------ alarm

  protected async scheduleLedgerCopy(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const due = Date.now() + LEDGER_COPY_DELAY_MS;
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  override async alarm(): Promise<void> {
    const profile = this.readSealedProfile();
    if (profile) await copyLedgerToD1(this.sql, this.env.DB, profile.dwid);
  }
}

interface LedgerRow {
  seq: number;
  kind: LedgerEntry["kind"];
  amount_fen: number;
  balance_after_fen: number;
  reference: string;
  target: string | null;
  created_at_ms: number;
  [column: string]: SqlStorageValue;
}

function entryOf(row: LedgerRow): LedgerEntry {
  return {
    seq: row.seq,
    kind: row.kind,
    amountFen: row.amount_fen,
    balanceAfterFen: row.balance_after_fen,
    reference: row.reference,
    target: row.target,
    createdAtMs: row.created_at_ms,
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
