import { expect, it } from "vitest";
import readme from "../../README.md?raw";
import { resultCodesMarkdown, ResultCodes } from "../../src/domain/codes";

it("the README's result-code table is the one in src/domain/codes.ts (run `npm run docs`)", () => {
  expect(readme).toContain(resultCodesMarkdown());
});

it("result codes are unique and never reuse a number", () => {
  const codes = Object.values(ResultCodes).map((c) => c.code);
  expect(new Set(codes).size).toBe(codes.length);
});
