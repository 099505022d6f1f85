/**
 * DataContract XML: the strict writer and the lenient reader (SPEC §3).
 *
 * The writer reproduces DataContractSerializer: root named after the type
 * with `xmlns:i` then the default namespace, members in contract order, every
 * member written, null as `<x i:nil="true" />`, a nested type of another
 * namespace under a `d{depth}p1:` prefix declared on its member element, a
 * `List<string>` as `string` items in .NET's Arrays namespace, declared the
 * same way (on a null list too, before `i:nil`, as .NET does).
 *
 * The reader accepts any member order, any or no namespaces, and refuses a
 * DOCTYPE before parsing (no entity declarations can then exist).
 */
import { XMLParser } from "fast-xml-parser";
import { ARRAY_ITEM_NAME, ARRAYS_NAMESPACE, type Contract, type Member } from "./contract";
import { MAX_XML_DEPTH } from "./limits";

const XSI = "http://www.w3.org/2001/XMLSchema-instance";

export type WireValue = string | number | null | undefined | WireObject | WireValue[];
export interface WireObject {
  [member: string]: WireValue;
}

export function writeXml(contract: Contract, value: WireObject): string {
  const body = writeMembers(contract, value, new Map([[contract.namespace, ""]]), 1);
  return `<${contract.name} xmlns:i="${XSI}" xmlns="${contract.namespace}">${body}</${contract.name}>`;
}

/** Members of `contract`, written by an element at `depth` (root = 1). */
function writeMembers(contract: Contract, value: WireObject, scope: Map<string, string>, depth: number): string {
  const prefix = scope.get(contract.namespace) ?? "";
  let out = "";
  for (const member of contract.xmlMembers) {
    out += writeMember(member, value[member.name], prefix, scope, depth + 1);
  }
  return out;
}

function writeMember(member: Member, value: WireValue, prefix: string, scope: Map<string, string>, depth: number): string {
  const tag = prefix ? `${prefix}:${member.name}` : member.name;
  if (member.kind === "stringList") return writeStringList(tag, value as WireValue[] | null | undefined, scope, depth);
  if (value === null || value === undefined) return `<${tag} i:nil="true" />`;
  switch (member.kind) {
    case "string":
    case "int":
    case "decimal":
      return `<${tag}>${escapeText(String(value))}</${tag}>`;
    case "object": {
      const { declaration, inner } = enterNamespace(member.contract.namespace, scope, depth);
      return `<${tag}${declaration}>${writeMembers(member.contract, value as WireObject, inner, depth)}</${tag}>`;
    }
    case "list": {
      const items = value as WireObject[];
      const { declaration, inner } = enterNamespace(member.item.namespace, scope, depth);
      const itemPrefix = inner.get(member.item.namespace) ?? "";
      const itemTag = itemPrefix ? `${itemPrefix}:${member.item.name}` : member.item.name;
      let out = "";
      for (const item of items) {
        out += item === null
          ? `<${itemTag} i:nil="true" />`
          : `<${itemTag}>${writeMembers(member.item, item, inner, depth + 1)}</${itemTag}>`;
      }
      // An empty collection: start and end with nothing between, which .NET's writer shortens.
      return out === "" ? `<${tag}${declaration} />` : `<${tag}${declaration}>${out}</${tag}>`;
    }
  }
}

/**
 * A `List<string>`. DataContractSerializer declares a member type's other
 * namespace on the member's element before it writes the value, so the
 * Arrays namespace is declared for an empty list and for a null one too:
 * `<ticketcodes xmlns:d2p1="…/Arrays" i:nil="true" />` (its class writer,
 * XmlFormatWriterGenerator.WriteMembers; test/unit/string-lists.test.ts
 * gives the evidence).
 */
function writeStringList(tag: string, items: WireValue[] | null | undefined, scope: Map<string, string>, depth: number): string {
  const { declaration, inner } = enterNamespace(ARRAYS_NAMESPACE, scope, depth);
  if (items === null || items === undefined) return `<${tag}${declaration} i:nil="true" />`;
  const itemPrefix = inner.get(ARRAYS_NAMESPACE) ?? "";
  const itemTag = itemPrefix ? `${itemPrefix}:${ARRAY_ITEM_NAME}` : ARRAY_ITEM_NAME;
  let out = "";
  for (const item of items) {
    out += item === null || item === undefined ? `<${itemTag} i:nil="true" />` : `<${itemTag}>${escapeText(String(item))}</${itemTag}>`;
  }
  return out === "" ? `<${tag}${declaration} />` : `<${tag}${declaration}>${out}</${tag}>`;
}

/** A namespace not yet in scope gets the prefix .NET gives it: d{depth}p1. */
function enterNamespace(namespace: string, scope: Map<string, string>, depth: number) {
  if (scope.has(namespace)) return { declaration: "", inner: scope };
  const prefix = `d${depth}p1`;
  const inner = new Map(scope);
  inner.set(namespace, prefix);
  return { declaration: ` xmlns:${prefix}="${namespace}"`, inner };
}

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#xD;"));
}

// ---------------------------------------------------------------- reading

export class XmlRefused extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by `decodeEntities` below: the five XML ones and
  // character references; anything else is refused, as .NET's reader does.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // fast-xml-parser refuses when the open-element stack exceeds this before a push.
  maxNestedTags: MAX_XML_DEPTH - 1,
});

/**
 * Parses XML into a loose tree: elements become objects keyed by local name,
 * leaves become strings, `i:nil="true"` becomes null. Shaping to a contract
 * (lists, numbers, case) happens in `shape.ts`.
 */
export function readXml(xml: string): { root: string; value: unknown } {
  const text = cdataAsText(xml);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlRefused("DOCTYPE/ENTITY not allowed");
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new XmlRefused(error instanceof Error ? error.message : "malformed XML");
  }
  const root = Object.keys(parsed).find((k) => !k.startsWith("?") && !k.startsWith("#") && !k.startsWith("@_"));
  if (!root) throw new XmlRefused("no root element");
  return { root, value: simplify(parsed[root]) };
}

/**
 * CDATA sections become escaped text, in place: their content is literal ('&' and
 * entity-like text included, as .NET's reader takes it), and it joins the text
 * around it in order. fast-xml-parser would otherwise hand CDATA to `decodeEntities`.
 */
function cdataAsText(xml: string): string {
  if (!xml.includes("<![CDATA[")) return xml;
  return xml.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, content: string) => content.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;")));
}

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (node === null || node === undefined) return "";
  if (typeof node !== "object") return decodeEntities(String(node));
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.some(([k, v]) => k === "@_nil" && String(v).trim() === "true")) return null;
  const children = entries.filter(([k]) => !k.startsWith("@_") && k !== "#text");
  if (children.length === 0) {
    const text = (node as Record<string, unknown>)["#text"];
    return text === undefined ? "" : decodeEntities(String(text));
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of children) out[k] = simplify(v);
  return out;
}

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The five predefined entities and character references; any other entity is refused. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&\s]*);?/g, (match, name: string) => {
    if (!match.endsWith(";")) throw new XmlRefused("bare '&' in text");
    const predefined = XML_ENTITIES[name];
    if (predefined !== undefined) return predefined;
    const reference = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (reference) {
      const codePoint = reference[1] !== undefined ? parseInt(reference[1], 16) : Number(reference[2]);
      if (isXmlChar(codePoint)) return String.fromCodePoint(codePoint);
    }
    throw new XmlRefused(`undeclared entity &${name};`);
  });
}

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}
