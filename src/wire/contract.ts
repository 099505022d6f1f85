/**
 * DataContract shapes derived from the zod schemas (the one source of member
 * names, order and types). Pure; no I/O.
 *
 * JSON writes members in declaration order (Json.NET); XML writes them as
 * DataContractSerializer does: base-class members first, each class's
 * members in ordinal (uppercase-first) order.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { dataContracts, DATACONTRACT_NS_BASE, wireKinds, type WireKind } from "../schemas/fields";

export type Member =
  | { name: string; kind: WireKind }
  | { name: string; kind: "object"; contract: Contract }
  | { name: string; kind: "list"; item: Contract }
  /** A `List<string>`: items are `ARRAY_ITEM_NAME` elements in `ARRAYS_NAMESPACE` (see `xml.ts`). */
  | { name: string; kind: "stringList" };

/**
 * DataContractSerializer's namespace for collections of primitives: a
 * `List<string>` is its "ArrayOfstring", each item a `string` element in it.
 */
export const ARRAYS_NAMESPACE = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
export const ARRAY_ITEM_NAME = "string";

export interface Contract {
  /** DataContract name: the root element, and the item element inside lists. */
  name: string;
  /** XML namespace URI. */
  namespace: string;
  /** Declaration (JSON) order. */
  members: readonly Member[];
  /** DataContractSerializer order. */
  xmlMembers: readonly Member[];
  /** Lower-cased member name -> member, for case-insensitive reading. */
  byLowerName: ReadonlyMap<string, Member>;
}

const cache = new WeakMap<z.ZodType, Contract>();

export function contractOf(schema: z.ZodType): Contract {
  const cached = cache.get(schema);
  if (cached) return cached;
  const built = buildContract(schema);
  cache.set(schema, built);
  return built;
}

function buildContract(schema: z.ZodType): Contract {
  const meta = dataContracts.get(schema);
  if (!meta) throw new Error("schema has no DataContract entry (use contract() from schemas/fields)");
  const shape = (schema as z.ZodObject).shape;
  const members = Object.entries(shape).map(([name, field]) => memberOf(name, field as z.ZodType));
  const base = new Set(meta.baseMembers ?? []);
  const xmlMembers = [
    ...members.filter((m) => base.has(m.name)).sort(byOrdinalName),
    ...members.filter((m) => !base.has(m.name)).sort(byOrdinalName),
  ];
  return {
    name: resolveGenericName(meta.name, members),
    namespace: DATACONTRACT_NS_BASE + meta.clrNamespace,
    members,
    xmlMembers,
    byLowerName: new Map(members.map((m) => [m.name.toLowerCase(), m])),
  };
}

function memberOf(name: string, field: z.ZodType): Member {
  const inner = unwrap(field);
  const type = inner.def.type;
  if (type === "object") return { name, kind: "object", contract: contractOf(inner) };
  if (type === "array") return listMember(name, unwrap((inner as z.ZodArray).element as z.ZodType));
  const kind = wireKinds.get(inner)?.kind ?? (type === "number" ? "int" : "string");
  return { name, kind };
}

/** Lists hold contracts or strings: the two the legacy types carry, and the two the formats define. */
function listMember(name: string, item: z.ZodType): Member {
  if (dataContracts.has(item)) return { name, kind: "list", item: contractOf(item) };
  if (item.def.type === "string" && (wireKinds.get(item)?.kind ?? "string") === "string") return { name, kind: "stringList" };
  throw new Error(`list member ${name}: items must be contract() types or strings`);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}

/** String.CompareOrdinal: UTF-16 code units, so "Z" < "a". */
function byOrdinalName(a: Member, b: Member): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Generic DataContract names: "CommonOperationResultWithTagOf{0}{#}" becomes
 * "CommonOperationResultWithTagOf" + T's name + the digest .NET appends,
 * Base64 of the first 6 bytes of MD5(" 1 " + T's namespace) with '+' and '/'
 * spelled "_P" and "_S" (the seed's `...PosPayWithPrepaymentResultldpHZqFJ`).
 */
function resolveGenericName(template: string, members: readonly Member[]): string {
  if (!template.includes("{0}")) return template;
  const tag = members.find((m) => m.name === "tag");
  if (!tag || tag.kind !== "object") throw new Error(`generic contract ${template} needs an object tag`);
  return template.replace("{0}", tag.contract.name).replace("{#}", namespacesDigest(` 1 ${tag.contract.namespace}`));
}

export function namespacesDigest(namespaces: string): string {
  const digest = createHash("md5").update(namespaces, "utf8").digest().subarray(0, 6);
  return digest.toString("base64").replace(/=/g, "").replace(/\//g, "_S").replace(/\+/g, "_P");
}
