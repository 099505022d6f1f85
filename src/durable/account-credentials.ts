/**
 * A customer's identity and password material, inside its AccountDO: the
 * `profile` row (SPEC §4: only UPPER_MD5(login) and UPPER_MD5(pay) are kept,
 * sealed with PASSWORD_KEY and bound to `account:<dwid>:login` / `:pay`).
 * Opening the seals is asynchronous (WebCrypto); the opened values are
 * cached for the life of the instance.
 */
import type { Clock } from "../clock";
import { importSealingKey, open, seal } from "../crypto/sealed";

/** The opened profile: what login and the pay password check compare against. */
export interface Credentials {
  dwid: string;
  dwlx: string;
  loginMd5: string;
  payMd5: string | null;
}

export interface ProfileInput {
  dwid: string;
  dwlx: string;
  /** UPPER_MD5 of the new login password; absent: unchanged (required for a new customer). */
  loginMd5?: string;
  /** UPPER_MD5 of the new pay password; null removes it; absent: unchanged. */
  payMd5?: string | null;
}

export type SetProfileResult = { ok: true } | { ok: false; reason: "loginPasswordRequired" };

interface SealedProfileRow {
  dwid: string;
  dwlx: string;
  login_md5_sealed: string;
  pay_md5_sealed: string | null;
  [column: string]: SqlStorageValue;
}

export class AccountCredentials {
  private cache: Credentials | null | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly passwordKey: string,
    private readonly clock: Clock,
  ) {}

  /** Who the object belongs to, without opening anything; null before the first setProfile. */
  identity(): { dwid: string; dwlx: string } | null {
    const row = this.sealedRow();
    return row ? { dwid: row.dwid, dwlx: row.dwlx } : null;
  }

  /** Creates or updates the profile; the UPPER_MD5 values are sealed before they touch storage. */
  async set(input: ProfileInput): Promise<SetProfileResult> {
    const existing = this.sealedRow();
    if (!existing && !input.loginMd5) return { ok: false, reason: "loginPasswordRequired" };
    const key = await importSealingKey(this.passwordKey);
    const context = `account:${input.dwid}`;
    const loginSealed = input.loginMd5 ? await seal(key, input.loginMd5, `${context}:login`) : existing!.login_md5_sealed;
    const paySealed =
      input.payMd5 === undefined ? (existing?.pay_md5_sealed ?? null) : input.payMd5 === null ? null : await seal(key, input.payMd5, `${context}:pay`);
    this.sql.exec(
      `INSERT INTO profile (singleton, dwid, dwlx, login_md5_sealed, pay_md5_sealed, updated_at_ms)
       VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET dwid = excluded.dwid, dwlx = excluded.dwlx,
         login_md5_sealed = excluded.login_md5_sealed, pay_md5_sealed = excluded.pay_md5_sealed,
         updated_at_ms = excluded.updated_at_ms`,
      input.dwid, input.dwlx, loginSealed, paySealed, this.clock.nowMs(),
    );
    this.cache = undefined;
    return { ok: true };
  }

  /** The opened profile, or null when the object has none. */
  async opened(): Promise<Credentials | null> {
    if (this.cache !== undefined) return this.cache;
    const row = this.sealedRow();
    if (!row) return (this.cache = null);
    const key = await importSealingKey(this.passwordKey);
    const context = `account:${row.dwid}`;
    this.cache = {
      dwid: row.dwid,
      dwlx: row.dwlx,
      loginMd5: await open(key, row.login_md5_sealed, `${context}:login`),
      payMd5: row.pay_md5_sealed ? await open(key, row.pay_md5_sealed, `${context}:pay`) : null,
    };
    return this.cache;
  }

  private sealedRow(): SealedProfileRow | undefined {
    return this.sql
      .exec<SealedProfileRow>("SELECT dwid, dwlx, login_md5_sealed, pay_md5_sealed FROM profile WHERE singleton = 1")
      .toArray()[0];
  }
}
