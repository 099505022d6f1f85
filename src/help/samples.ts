/**
 * Help-page samples: a sample object filled the way ASP.NET's
 * HelpPageSampleGenerator (its ObjectGenerator) fills one, written by OUR
 * wire writers (`writeJson`, `writeXml`) and indented as the help page shows
 * them. Pure.
 *
 * ObjectGenerator's rules, as the seeds show them:
 *  - one counter per object, over its members in declaration order: the N-th
 *    string or number member gets "sample string N" / N (`otheruserid: 2`,
 *    `timespanindex: 10` in OrderAddParm);
 *  - a nested object or list member takes no number; each object starts its
 *    own count (`payparm.orderid` is "sample string 1");
 *  - a `Nullable<T>` member is filled by a fresh generator, so it is always 1
 *    and takes no number either (YearCardOrderAddParm's `InsurancePrice: 1.0`,
 *    `InsuranceCount: 1` between "sample string 17" and "sample string 18");
 *  - a list has two items; a type met twice in one sample is the same object
 *    (the generator's created-objects table), so both items are identical;
 *  - a list of strings is filled by a fresh generator too: "sample string 1",
 *    "sample string 2", whatever its position.
 */
import type { z } from "zod";
import { fieldsOf, modelName, type FieldType } from "../schemas/introspect";
import { contractOf } from "../wire/contract";
import { writeJson } from "../wire/encode";
import { writeXml, type WireObject, type WireValue } from "../wire/xml";

/** ObjectGenerator.DefaultCollectionSize. */
const SAMPLE_LIST_SIZE = 2;

export function sampleObject(schema: z.ZodObject): WireObject {
  return complexSample(schema, new Map());
}

function complexSample(schema: z.ZodObject, created: Map<string, WireObject>): WireObject {
  const type = modelName(schema);
  const existing = created.get(type);
  if (existing) return existing;
  const value: WireObject = {};
  created.set(type, value);
  const counter = { index: 0 };
  for (const field of fieldsOf(schema)) value[field.name] = memberSample(field.type, counter, created);
  return value;
}

function memberSample(type: FieldType, counter: { index: number }, created: Map<string, WireObject>): WireValue {
  switch (type.kind) {
    case "string":
      return `sample string ${++counter.index}`;
    case "int":
      return type.clrNullable ? 1 : ++counter.index;
    case "decimal":
      // Decimals travel as canonical text (fields.ts money()); the writers add Json.NET's ".0".
      return type.clrNullable ? "1" : String(++counter.index);
    case "object":
      return complexSample(type.contract, created);
    case "list":
      return Array.from({ length: SAMPLE_LIST_SIZE }, () => complexSample(type.item, created));
    case "stringList": {
      const items = { index: 0 };
      return Array.from({ length: SAMPLE_LIST_SIZE }, () => `sample string ${++items.index}`);
    }
  }
}

/** The JSON sample: `writeJson`'s output indented as Json.NET's Formatting.Indented. */
export function jsonSample(schema: z.ZodObject): string {
  return indentJson(writeJson(contractOf(schema), sampleObject(schema)));
}

/** The XML sample: `writeXml`'s output indented as XDocument.ToString() does. */
export function xmlSample(schema: z.ZodObject): string {
  return indentXml(writeXml(contractOf(schema), sampleObject(schema)));
}

const INDENT = "  ";

/** Re-indents compact JSON without re-reading it (a re-parse would turn 1.0 into 1). */
export function indentJson(compact: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (c === '"') {
      const end = stringEnd(compact, i);
      out += compact.slice(i, end + 1);
      i = end;
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      if (compact[i + 1] === close) {
        out += c + close;
        i++;
      } else {
        depth++;
        out += `${c}\n${INDENT.repeat(depth)}`;
      }
    } else if (c === "}" || c === "]") {
      depth--;
      out += `\n${INDENT.repeat(depth)}${c}`;
    } else if (c === ",") {
      out += `,\n${INDENT.repeat(depth)}`;
    } else if (c === ":") {
      out += ": ";
    } else {
      out += c;
    }
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  throw new Error("unterminated JSON string");
}

type XmlNode = { tag: string; close: string; children: XmlNode[]; text: string | null } | { selfClosed: string };

/**
 * Indents the writer's compact XML: an element holding only text stays on
 * one line, an element holding elements puts each child on its own line,
 * two spaces per level. Our writer emits no mixed content and no comments.
 */
export function indentXml(compact: string): string {
  const tokens = compact.match(/<[^>]+>|[^<]+/g) ?? [];
  let position = 0;
  const parse = (): XmlNode => {
    const token = tokens[position++]!;
    if (token.endsWith("/>")) return { selfClosed: token };
    const node = { tag: token, close: "", children: [] as XmlNode[], text: null as string | null };
    while (position < tokens.length) {
      const next = tokens[position]!;
      if (next.startsWith("</")) {
        node.close = next;
        position++;
        return node;
      }
      if (next.startsWith("<")) node.children.push(parse());
      else {
        node.text = (node.text ?? "") + next;
        position++;
      }
    }
    throw new Error("unbalanced XML");
  };
  const render = (node: XmlNode, depth: number): string => {
    const pad = INDENT.repeat(depth);
    if ("selfClosed" in node) return pad + node.selfClosed;
    if (node.children.length === 0) return `${pad}${node.tag}${node.text ?? ""}${node.close}`;
    return [pad + node.tag, ...node.children.map((child) => render(child, depth + 1)), pad + node.close].join("\n");
  };
  return render(parse(), 0);
}
