/**
 * A customer's sessions, inside its AccountDO (SPEC §4, §11): login with
 * UPPER_MD5(login password), bearer tokens whose SHA-256 is all the object
 * keeps, idle expiry, several sessions per customer; the login lockout per
 * dwid; and the rules that end sessions (account-credentials.ts).
 *
 * The order of a login's checks: the lockout (a locked dwid tests no
 * password), then the password and dwlx (a wrong one counts toward the
 * lockout), then suspension — so only someone who knows the password learns
 * that the customer is suspended. An unknown dwid answers exactly like a
 * known one, lockout included, so answers do not tell which dwids exist.
 *
 * Every decision runs in one synchronous section after the last await
 * (`withCurrent`): the lockout count cannot be raced past its limit, and no
 * session is opened under credentials that changed meanwhile.
 */
import type { Config } from "../config";
import { constantTimeEqual } from "../crypto/paypassword";
import { loginLockedMessage } from "../domain/login-limits";
import { base64url, dwidOfToken, makeToken, SESSION_KEY_BYTES, sha256Hex, TOKEN_SECRET_BYTES } from "../domain/tokens";
import type { Random } from "../random";
import type { AccountCredentials, Credentials } from "./account-credentials";
import { FailureWindow } from "./failure-window";

/** Sessions kept per customer; the least recently used is dropped past this. */
export const MAX_SESSIONS_PER_CUSTOMER = 200;
/** last_seen is rewritten at most this often (a write per request would be waste). */
const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** Compared against when there is no profile, so timing does not tell which part failed. */
const NO_PASSWORD_MD5 = "0".repeat(32);

export interface LoginInput {
  /** The dwid the caller addressed this object by (`idFromName(dwid)`); it goes into the token. */
  dwid: string;
  dwlx: string;
  passwordMd5: string;
}

export type LoginResult =
  | { ok: true; token: string; sessionKey: string; expiresAtMs: number }
  | {
      ok: false;
      reason: "loginFailed" | "loginLocked" | "customerSuspended";
      message?: string;
      /** A password was tested and was wrong: what the per-address limit counts (login-throttle.ts). */
      wrongPassword: boolean;
    };

export interface Session {
  dwid: string;
  dwlx: string;
  sessionKey: string;
  tokenSha256: string;
  /** The customer's credentials version the session was opened under (and is valid only while it lasts). */
  credentialsVersion: number;
}

/** `expiresAtMs`: when the session expires unless used again (last seen + idle time). */
export type AuthResult =
  | { ok: true; session: Session; expiresAtMs: number }
  | { ok: false; reason: "sessionInvalid" | "customerSuspended" };

/** What a pay call inside the object also needs: the credentials the session was checked against. */
export type Authenticated = Extract<AuthResult, { ok: true }> & { credentials: Credentials };

export class AccountSessions {
  private readonly lockout: FailureWindow;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly credentials: AccountCredentials,
    private readonly config: Config,
    private readonly random: Random,
  ) {
    this.lockout = new FailureWindow(storage.sql, "login_failures", config.loginLockoutMaxFailures, config.loginLockoutWindowMs);
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  async login(input: LoginInput, nowMs: number): Promise<LoginResult> {
    // Made for every attempt, so a refusal takes as long as a success up to the decision.
    const token = makeToken(input.dwid, this.random.bytes(TOKEN_SECRET_BYTES));
    const sessionKey = base64url(this.random.bytes(SESSION_KEY_BYTES));
    const tokenSha256 = await sha256Hex(token);
    return this.credentials.withCurrent((current): LoginResult => {
      if (this.lockout.isFull(nowMs)) return this.locked(nowMs, false);
      const passwordOk = constantTimeEqual(input.passwordMd5.toUpperCase(), current?.loginMd5 ?? NO_PASSWORD_MD5);
      if (!current || !passwordOk || current.dwlx !== input.dwlx || current.dwid !== input.dwid) {
        const failures = this.lockout.record(nowMs);
        if (failures >= this.config.loginLockoutMaxFailures) {
          console.warn(JSON.stringify({ event: "login_locked", dwid: input.dwid, failures }));
          return this.locked(nowMs, true);
        }
        return { ok: false, reason: "loginFailed", wrongPassword: true };
      }
      if (current.suspended) return { ok: false, reason: "customerSuspended", wrongPassword: false };
      this.openSession(tokenSha256, sessionKey, current.version, nowMs);
      return { ok: true, token, sessionKey, expiresAtMs: nowMs + this.config.sessionIdleMs };
    });
  }

  /**
   * A live session for this token, its idle clock restarted: one opened under
   * the customer's current credentials version, not idle too long, of a
   * customer not suspended.
   */
  async authenticate(token: string, nowMs: number): Promise<Authenticated | Extract<AuthResult, { ok: false }>> {
    const tokenDwid = dwidOfToken(token);
    if (tokenDwid === null || tokenDwid !== this.credentials.identity()?.dwid) return { ok: false, reason: "sessionInvalid" };
    const tokenSha256 = await hashOfToken(token);
    return this.credentials.withCurrent((current): Authenticated | Extract<AuthResult, { ok: false }> => {
      if (!current || current.dwid !== tokenDwid) return { ok: false, reason: "sessionInvalid" };
      const row = this.sql
        .exec<{ session_key: string; last_seen_at_ms: number; credentials_version: number }>(
          "SELECT session_key, last_seen_at_ms, credentials_version FROM sessions WHERE token_sha256 = ?",
          tokenSha256,
        )
        .toArray()[0];
      if (!row || row.credentials_version !== current.version || row.last_seen_at_ms + this.config.sessionIdleMs <= nowMs) {
        return { ok: false, reason: "sessionInvalid" };
      }
      // Suspension ends sessions itself; this holds should one ever outlive it.
      if (current.suspended) return { ok: false, reason: "customerSuspended" };
      let lastSeenAtMs = row.last_seen_at_ms;
      if (nowMs - lastSeenAtMs >= SESSION_TOUCH_INTERVAL_MS) {
        this.sql.exec("UPDATE sessions SET last_seen_at_ms = ? WHERE token_sha256 = ?", nowMs, tokenSha256);
        lastSeenAtMs = nowMs;
      }
      return {
        ok: true,
        session: { dwid: current.dwid, dwlx: current.dwlx, sessionKey: row.session_key, tokenSha256, credentialsVersion: current.version },
        expiresAtMs: lastSeenAtMs + this.config.sessionIdleMs,
        credentials: current,
      };
    });
  }

  private openSession(tokenSha256: string, sessionKey: string, credentialsVersion: number, nowMs: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM sessions WHERE last_seen_at_ms <= ?", nowMs - this.config.sessionIdleMs);
      this.sql.exec(
        "INSERT INTO sessions (token_sha256, session_key, created_at_ms, last_seen_at_ms, credentials_version) VALUES (?, ?, ?, ?, ?)",
        tokenSha256, sessionKey, nowMs, nowMs, credentialsVersion,
      );
      this.sql.exec(
        `DELETE FROM sessions WHERE token_sha256 IN (
           SELECT token_sha256 FROM sessions ORDER BY last_seen_at_ms DESC LIMIT -1 OFFSET ?)`,
        MAX_SESSIONS_PER_CUSTOMER,
      );
    });
  }

  private locked(nowMs: number, wrongPassword: boolean): LoginResult {
    return { ok: false, reason: "loginLocked", message: loginLockedMessage(this.lockout.reopensAtMs(nowMs), nowMs), wrongPassword };
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

