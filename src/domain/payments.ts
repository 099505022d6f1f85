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
