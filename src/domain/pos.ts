/**
 * POS retail bills: numbering and totals. Pure: time and randomness come in.
 */
import { shanghaiDate } from "./dates";
import { randomDigits } from "./payments";

/** Random bytes one try of `newBillNum` draws: 11 digits at about 1 in 25 bytes skipped (domain/payments.ts). */
export const BILL_NUM_RANDOM_BYTES = 22;

/** "P" + yyMMdd + 11 random digits: 18 characters (the seed allows 20). */
export function newBillNum(nowMs: number, random: () => Uint8Array): string {
  let digits: string | null = null;
  while (digits === null) digits = randomDigits(11, random());
  return `P${shanghaiDate(nowMs).slice(2)}${digits}`;
}

/** Bill states on the wire (`BillState`). */
export const BILL_STATES = { unpaid: "unpaid", paid: "paid", cancelled: "cancelled" } as const;
