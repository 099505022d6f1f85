/**
 * Shapes a loosely decoded body (JSON, XML, form, BSON) into the contract's
 * own shape before validation: member names matched case-insensitively
 * (Json.NET does), unknown members dropped, lists made lists, numbers read as
 * .NET reads them (" 4 ", "+4", "04"). A value that cannot be read is passed
 * through untouched so the schema reports it against its field. Pure.
 */
import type { Contract, Member } from "./contract";

export function shapeToContract(contract: Contract, loose: unknown): unknown {
  if (loose === null || loose === undefined) return loose;
  // An empty element (`<X/>`, or only whitespace inside) is an object with no members set.
  if (isBlank(loose)) return {};
  if (typeof loose !== "object" || Array.isArray(loose)) return loose;
  // Gather each member's raw value first: two spellings of one member
  // (`payparm` and `PayParm`) fill the same value, as Json.NET does.
  const raw = new Map<Member, unknown>();
  for (const [key, value] of Object.entries(loose as Record<string, unknown>)) {
    const member = contract.byLowerName.get(key.toLowerCase());
    if (member) raw.set(member, combined(member, raw.get(member), value));
  }
  const out: Record<string, unknown> = {};
  for (const [member, value] of raw) out[member.name] = shapeMember(member, value);
  return out;
}

/**
 * A second spelling of a member already read. Json.NET populates what the
 * member already holds (ObjectCreationHandling.Auto): an object's members
 * merge, a list of strings gets the items added (model binding's
 * case-insensitive form keys add up the same way); anything else is replaced.
 */
function combined(member: Member, prior: unknown, value: unknown): unknown {
  if (prior === undefined) return value;
  if (member.kind === "object" && isPlainObject(prior) && isPlainObject(value)) return { ...prior, ...value };
  if (member.kind === "stringList" && prior !== null && value !== null && value !== undefined) return [...listItems(prior), ...listItems(value)];
  return value;
}

function isBlank(value: unknown): boolean {
  return typeof value === "string" && value.trim() === "";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shapeMember(member: Member, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (member.kind) {
    case "string":
      return readText(value);
    case "int":
      return readInt(value);
    case "decimal":
      return readDecimal(value);
    case "object":
      return shapeToContract(member.contract, value);
    case "list":
      return listItems(value).map((item) => shapeToContract(member.item, item));
    case "stringList":
      // A lone value is a list of one: model binding reads a form's `ticketcodes=A` so; Json.NET and
      // DataContractSerializer would refuse `"A"` and `<ticketcodes>A</ticketcodes>`, we read them leniently.
      return listItems(value).map(readText);
  }
}

/** A number or boolean where text belongs is read as its text (Json.NET reads such a token into a string). */
function readText(value: unknown): unknown {
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? String(value) : value;
}

const INT_TEXT = /^\s*[+-]?\d+\s*$/;

function readInt(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return value;
  if (typeof value === "string" && INT_TEXT.test(value)) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
}

function readDecimal(value: unknown): unknown {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value.trim();
  // BSON Decimal128/Double wrappers stringify to their decimal text.
  if (value && typeof value === "object" && typeof (value as { toString?: unknown }).toString === "function") {
    const text = String(value);
    return /^[+-]?\d+(\.\d+)?$/.test(text) ? text : value;
  }
  return value;
}

/**
 * A list arrives as an array (JSON, BSON, form with indexes or a repeated
 * key), as a wrapper element holding item elements (XML:
 * `<orderdetails><OrderAddItemParm>…`, `<ticketcodes><d2p1:string>…`), or as
 * an object keyed by index (form: `items[0]`, `items[1]`).
 */
function listItems(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isBlank(value)) return [];
  if (typeof value !== "object" || value === null) return [value];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  // XML wrapper: each child element (usually all named after the item type) is an item.
  return entries.flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
}
