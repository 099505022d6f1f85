// Lists of strings (`List<string>` in the legacy contracts), the member kind
// SPEC §10's refund needs: `textList()` validates each item as `text()` does
// and the list's own size, with messages naming the field, the item index and
// the rule (SPEC §3 "Validation").
import { describe, expect, it } from "vitest";
import type { ResultKey } from "../../src/domain/codes";
import { describeIssues } from "../../src/schemas/errors";
import { ListProbeParm, RequiredListParm } from "../fixtures/string-list-contracts";

/** The result code key and message the pipeline would answer, or "ok". */
function verdict(schema: typeof ListProbeParm | typeof RequiredListParm, value: unknown): { key: ResultKey; message: string } | "ok" {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return "ok";
  const { key, message } = describeIssues(parsed.error.issues);
  return { key, message };
}

describe("textList(): validation", () => {
  const thirty = "T".repeat(30);
  const cases: { name: string; schema: typeof ListProbeParm | typeof RequiredListParm; value: unknown; expected: { key: ResultKey; message: string } | "ok" }[] = [
    { name: "absent optional list", schema: ListProbeParm, value: { orderid: "O" }, expected: "ok" },
    { name: "null optional list", schema: ListProbeParm, value: { orderid: "O", ticketcodes: null }, expected: "ok" },
    { name: "empty list", schema: ListProbeParm, value: { orderid: "O", ticketcodes: [] }, expected: "ok" },
    { name: "items at their longest, the most items", schema: ListProbeParm, value: { orderid: "O", ticketcodes: [thirty, "A", "B"] }, expected: "ok" },
    {
      name: "an item one over its max length",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", "B", `${thirty}X`] },
      expected: { key: "fieldTooLong", message: "ticketcodes[2] 长度不能超过30" },
    },
    {
      name: "one item more than the list's max items",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", "B", "C", "D"] },
      expected: { key: "fieldRange", message: "ticketcodes 不能超过3项" },
    },
    {
      name: "a null item",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", null] },
      expected: { key: "fieldRequired", message: "ticketcodes[1] 为必填项" },
    },
    {
      name: "a blank item ([Required] refuses whitespace-only)",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: [" ", "A"] },
      expected: { key: "fieldRequired", message: "ticketcodes[0] 为必填项" },
    },
    {
      name: "an item that is not a string",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: ["A", { code: "B" }] },
      expected: { key: "fieldType", message: "ticketcodes[1] 类型错误,应为string" },
    },
    {
      name: "a list that is not a list",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: { code: "A" } },
      expected: { key: "fieldType", message: "ticketcodes 类型错误,应为Collection" },
    },
    {
      name: "every failure named, the first one's code",
      schema: ListProbeParm,
      value: { orderid: "O", ticketcodes: [`${thirty}X`, null] },
      expected: { key: "fieldTooLong", message: "ticketcodes[0] 长度不能超过30；ticketcodes[1] 为必填项" },
    },
    { name: "required list present", schema: RequiredListParm, value: { codes: ["AB", "C9"] }, expected: "ok" },
    { name: "required list absent", schema: RequiredListParm, value: {}, expected: { key: "fieldRequired", message: "codes 为必填项" } },
    { name: "required list null", schema: RequiredListParm, value: { codes: null }, expected: { key: "fieldRequired", message: "codes 为必填项" } },
    { name: "fewer items than minItems", schema: RequiredListParm, value: { codes: [] }, expected: { key: "fieldRequired", message: "codes 至少需要1项" } },
    { name: "an item under its min length", schema: RequiredListParm, value: { codes: ["AB", "C"] }, expected: { key: "fieldTooShort", message: "codes[1] 长度不能少于2" } },
    {
      name: "an item breaking its format",
      schema: RequiredListParm,
      value: { codes: ["AB", "cd"] },
      expected: { key: "fieldFormat", message: "codes[1] 只能包含大写字母和数字" },
    },
  ];
  it.each(cases)("$name", ({ schema, value, expected }) => {
    expect(verdict(schema, value)).toEqual(expected);
  });
});
