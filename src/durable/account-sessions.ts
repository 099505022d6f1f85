/**
 * A customer's sessions, inside its AccountDO (SPEC §4): login with
 * UPPER_MD5(login password), bearer tokens whose SHA-256 is all the object
 * keeps, idle expiry, several sessions per customer.
 */
import type { Config } from "../config";
import { constantTimeEqual } from "../crypto/paypassword";
import { base64url, dwidOfToken, makeToken, SESSION_KEY_BYTES, TOKEN_SECRET_BYTES } from "../domain/tokens";
import type { Random } from "../random";
import type { AccountCredentials, Credentials } from "./account-credentials";

/** Sessions kept per customer; the least recently used is dropped past this. */
export const MAX_SESSIONS_PER_CUSTOMER = 200;
/** last_seen is rewritten at most this often (a write per request would be waste). */
const SESSION_TOUCH_INTERVAL_MS = 60_000;

export type LoginResult =
  | { ok: true; token: string; sessionKey: string; expiresAtMs: number }
  | { ok: false; reason: "loginFailed" };

export interface Session {
  dwid: string;
  dwlx: string;
  sessionKey: string;
  tokenSha256: string;
}

/** `expiresAtMs`: when the session expires unless used again (last seen + idle time). */
export type AuthResult = { ok: true; session: Session; expiresAtMs: number } | { ok: false; reason: "sessionInvalid" };

/** What a pay call inside the object also needs: the credentials the session was checked against. */
export type Authenticated = Extract<AuthResult, { ok: true }> & { credentials: Credentials };

export class AccountSessions {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly credentials: AccountCredentials,
    private readonly config: Config,
    private readonly random: Random,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  async login(input: { dwlx: string; passwordMd5: string }, nowMs: number): Promise<LoginResult> {
    const profile = await this.credentials.opened();
    // Compare even when there is no profile, so timing does not tell which part failed.
    const expected = profile?.loginMd5 ?? "0".repeat(32);
    const passwordOk = constantTimeEqual(input.passwordMd5.toUpperCase(), expected);
    if (!profile || !passwordOk || profile.dwlx !== input.dwlx) return { ok: false, reason: "loginFailed" };

    const token = makeToken(profile.dwid, this.random.bytes(TOKEN_SECRET_BYTES));
    const sessionKey = base64url(this.random.bytes(SESSION_KEY_BYTES));
    const tokenSha256 = await sha256Hex(token);
    this.storage.transactionSync(() => {
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
  async authenticate(token: string, nowMs: number): Promise<Authenticated | Extract<AuthResult, { ok: false }>> {
    const profile = await this.credentials.opened();
    if (!profile || dwidOfToken(token) !== profile.dwid) return { ok: false, reason: "sessionInvalid" };
    const tokenSha256 = await hashOfToken(token);
    const row = this.sql
      .exec<{ session_key: string; last_seen_at_ms: number }>("SELECT session_key, last_seen_at_ms FROM sessions WHERE token_sha256 = ?", tokenSha256)
      .toArray()[0];
    if (!row || row.last_seen_at_ms + this.config.sessionIdleMs <= nowMs) return { ok: false, reason: "sessionInvalid" };
    let lastSeenAtMs = row.last_seen_at_ms;
    if (nowMs - lastSeenAtMs >= SESSION_TOUCH_INTERVAL_MS) {
      this.sql.exec("UPDATE sessions SET last_seen_at_ms = ? WHERE token_sha256 = ?", nowMs, tokenSha256);
      lastSeenAtMs = nowMs;
    }
    return {
      ok: true,
      session: { dwid: profile.dwid, dwlx: profile.dwlx, sessionKey: row.session_key, tokenSha256 },
      expiresAtMs: lastSeenAtMs + this.config.sessionIdleMs,
      credentials: profile,
    };
  }
}

/** Token hashes this instance computed (a session's every call hashes the same token). */
const tokenHashes = new Map<string, string>();
const TOKEN_HASHES_MAX = 1_000;

async function hashOfToken(token: string): Promise<string> {
  const known = tokenHashes.get(token);
  if (known) return known;
  const hash = await sha256Hex(token);
  if (tokenHashes.size >= TOKEN_HASHES_MAX) tokenHashes.clear();
  tokenHashes.set(token, hash);
  return hash;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
