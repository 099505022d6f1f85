/**
 * A customer's identity, password material and standing, inside its
 * AccountDO: the `profile` row. SPEC §4: only UPPER_MD5(login) and
 * UPPER_MD5(pay) are kept, sealed with PASSWORD_KEY and bound to
 * `account:<dwid>:login` / `:pay`. SPEC §11: a change of either password, or
 * a suspension, ends every session of the customer at once.
 *
 * How sessions end: the profile carries `credentials_version`, and a session
 * is valid only while the profile still has the version it was opened under
 * (account-sessions.ts). A change moves the version on (and deletes the
 * session rows) in the same synchronous write as the new material, so no
 * request that the object answers after the change can use an old session,
 * and a login racing the change opens a session that is already dead.
 *
 * Opening the seals is asynchronous (WebCrypto), so decisions never use
 * opened values across an await: `withCurrent` re-reads the row after
 * opening and hands the caller credentials that are current for the rest of
 * its synchronous section.
 */
import type { Clock } from "../clock";
import { constantTimeEqual } from "../crypto/paypassword";
import { importSealingKey, open, seal } from "../crypto/sealed";

/** The opened profile: what login, sessions and the pay password check compare against. */
export interface Credentials {
  dwid: string;
  dwlx: string;
  loginMd5: string;
  payMd5: string | null;
  suspended: boolean;
  /** Moves on with every change that ends sessions; sessions record the one they were opened under. */
  version: number;
}

export interface ProfileInput {
  dwid: string;
  dwlx: string;
  /** UPPER_MD5 of the login password; absent: unchanged (required for a new customer). */
  loginMd5?: string;
  /** UPPER_MD5 of the pay password; null removes it; absent: unchanged. */
  payMd5?: string | null;
  /** true suspends (ends every session), false reinstates; absent: unchanged (a new customer is active). */
  suspended?: boolean;
}

/** What a change did, for the admin answer and log; `suspended` is the customer's standing now. */
export type SetProfileResult =
  | { ok: true; created: boolean; suspended: boolean; sessionsEnded: number; ended: SessionEndingChange[]; credentialsVersion: number }
  | { ok: false; reason: "loginPasswordRequired" };

/** The changes that end sessions. Setting a password to the value it has is not one (an idempotent PUT ends nothing). */
export type SessionEndingChange = "loginPassword" | "payPassword" | "suspended";

interface ProfileRow {
  dwid: string;
  dwlx: string;
  login_md5_sealed: string;
  pay_md5_sealed: string | null;
  suspended: number;
  credentials_version: number;
  [column: string]: SqlStorageValue;
}

/** Opened password material of one credentials version (the same version always has the same material). */
interface OpenedMaterial {
  version: number;
  loginMd5: string;
  payMd5: string | null;
}

/** A change that lands while credentials are being opened makes the reader open again; it never loops for long. */
const MAX_READ_ATTEMPTS = 5;

