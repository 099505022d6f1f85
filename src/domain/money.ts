/**
 * Money is an integer count of fen (分) from the wire edge inwards (SPEC §3).
 * This is the one place yuan text becomes fen and back. No I/O, no clock.
 */

/** Largest amount we accept anywhere: 100 million yuan, far below 2^53 fen. */
export const MAX_AMOUNT_FEN = 10_000_000_000;

const YUAN_TEXT = /^([+-]?)(\d+)(?:\.(\d{0,2}))?$/;

/**
 * Parses decimal yuan ("12", "12.5", "12.50", 12.5) into fen. Refuses more
 * than two decimals, exponents and non-numbers by returning null; never rounds.
 */
export function yuanToFen(value: string | number): number | null {
  const text = typeof value === "number" ? numberToPlainText(value) : value.trim();
  if (text === null) return null;
  const match = YUAN_TEXT.exec(text);
  if (!match) return null;
  const [, sign, whole = "", fraction = ""] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (!Number.isSafeInteger(fen) || fen > MAX_AMOUNT_FEN) return null;
  return sign === "-" ? -fen : fen;
}

/** Fen as yuan text with exactly two decimals: 1250 -> "12.50". */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`fen must be an integer, got ${fen}`);
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Fen as a JSON number of yuan (admin API): 1250 -> 12.5. */
export function fenToYuanNumber(fen: number): number {
  return Number(fenToYuan(fen));
}

function numberToPlainText(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  return /e/i.test(text) ? null : text;
}
