/**
 * Checks a pay-password ciphertext against the customer's sealed UPPER_MD5
 * (SPEC §4) and keeps the lockout: after `maxFailures` wrong ciphertexts in
 * `windowMs`, pay-by-password is refused until the oldest failure leaves the
 * window. The count is read and written with no `await` in between, so
 * concurrent guesses cannot race past the limit (the object runs one
 * synchronous section at a time).
 */
import type { Config } from "../config";
import { constantTimeEqual, decryptPayPassword, deriveKey2 } from "../crypto/paypassword";
import type { ResultKey } from "../domain/codes";
import { normalizeCiphertext } from "../domain/payments";

/** KEY2 per session key, so a busy session derives its key once. */
const KEY2_CACHE_MAX = 256;

export type GateResult = { ok: true } | { ok: false; reason: ResultKey; message?: string };

export class PayPasswordGate {
  private readonly key2BySessionKey = new Map<string, Uint8Array>();
  /**
   * The scheme has no nonce: a session sends the same ciphertext for every
   * payment. The last one that verified, per session and password material,
   * is remembered so a busy session decrypts once (the lockout is still
   * checked first on every call).
   */
  private readonly verified = new Map<string, string>();

  constructor(private readonly sql: SqlStorage, private readonly config: Config) {}

  async check(input: { sessionKey: string; loginMd5: string; payMd5: string | null; ciphertext: string; nowMs: number }): Promise<GateResult> {
    if (input.payMd5 === null) return { ok: false, reason: "payPasswordNotSet" };
    const key2 = await this.key2(input.sessionKey, input.loginMd5);
    // From here on: synchronous until the answer.
    const windowStartMs = input.nowMs - this.config.payLockoutWindowMs;
    const failures = this.failuresSince(windowStartMs);
    if (failures >= this.config.payLockoutMaxFailures) return this.locked(windowStartMs);
    const ciphertext = normalizeCiphertext(input.ciphertext);
    const verifiedKey = `${input.sessionKey}:${input.loginMd5}:${input.payMd5}`;
    if (this.verified.get(verifiedKey) === ciphertext) return { ok: true };
    const plain = decryptPayPassword(ciphertext, key2, this.config.pay3desMode);
    if (plain !== null && constantTimeEqual(plain, input.payMd5)) {
      if (this.verified.size >= KEY2_CACHE_MAX) this.verified.clear();
      this.verified.set(verifiedKey, ciphertext);
      return { ok: true };
    }
    this.sql.exec("DELETE FROM pay_failures WHERE at_ms <= ?", windowStartMs);
    this.sql.exec("INSERT INTO pay_failures (at_ms) VALUES (?)", input.nowMs);
    const left = this.config.payLockoutMaxFailures - failures - 1;
    if (left <= 0) return this.locked(windowStartMs);
    return {
      ok: false,
      reason: plain === null ? "payPasswordMalformed" : "payPasswordWrong",
      message: `${plain === null ? "支付密码密文无法解密(请检查会话密钥与加密方式)" : "支付密码错误"},还可尝试${left}次`,
    };
  }

  private failuresSince(windowStartMs: number): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pay_failures WHERE at_ms > ?", windowStartMs).one().n;
  }

  private locked(windowStartMs: number): GateResult {
    const oldest = this.sql
      .exec<{ at_ms: number }>("SELECT at_ms FROM pay_failures WHERE at_ms > ? ORDER BY at_ms LIMIT 1 OFFSET ?", windowStartMs,
        Math.max(0, this.failuresSince(windowStartMs) - this.config.payLockoutMaxFailures))
      .toArray()[0];
    const minutes = oldest ? Math.max(1, Math.ceil((oldest.at_ms - windowStartMs) / 60_000)) : 1;
    return { ok: false, reason: "payPasswordLocked", message: `支付密码错误次数过多,已锁定,请${minutes}分钟后再试` };
  }

  private async key2(sessionKey: string, loginMd5: string): Promise<Uint8Array> {
    const cacheKey = `${sessionKey}:${loginMd5}`;
    const cached = this.key2BySessionKey.get(cacheKey);
    if (cached) return cached;
    const key2 = await deriveKey2(sessionKey, loginMd5);
    if (this.key2BySessionKey.size >= KEY2_CACHE_MAX) this.key2BySessionKey.clear();
    this.key2BySessionKey.set(cacheKey, key2);
    return key2;
  }
}
