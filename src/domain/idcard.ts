/**
 * Identification documents on orders (SPEC §5.5 "identification type and
 * number consistent, 18-digit resident IDs checksum-verified"; seed
 * yearcard-add-order.txt: XB/Birthday "自动分析" from a 二代证).
 *
 * Pure: no I/O, no clock — "today" comes in as a yyyyMMdd argument.
 */
import { isRealDate } from "./dates";

/** Seed: '1'身份证, '2'护照、回乡证、港澳台胞证, '3'军官证、士兵证, '4'学生证, '5'老年证, '6'残疾证, '9'其他. */
export const ID_TYPES = ["1", "2", "3", "4", "5", "6", "9"] as const;
export type IdType = (typeof ID_TYPES)[number];
export const RESIDENT_ID_TYPE: IdType = "1";

/** Chinese names of the types, as insurers print them. */
export const ID_TYPE_NAMES: Record<IdType, string> = {
  "1": "居民身份证",
  "2": "护照、回乡证、港澳台胞证",
  "3": "军官证、士兵证",
  "4": "学生证",
  "5": "老年证",
  "6": "残疾证",
  "9": "其他证件",
};

/**
 * First two digits of a resident ID: the province of the issuing office
 * (GB/T 2260), 81/82/83 for residence permits of Hong Kong, Macao and
 * Taiwan residents; a leading 9 marks the 2023 foreigners' permanent
 * residence ID card, which shares the GB 11643 layout.
 */
const PROVINCES = new Set([
  "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
  "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
  "71", "81", "82", "83",
]);

/** GB 11643-1999 ISO 7064 MOD 11-2 weights of the first 17 digits, and the check characters. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = "10X98765432";

/** Other documents: letters, digits and the separators seen on passports and permits. */
const OTHER_ID_PATTERN = /^[A-Za-z0-9()（）-]{4,20}$/;

export type Sex = "M" | "W";

export interface ResidentId {
  birthDate: string;
  /** Seed XB: M 男性, W 女性 (the 17th digit: odd male, even female). */
  sex: Sex;
}

export type IdProblem = "residentIdFormat" | "residentIdChecksum" | "residentIdBirthDate" | "idNumberFormat";

export type ResidentIdResult = { ok: true; id: ResidentId } | { ok: false; problem: IdProblem };

/** The GB 11643 check character of the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/**
 * An 18-character resident ID: 6-digit region, birth date yyyyMMdd (a real
 * day, not after today), 3-digit sequence, check character (0-9 or X).
 * First-generation 15-digit numbers left circulation in 2013 and are refused.
 */
export function parseResidentId(number: string, today: string): ResidentIdResult {
  const upper = number.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(upper)) return { ok: false, problem: "residentIdFormat" };
  const province = upper.slice(0, 2);
  if (!PROVINCES.has(province) && upper[0] !== "9") return { ok: false, problem: "residentIdFormat" };
  if (residentIdCheckChar(upper) !== upper[17]) return { ok: false, problem: "residentIdChecksum" };
  const birthDate = upper.slice(6, 14);
  if (!isRealDate(birthDate) || birthDate > today) return { ok: false, problem: "residentIdBirthDate" };
  const sex: Sex = Number(upper[16]) % 2 === 1 ? "M" : "W";
  return { ok: true, id: { birthDate, sex } };
}

/**
 * Checks a document's number against its type. The type defaults to '1'
 * when only a number is given (the seed's first and usual type; a number
 * that is no resident ID must say what it is).
 */
export function checkIdentification(type: IdType, number: string, today: string): IdProblem | null {
  if (type === RESIDENT_ID_TYPE) {
    const parsed = parseResidentId(number, today);
    return parsed.ok ? null : parsed.problem;
  }
  return OTHER_ID_PATTERN.test(number.trim()) ? null : "idNumberFormat";
}

export function isIdType(value: string): value is IdType {
  return (ID_TYPES as readonly string[]).includes(value);
}

/** The canonical form stored and compared for limits: trimmed, X upper-cased. */
export function normalizeIdNumber(number: string): string {
  return number.trim().toUpperCase();
}
