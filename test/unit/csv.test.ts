/** src/wire/csv.ts: RFC 4180 quoting and the two spreadsheet guards, one line per case. */
import { describe, expect, it } from "vitest";
import { CSV_BOM, csvField, csvLine } from "../../src/wire/csv";

describe("csvField", () => {
  it.each([
    ["plain text", "湘江旅行社", "湘江旅行社"],
    ["a comma", "a,b", '"a,b"'],
    ["a quote", 'say "hi"', '"say ""hi"""'],
    ["a line break", "line1\nline2", '"line1\nline2"'],
    ["a carriage return inside", "a\r\nb", '"a\r\nb"'],
    ["a formula", "=1+2", "'=1+2"],
    ["a formula with a comma and quotes", '=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["a leading plus", "+86138", "'+86138"],
    ["a leading minus", "-5", "'-5"],
    ["a leading at", "@SUM(A1)", "'@SUM(A1)"],
    ["a leading tab", "\tx", "\"'\tx\""],
    ["a leading carriage return", "\rx", "\"'\rx\""],
    ["a minus inside", "a-5", "a-5"],
    ["11 digits (a mobile)", "13800138000", "13800138000"],
    ["20 digits (an order id)", "20261126804215739906", '"\t20261126804215739906"'],
    ["empty", "", ""],
  ])("%s", (_label, value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it("null is an empty field; numbers are written as they are", () => {
    expect(csvLine([null, 3, "x"])).toBe(",3,x\r\n");
  });

  it("the BOM is U+FEFF, three bytes in UTF-8", () => {
    expect([...new TextEncoder().encode(CSV_BOM)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});
