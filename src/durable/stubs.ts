/**
 * Every call into a Durable Object goes through here. When the object
 * resets mid-call (a deploy, a crash, an overload) the stub is broken and the
 * call rejects (PLATFORM.md, Durable Objects): the call is made once more on
 * a fresh stub. Only calls that are safe to repeat come through — a pay
 * recognises its own earlier intent by its request id, a deposit by its
 * reference, a login at worst opens a session nobody holds, reads change
 * nothing. A second reset is the caller's store error (the pipeline answers
 * it: never a 500).
 */
export async function retryingReset<S, T>(stub: () => S, call: (stub: S) => Promise<T>): Promise<T> {
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

/**
 * The customer's AccountDO (one per dwid). Generic in the object's class, which the binding's
 * type brings: this module imports no object, so every object may use it.
 */
export function withAccount<A extends Rpc.DurableObjectBranded | undefined, T>(
  env: { ACCOUNT: DurableObjectNamespace<A> },
  dwid: string,
  call: (account: DurableObjectStub<A>) => Promise<T>,
): Promise<T> {
  return retryingReset(() => env.ACCOUNT.get(env.ACCOUNT.idFromName(dwid)), call);
}
