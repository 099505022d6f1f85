/**
 * CSV as operators open it in Excel (SPEC §12 exports): UTF-8 with a byte
 * order mark (without it Excel reads Chinese as the local code page), CRLF
 * lines, RFC 4180 quoting, and two guards for what a spreadsheet would
 * otherwise do to a value:
 *
 *  - formula injection (OWASP "CSV Injection"): a text field starting with
 *    `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
 *    formula (`=HYPERLINK(…)` in a partner's senderid); it is written with a
 *    leading `'`, which Excel shows as text and does not evaluate;
 *  - long digit strings: Excel reads a 20-digit order id as a number and
 *    shows 2.02611E+19, losing digits; an all-digit field of 12 or more
 *    digits is written with a leading tab, which makes Excel keep it as
 *    text (a common convention in Chinese exports; trim it when parsing).
 *
 * Pure: strings in, strings out.
 */

export const CSV_BOM = "\uFEFF";
const LINE_END = "\r\n";

/** One line: the fields quoted as needed, joined by commas, ending CRLF. */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(",") + LINE_END;
}

export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  else if (/^\d{12,}$/.test(text)) text = `\t${text}`;
  return /[",\r\n\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
