/**
 * Learning the outcome of an intent whose D1 batch may or may not have
 * landed (payments and refunds alike): ask D1's decision record a few times
 * with short waits — a D1 hiccup passes, an outage answers "pending" and the
 * client is told the outcome is not yet known (SPEC §6) while the object's
 * alarm keeps trying.
 */
import { InjectedFault } from "./faults";

/** Waits before each try: a few hundred milliseconds in all. */
export const SETTLE_WAITS_MS = [0, 50, 200] as const;

export async function settleWithRetries<T>(settleOnce: () => Promise<T | "pending">): Promise<T | "pending"> {
  for (const waitMs of SETTLE_WAITS_MS) {
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const settled = await settleOnce();
    if (settled !== "pending") return settled;
  }
  return "pending";
}

/** One log line per fault met on the way (injected ones by their point). */
export function logFault(event: string, intentId: string, error: unknown): void {
  const injected = error instanceof InjectedFault ? error.point : undefined;
  console.warn(JSON.stringify({ event, intentId, injected, error: injected ? undefined : String(error) }));
}
