/**
 * Whether scanned text is a resident ID number (GB 11643: 17 digits and a
 * check character, 0–9 or X, over a real birth date), so the gate screen
 * can send it as `idnumber`. The server's own rules are src/domain/idcard.ts;
 * this only tells an ID from a ticket code, which is 18 digits too.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = "10X98765432";

/** "11010119900307447x" → "11010119900307447X" when it is a resident ID; otherwise null. */
export function residentId(text) {
  const upper = text.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(upper)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(upper[i]) * WEIGHTS[i];
  if (CHECK_CHARS[sum % 11] !== upper[17]) return null;
  const [year, month, day] = [Number(upper.slice(6, 10)), Number(upper.slice(10, 12)), Number(upper.slice(12, 14))];
  const birth = new Date(Date.UTC(year, month - 1, day));
  const real = year >= 1900 && birth.getUTCMonth() === month - 1 && birth.getUTCDate() === day;
  return real ? upper : null;
}
