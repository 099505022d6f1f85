/**
 * Turns schema failures into one result code and a Chinese message naming the
 * field and the rule (SPEC §3: "mobile 长度不能超过11"). The code is the first
 * failure's; the message lists every failure, as ASP.NET's ModelState does.
 */
import type { z } from "zod";
import type { ResultKey } from "../domain/codes";
import type { RuleParams } from "./fields";

export interface ValidationFailure {
  key: ResultKey;
  message: string;
  field: string;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): ValidationFailure {
  const described = issues.map(describeIssue);
  const first = described[0] ?? { key: "fieldFormat" as const, message: "参数错误", field: "" };
  return { key: first.key, field: first.field, message: described.map((d) => d.message).join("；") };
}

function describeIssue(issue: z.core.$ZodIssue): ValidationFailure {
  const field = fieldPath(issue.path);
  const name = field || "请求体";
  const say = (key: ResultKey, text: string) => ({ key, field, message: `${name} ${text}` });
  switch (issue.code) {
    case "invalid_type":
      return issue.input == null || issue.message === "required"
        ? say("fieldRequired", "为必填项")
        : say("fieldType", `类型错误,应为${typeName(issue.expected)}`);
    case "too_big":
      if (issue.origin === "string") return say("fieldTooLong", `长度不能超过${issue.maximum}`);
      if (issue.origin === "array") return say("fieldRange", `不能超过${issue.maximum}项`);
      return say("fieldRange", `不能大于${issue.maximum}`);
    case "too_small":
      if (issue.origin === "string") return say("fieldTooShort", `长度不能少于${issue.minimum}`);
      if (issue.origin === "array") return say("fieldRequired", `至少需要${issue.minimum}项`);
      return say("fieldRange", `不能小于${issue.minimum}`);
    case "custom": {
      const params = issue.params as RuleParams | undefined;
      if (params?.rule === "required") return say("fieldRequired", params.text);
      if (params?.rule === "range") return say("fieldRange", params.text);
      if (params?.rule === "conflict") return say("fieldConflict", params.text);
      return say("fieldFormat", params?.text ?? "格式错误");
    }
    default:
      return say("fieldFormat", "格式错误");
  }
}

/** ["orderdetails", 0, "productid"] -> "orderdetails[0].productid" */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function typeName(expected: string): string {
  if (expected === "number" || expected === "int") return "integer";
  if (expected === "array") return "Collection";
  return expected;
}
