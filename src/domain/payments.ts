/**
 * Pure rules of paying from the deposit: whether a target can be paid now,
 * ticket codes, pickup codes. Randomness and time come in as arguments.
 */
import type { ResultKey } from "./codes";

/** Digits in a ticket code: 18 random digits ≈ 60 bits, printed as one barcode. */
export const TICKET_CODE_DIGITS = 18;
/** Digits of a POS bill's pickup code (SPEC §5.4: RndCode, a random 6-digit code). */
export const RND_CODE_DIGITS = 6;

export interface PayableState {
  dwid: string;
  status: "unpaid" | "paid" | "expired" | "cancelled";
  expiresAtMs: number | null;
}

/**
 * null when the target can be paid by `dwid` now; "paid" when it already is;
 * otherwise the refusal. Another customer's target reads as not found (no
 * hint that it exists).
 */
export function payability(target: PayableState | null, dwid: string, nowMs: number, notFound: ResultKey): ResultKey | "paid" | null {
  if (!target || target.dwid !== dwid) return notFound;
  switch (target.status) {
    case "paid":
      return "paid";
    case "cancelled":
      return "orderCancelled";
    case "expired":
      return "orderExpired";
    case "unpaid":
      return target.expiresAtMs !== null && target.expiresAtMs <= nowMs ? "orderExpired" : null;
  }
}

/** A payment intent's life in the AccountDO (SPEC §6): pending holds the money; posted wrote the debit; voided released it. */
export type IntentState = "pending" | "posted" | "voided";

/**
 * How a request is answered about a target D1 shows paid, given the intent
 * D1 names as its payer (as this customer's AccountDO has it) — "was this
 * payment ours?" (SPEC §5.4: errcode 1 only when an earlier request paid;
 * SPEC §6: told success ⇒ a posted debit):
 *  - settle-first: the payer is still pending; settle it, then ask again;
 *  - unknown: no posted debit can be shown (the object has no such intent,
 *    or has it voided — neither happens while the stores keep their word);
 *  - paid-now: the payer is this request's own intent (its retry after a
 *    reset carries the same request id);
 *  - paid-earlier: another request paid it; nothing was charged now.
 */
export function paidAnswer(payer: { state: IntentState; requestId: string } | null, requestId: string): "settle-first" | "unknown" | "paid-now" | "paid-earlier" {
  if (payer === null) return "unknown";
  switch (payer.state) {
    case "pending":
      return "settle-first";
    case "voided":
      return "unknown";
    case "posted":
      return payer.requestId === requestId ? "paid-now" : "paid-earlier";
  }
}

/**
 * Decimal digits from random bytes, without modulo bias: each byte below 250
 * gives one digit (250 = 25 × 10), others are skipped. The caller supplies
 * enough bytes (twice the digits is ample) and retries on null.
 */
export function randomDigits(count: number, random: Uint8Array): string | null {
  let out = "";
  for (const byte of random) {
    if (byte < 250) out += String(byte % 10);
    if (out.length === count) return out;
  }
  return null;
}

/** The wire's pay password may lose its '+' to form decoding; base64 never holds spaces. */
export function normalizeCiphertext(ciphertext: string): string {
  return ciphertext.trim().replace(/ /g, "+");
}
