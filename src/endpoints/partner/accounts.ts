/**
 * Calling a customer's AccountDO from an endpoint. When the object resets
 * mid-call (a deploy, a crash) the stub is broken and the call rejects; the
 * operations called through here are idempotent (a pay of a paid order
 * answers "paid"; a pending one is settled first), so one retry on a fresh
 * stub is safe (PLATFORM.md, Durable Objects).
 */
import type { AccountDO } from "../../durable/account";
import type { Env } from "../../env";

export async function withAccount<T>(env: Env, dwid: string, call: (account: DurableObjectStub<AccountDO>) => Promise<T>): Promise<T> {
  const stub = () => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid));
  try {
    return await call(stub());
  } catch (error) {
    if (!isObjectReset(error)) throw error;
    return call(stub());
  }
}

function isObjectReset(error: unknown): boolean {
  const e = error as { durableObjectReset?: boolean; retryable?: boolean } | null;
  return Boolean(e && (e.durableObjectReset || e.retryable));
}