export class AccountCredentials {
  private material: OpenedMaterial | undefined;
  /**
   * The profile row as this instance last read or wrote it (undefined: not
   * read yet). This object is its only writer (`set`, which forgets it), so
   * every session check need not read it again (issue 19: three reads per
   * authenticated call).
   */
  private profile: ProfileRow | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly passwordKey: string,
    private readonly clock: Clock,
  ) {}

  /** Who the object belongs to, without opening anything; null before the first setProfile. */
  identity(): { dwid: string; dwlx: string } | null {
    const row = this.row();
    return row ? { dwid: row.dwid, dwlx: row.dwlx } : null;
  }

  /**
   * Runs `decide` synchronously on the credentials as they are now (null: no
   * profile). Whatever `decide` reads and writes in storage happens with no
   * change of credentials in between.
   */
  async withCurrent<T>(decide: (credentials: Credentials | null) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const opened = await this.openedMaterial();
      // From here on: synchronous until `decide` returns.
      const row = this.row();
      if ((row?.credentials_version ?? null) === (opened?.version ?? null)) {
        return decide(row && opened ? { dwid: row.dwid, dwlx: row.dwlx, suspended: row.suspended === 1, ...opened } : null);
      }
      if (attempt >= MAX_READ_ATTEMPTS) throw new Error("credentials changed on every read");
    }
  }

  /**
   * Creates or updates the profile. New values are sealed first; the change
   * itself — the row, the version, ending the sessions, lifting the login
   * lockout when the login password is new — is one synchronous transaction.
   */
  async set(input: ProfileInput): Promise<SetProfileResult> {
    const key = await importSealingKey(this.passwordKey);
    const context = `account:${input.dwid}`;
    const loginSealed = input.loginMd5 ? await seal(key, input.loginMd5, `${context}:login`) : null;
    const paySealed = input.payMd5 ? await seal(key, input.payMd5, `${context}:pay`) : null;
    return this.withCurrent((current): SetProfileResult => {
      if (!current && !loginSealed) return { ok: false, reason: "loginPasswordRequired" };
      const ended = current ? endingChanges(current, input) : [];
      const existing = this.row();
      const keepLogin = !loginSealed || (current !== null && !ended.includes("loginPassword"));
      const keepPay = input.payMd5 === undefined || (current !== null && !ended.includes("payPassword"));
      const suspended = input.suspended ?? current?.suspended ?? false;
      const version = current ? current.version + (ended.length > 0 ? 1 : 0) : 1;
      // Read again after the write (or its rollback).
      this.profile = undefined;
      return this.storage.transactionSync(() => {
        this.storage.sql.exec(
          `INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, suspended, credentials_version, updated_at_ms)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (singleton) DO UPDATE SET dwid = excluded.dwid, dwlx = excluded.dwlx,
             login_md5_sealed = excluded.login_md5_sealed, pay_md5_sealed = excluded.pay_md5_sealed,
             suspended = excluded.suspended, credentials_version = excluded.credentials_version,
             updated_at_ms = excluded.updated_at_ms`,
          input.dwid,
          input.dwlx,
          keepLogin ? existing!.login_md5_sealed : loginSealed!,
          keepPay ? (existing?.pay_md5_sealed ?? null) : paySealed,
          suspended ? 1 : 0,
          version,
          this.clock.nowMs(),
        );
        const sessionsEnded = ended.length > 0 ? this.storage.sql.exec("DELETE FROM sessions").rowsWritten : 0;
        // The failures were guesses at the old password: an operator's reset is also the unlock.
        if (ended.includes("loginPassword")) this.storage.sql.exec("DELETE FROM login_failures");
        return { ok: true, created: current === null, suspended, sessionsEnded, ended, credentialsVersion: version };
      });
    });
  }

  /** The opened material of the row's version (cached per version), or null when there is no profile. */
  private async openedMaterial(): Promise<OpenedMaterial | null> {
    const row = this.row();
    if (!row) return null;
    if (this.material?.version === row.credentials_version) return this.material;
    const key = await importSealingKey(this.passwordKey);
    const context = `account:${row.dwid}`;
    const material = {
      version: row.credentials_version,
      loginMd5: await open(key, row.login_md5_sealed, `${context}:login`),
      payMd5: row.pay_md5_sealed ? await open(key, row.pay_md5_sealed, `${context}:pay`) : null,
    };
    this.material = material;
    return material;
  }

  private row(): ProfileRow | null {
    this.profile ??=
      this.storage.sql
        .exec<ProfileRow>("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed, suspended, credentials_version FROM profile WHERE singleton = 1")
        .toArray()[0] ?? null;
    return this.profile;
  }
}

/** What in `input` differs from `current` and must end the customer's sessions. */
function endingChanges(current: Credentials, input: ProfileInput): SessionEndingChange[] {
  const ended: SessionEndingChange[] = [];
  if (input.loginMd5 !== undefined && !constantTimeEqual(input.loginMd5, current.loginMd5)) ended.push("loginPassword");
  if (input.payMd5 !== undefined && !samePayPassword(input.payMd5, current.payMd5)) ended.push("payPassword");
  if (input.suspended === true && !current.suspended) ended.push("suspended");
  return ended;
}

function samePayPassword(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : constantTimeEqual(a, b);
}
