/**
 * Reading the contracts back: what the help pages and the OpenAPI document
 * say about each member comes from here, and here only from the zod schemas
 * themselves (their wrappers, checks, descriptions and the `fields.ts`
 * registries) — never from a second table. Pure; no I/O.
 */
import { z } from "zod";
import { dataContracts, wireKinds, type DataContractMeta } from "./fields";

export type FieldType =
  | { kind: "string" | "int" | "decimal"; clrNullable: boolean }
  | { kind: "object"; contract: z.ZodObject }
  | { kind: "list"; item: z.ZodObject }
  /** A `List<string>` (`textList()`): `item` holds each item's rules. */
  | { kind: "stringList"; item: z.ZodString };

export interface FieldInfo {
  name: string;
  /** The member's description: on its wrappers or on the leaf (`text()`, `member()`, `.describe()`). */
  description: string | undefined;
  /** Validation refuses absence (zod's own answer for `undefined`). */
  required: boolean;
  /** Validation accepts null. */
  nullable: boolean;
  /** String length checks (`.min()`/`.max()`), as the legacy [MinLength]/[MaxLength]. */
  minLength: number | undefined;
  maxLength: number | undefined;
  type: FieldType;
  /** The schema inside optional/nullable/default wrappers. */
  leaf: z.ZodType;
}

/** The DataContract entry of a `contract()` (or `member()`) schema. */
export function contractMeta(schema: z.ZodType): DataContractMeta {
  const meta = dataContracts.get(schema);
  if (!meta) throw new Error("schema has no DataContract entry (use contract() from schemas/fields)");
  return meta;
}

export function isContract(schema: z.ZodType): schema is z.ZodObject {
  return dataContracts.has(schema);
}

/** Members in declaration (JSON) order. */
export function fieldsOf(schema: z.ZodObject): FieldInfo[] {
  contractMeta(schema);
  return Object.entries(schema.shape).map(([name, field]) => fieldInfo(name, field as z.ZodType));
}

function fieldInfo(name: string, field: z.ZodType): FieldInfo {
  let description: string | undefined;
  let nullable = false;
  let current = field;
  for (;;) {
    description ??= descriptionOf(current);
    const def = current.def as { type: string; innerType?: z.ZodType };
    if (def.type === "nullable") nullable = true;
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType) current = def.innerType;
    else break;
  }
  const leaf = current;
  const strings = leaf instanceof z.ZodString ? leaf : undefined;
  return {
    name,
    description,
    required: !field.safeParse(undefined).success,
    nullable,
    minLength: positive(strings?.minLength),
    maxLength: strings?.maxLength ?? undefined,
    type: typeOf(leaf),
    leaf,
  };
}

/** zod keeps `.describe()` text in its global registry, per schema instance. */
function descriptionOf(schema: z.ZodType): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

function positive(n: number | null | undefined): number | undefined {
  return n === null || n === undefined || n <= 0 ? undefined : n;
}

function typeOf(leaf: z.ZodType): FieldType {
  if (leaf.def.type === "object") return { kind: "object", contract: leaf as z.ZodObject };
  if (leaf.def.type === "array") {
    const item = unwrap((leaf as z.ZodArray).element as z.ZodType);
    if (isContract(item)) return { kind: "list", item: item as z.ZodObject };
    if (item instanceof z.ZodString && (wireKinds.get(item)?.kind ?? "string") === "string") return { kind: "stringList", item };
    throw new Error("a list member's items must be a contract() type or strings");
  }
  const registered = wireKinds.get(leaf);
  const kind = registered?.kind ?? (leaf.def.type === "number" ? "int" : "string");
  return { kind, clrNullable: registered?.clrNullable ?? false };
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType) current = def.innerType;
    else return current;
  }
}

/**
 * The type's name as the legacy help generator prints it (ASP.NET's
 * ModelNameHelper): the class name, and for a generic the definition's name
 * + "Of" + the argument's — `CommonOperationResultWithTagOfPosPayWithPrepaymentResult`,
 * where the DataContract name appends a digest (see `wire/contract.ts`).
 */
export function modelName(schema: z.ZodObject): string {
  const { name } = contractMeta(schema);
  if (!name.includes("{0}")) return name;
  const tag = fieldsOf(schema).find((f) => f.name === "tag");
  if (!tag || tag.type.kind !== "object") throw new Error(`generic contract ${name} needs an object tag`);
  return name.replace("{0}", modelName(tag.type.contract)).replace("{#}", "");
}

/** The type's own documentation (the legacy class's summary), if it has one. */
export function contractDescription(schema: z.ZodObject): string | undefined {
  return contractMeta(schema).description;
}

/** Every contract reachable from `roots` (members and list items), each DataContract once, roots first. */
export function reachableContracts(roots: readonly z.ZodObject[]): z.ZodObject[] {
  const seen = new Map<string, z.ZodObject>();
  const visit = (schema: z.ZodObject) => {
    const name = modelName(schema);
    if (seen.has(name)) return;
    seen.set(name, schema);
    for (const field of fieldsOf(schema)) {
      if (field.type.kind === "object") visit(field.type.contract);
      if (field.type.kind === "list") visit(field.type.item);
    }
  };
  roots.forEach(visit);
  return [...seen.values()];
}
