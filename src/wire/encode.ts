/**
 * Response object -> bytes in the negotiated format. Every member of the
 * contract is written, in the format's own order: JSON in declaration order
 * with absent members as null, decimals as written by Json.NET (a decimal
 * point always present), XML by `xml.ts`, BSON with the JSON field names.
 */
import { serialize } from "bson";
import type { Contract, Member } from "./contract";
import type { ResponseFormat } from "./media";
import { writeXml, type WireObject, type WireValue } from "./xml";

export function encodeBody(contract: Contract, value: WireObject, format: ResponseFormat): { body: BodyInit; contentType: string } {
  switch (format.format) {
    case "json":
      return { body: writeJson(contract, value), contentType: `${format.mediaType}; charset=utf-8` };
    case "xml":
      return { body: writeXml(contract, value), contentType: `${format.mediaType}; charset=utf-8` };
    case "bson":
      return { body: serialize(toPlain(contract, value)), contentType: format.mediaType };
  }
}

export function writeJson(contract: Contract, value: WireObject): string {
  let out = "{";
  contract.members.forEach((member, index) => {
    if (index > 0) out += ",";
    out += `${JSON.stringify(member.name)}:${jsonValue(member, value[member.name])}`;
  });
  return `${out}}`;
}

function jsonValue(member: Member, value: WireValue): string {
  if (value === null || value === undefined) return "null";
  switch (member.kind) {
    case "string":
      return JSON.stringify(String(value));
    case "int":
      return String(Number(value));
    case "decimal":
      return jsonDecimal(String(value));
    case "object":
      return writeJson(member.contract, value as WireObject);
    case "list":
      return `[${(value as WireObject[]).map((item) => (item == null ? "null" : writeJson(member.item, item))).join(",")}]`;
    case "stringList":
      return `[${(value as WireValue[]).map((item) => (item == null ? "null" : JSON.stringify(String(item)))).join(",")}]`;
  }
}

/** Json.NET writes a decimal with a decimal point: 1 -> 1.0, 12.50 stays 12.50. */
function jsonDecimal(text: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal: ${text}`);
  return text.includes(".") ? text : `${text}.0`;
}

/** The JSON shape as plain values (for BSON): members in order, nulls written. */
export function toPlain(contract: Contract, value: WireObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of contract.members) {
    const v = value[member.name];
    if (v === null || v === undefined) out[member.name] = null;
    else if (member.kind === "object") out[member.name] = toPlain(member.contract, v as WireObject);
    else if (member.kind === "list") out[member.name] = (v as WireObject[]).map((item) => toPlain(member.item, item));
    else if (member.kind === "stringList") out[member.name] = (v as WireValue[]).map((item) => (item == null ? null : String(item)));
    else if (member.kind === "int" || member.kind === "decimal") out[member.name] = Number(v);
    else out[member.name] = String(v);
  }
  return out;
}
