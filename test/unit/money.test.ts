/**
 * Yuan text ⇄ fen (src/domain/money.ts), one case a line: what the wire
 * brings (strings from JSON/XML/forms, numbers from the admin JSON), what
 * is refused (null), and the way back. yuanToFen keeps a sign: the schemas
 * refuse negatives (`fen >= 0`, `fen > 0`), not this function.
 */
import { describe, expect, it } from "vitest";
import { fenToYuan, fenToYuanNumber, MAX_AMOUNT_FEN, yuanToFen } from "../../src/domain/money";

describe("yuanToFen: accepted", () => {
  it.each<[label: string, wire: string | number, fen: number]>([
    ["zero", "0", 0],
    ["zero as a number", 0, 0],
    ["zero with two decimals", "0.00", 0],
    ["an integer", "12", 1200],
    ["one decimal", "12.5", 1250],
    ["two decimals", "12.50", 1250],
    ["one fen", "0.01", 1],
    ["a trailing point", "12.", 1200],
    ["leading zeros", "00012.30", 1230],
    ["spaces around the text", " 12.50 ", 1250],
    ["an explicit plus", "+12", 1200],
    ["a number with one decimal", 12.5, 1250],
    ["a number with two decimals", 0.07, 7],
    ["a negative keeps its sign (the schemas refuse it)", "-12.50", -1250],
    ["a negative number keeps its sign", -0.01, -1],
    ["the limit, as text", "100000000", MAX_AMOUNT_FEN],
    ["the limit, with decimals", "100000000.00", MAX_AMOUNT_FEN],
    ["the limit, as a number", 100_000_000, MAX_AMOUNT_FEN],
    ["one fen below the limit", "99999999.99", MAX_AMOUNT_FEN - 1],
    ["minus the limit", "-100000000", -MAX_AMOUNT_FEN],
  ])("%s: %j", (_label, wire, fen) => {
    expect(yuanToFen(wire)).toBe(fen);
  });
});

describe("yuanToFen: refused (null), never rounded", () => {
  it.each<[label: string, wire: string | number]>([
    ["three decimals", "12.345"],
    ["three decimals, the last a zero", "12.500"],
    ["three decimals as a number", 1.005],
    ["a float sum that is not two decimals", 0.1 + 0.2],
    ["no digit before the point", ".5"],
    ["empty", ""],
    ["only spaces", "   "],
    ["a lone sign", "-"],
    ["two signs", "+-1"],
    ["exponent notation", "1e3"],
    ["exponent notation, upper case", "1E3"],
    ["a number JavaScript prints with an exponent (large)", 1e21],
    ["a number JavaScript prints with an exponent (small)", 1e-7],
    ["NaN", Number.NaN],
    ["NaN as text", "NaN"],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["Infinity as text", "Infinity"],
    ["hexadecimal", "0x10"],
    ["a thousands separator", "1,000"],
    ["a decimal comma", "12,50"],
    ["a space inside", "12 .50"],
    ["full-width digits", "１２"],
    ["a currency sign", "¥12"],
    ["one fen over the limit", "100000000.01"],
    ["one fen over the limit, as a number", 100_000_000.01],
    ["one yuan over the limit", "100000001"],
    ["one fen below minus the limit (the limit binds both ways)", "-100000000.01"],
    ["beyond a safe integer of fen", String(Number.MAX_SAFE_INTEGER)],
  ])("%s: %j", (_label, wire) => {
    expect(yuanToFen(wire)).toBeNull();
  });
});

describe("fenToYuan: two decimals, always", () => {
  it.each<[label: string, fen: number, text: string, number: number]>([
    ["zero", 0, "0.00", 0],
    ["one fen", 1, "0.01", 0.01],
    ["ten fen", 10, "0.10", 0.1],
    ["whole yuan", 1200, "12.00", 12],
    ["yuan and fen", 1250, "12.50", 12.5],
    ["a negative", -1250, "-12.50", -12.5],
    ["a negative below one yuan", -5, "-0.05", -0.05],
    ["the limit", MAX_AMOUNT_FEN, "100000000.00", 100_000_000],
    ["one fen below the limit", MAX_AMOUNT_FEN - 1, "99999999.99", 99_999_999.99],
  ])("%s: %d", (_label, fen, text, number) => {
    expect(fenToYuan(fen)).toBe(text);
    expect(fenToYuanNumber(fen)).toBe(number);
  });

  it.each<[label: string, fen: number]>([
    ["a fraction of a fen", 12.5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["beyond a safe integer", 2 ** 53],
  ])("asserts an integer count of fen: %s", (_label, fen) => {
    expect(() => fenToYuan(fen)).toThrow(/fen must be an integer/);
    expect(() => fenToYuanNumber(fen)).toThrow(/fen must be an integer/);
  });
});

describe("round trips: fen → yuan → fen is the identity", () => {
  it.each([0, 1, 9, 10, 99, 100, 101, 1250, 123_456_789, -1, -1250, MAX_AMOUNT_FEN - 1, MAX_AMOUNT_FEN, -MAX_AMOUNT_FEN])("%d fen", (fen) => {
    expect(yuanToFen(fenToYuan(fen))).toBe(fen);
    expect(yuanToFen(fenToYuanNumber(fen))).toBe(fen);
  });
});
