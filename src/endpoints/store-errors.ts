/**
 * Errors that mean "a store was briefly unreachable" rather than "our code is
 * wrong": a Durable Object reset, overloaded or unreachable (its RPC error
 * carries `remote`, `retryable`, `overloaded` or `durableObjectReset`), a D1
 * call that failed (`D1_…` errors, lost connections), and the test
 * configuration's injected faults (durable/faults.ts). SPEC §3, §6: such an
 * error is never a 500; the pipeline answers it as not done (read-only
 * operations) or as not yet known (HTTP 503, Retry-After).
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { remote?: unknown; retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown; name?: unknown; message?: unknown };
  if (e.remote || e.retryable || e.overloaded || e.durableObjectReset) return true;
  if (e.name === "InjectedFault") return true;
  const message = String(e.message ?? "");
  return /^D1_|D1 (?:DB|database)|Network connection lost|injected fault/i.test(message);
}

/** Seconds a client should wait before retrying an answer whose outcome is not yet known. */
export const RETRY_AFTER_SECONDS = 2;
