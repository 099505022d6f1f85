/**
 * Field constructors for the legacy wire types. Each field carries, once, its
 * description (the seeds' Chinese text), its legacy type and its rules
 * ("Required", "Max length: N", "Min length: N", formats). The same schema
 * validates requests, shapes XML/JSON (through `wire/contract.ts`) and will
 * document the endpoint. No I/O, no clock.
 */
import { z } from "zod";
import { isRealDate } from "../domain/dates";
import { yuanToFen } from "../domain/money";

/** How a leaf member travels on the wire (Json.NET / DataContract types). */
export type WireKind = "string" | "int" | "decimal";

/**
 * Leaf kinds, looked up by `wire/contract.ts`. `clrNullable`: the legacy
 * member is `Nullable<T>` (`int?`, `decimal?`), which only the help pages'
 * sample generator tells apart (it fills such a member from a fresh counter,
 * so the seeds show `InsuranceCount: 1` where a plain `int` shows its position).
 */
export const wireKinds = z.registry<{ kind: WireKind; clrNullable?: boolean }>();

/** DataContract identity of an object schema (root element and namespace). */
export interface DataContractMeta {
  /** Element name of the type: the root element, and the item element in lists. */
  name: string;
  /** CLR namespace; the XML namespace is DATACONTRACT_NS_BASE + this. */
  clrNamespace: string;
  /**
   * Members declared on the base class. DataContractSerializer writes base
   * members first, then the derived class's, each group in ordinal order
   * (SPEC §3: PosPayWithPrepaymentParm writes BillNum, PayPwd, SenderBillNum, DWID, DWSX).
   */
  baseMembers?: readonly string[];
  /** The type's own documentation (shown under "Body Parameters" on the help page). */
  description?: string;
}
export const dataContracts = z.registry<DataContractMeta>();

export const DATACONTRACT_NS_BASE = "http://schemas.datacontract.org/2004/07/";

/** The rule a failed custom check broke; `errors.ts` turns it into a result code. */
export type Rule = "required" | "format" | "range" | "conflict";
export interface RuleParams {
  rule: Rule;
  /** Chinese text after the field name, e.g. "必须是yyyyMMdd格式的有效日期". */
  text: string;
}

/** Missing (undefined/null) reads as "required", anything else as a type error. */
const typeError = (issue: { input?: unknown }) => (issue.input == null ? "required" : "type");

interface TextOptions {
  description: string;
  required?: boolean;
  max?: number;
  min?: number;
  /** An extra format rule. */
  format?: { test: (value: string) => boolean; text: string };
}

/** A legacy `string` member. Optional members accept null and absence. */
export function text(options: TextOptions & { required: true }): z.ZodString;
export function text(options: TextOptions): z.ZodOptional<z.ZodNullable<z.ZodString>>;
export function text(options: TextOptions): z.ZodString | z.ZodOptional<z.ZodNullable<z.ZodString>> {
  const leaf = stringRules(options).describe(options.description);
  wireKinds.add(leaf, { kind: "string" });
  return options.required ? leaf : leaf.nullable().optional();
}

/** A string with `text()`'s rules, undescribed: a member's leaf, or a list's item. */
function stringRules(options: Omit<TextOptions, "description">): z.ZodString {
  let leaf = z.string({ error: typeError });
  if (options.required) {
    // .NET's [Required] refuses null, "" and whitespace-only strings.
    leaf = leaf.refine((v) => v.trim().length > 0, { params: rule("required", "为必填项") });
  }
  if (options.min !== undefined) leaf = leaf.min(options.min);
  if (options.max !== undefined) leaf = leaf.max(options.max);
  const format = options.format;
  if (format) leaf = leaf.refine((v) => v === "" || format.test(v), { params: rule("format", format.text) });
  return leaf;
}

interface TextListOptions {
  description: string;
  /** The list itself must be there (absent and null refused). */
  required?: boolean;
  minItems?: number;
  maxItems?: number;
  /** Each item's length bounds, as `text()`'s min/max. */
  minLength?: number;
  maxLength?: number;
  /** Each item's extra format rule. */
  format?: TextOptions["format"];
}

/**
 * A legacy `List<string>` member (SPEC §10's `ticketcodes`): a JSON array of
 * strings, DataContract XML `<d2p1:string>` items (see `wire/xml.ts`).
 * Each item is a required `text()`: a null or blank item is refused, naming
 * it (`ticketcodes[1] 为必填项`), as is one too long (`ticketcodes[2]
 * 长度不能超过30`); the list's own size has its own rule (`ticketcodes
 * 不能超过100项`). An optional list accepts null and absence.
 */
export function textList(options: TextListOptions & { required: true }): z.ZodArray<z.ZodString>;
export function textList(options: TextListOptions): z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>;
export function textList(options: TextListOptions): z.ZodArray<z.ZodString> | z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>> {
  const item = stringRules({ required: true, min: options.minLength, max: options.maxLength, format: options.format });
  wireKinds.add(item, { kind: "string" });
  let list = z.array(item, { error: typeError });
  if (options.minItems !== undefined) list = list.min(options.minItems);
  if (options.maxItems !== undefined) list = list.max(options.maxItems);
  list = list.describe(options.description);
  return options.required ? list : list.nullable().optional();
}

interface IntOptions {
  description: string;
  required?: boolean;
  min?: number;
  max?: number;
  /** The legacy member is `int?` (see `wireKinds`); documentation only. */
  clrNullable?: boolean;
}

/** A legacy `integer` member (Int32). */
export function int(options: IntOptions & { required: true }): z.ZodNumber;
export function int(options: IntOptions): z.ZodOptional<z.ZodNullable<z.ZodNumber>>;
export function int(options: IntOptions): z.ZodNumber | z.ZodOptional<z.ZodNullable<z.ZodNumber>> {
  let leaf = z.number({ error: typeError }).int().min(options.min ?? -2147483648).max(options.max ?? 2147483647);
  leaf = leaf.describe(options.description);
  wireKinds.add(leaf, { kind: "int", clrNullable: options.clrNullable });
  return options.required ? leaf : leaf.nullable().optional();
}

/**
 * A legacy `decimal number` member holding money in yuan. Carried as canonical
 * decimal text so no binary float ever touches an amount; at most 2 decimals.
 */
export function money(options: { description: string; required?: boolean; clrNullable?: boolean }) {
  let leaf = z
    .string({ error: typeError })
    .refine((v) => { const fen = yuanToFen(v); return fen !== null && fen >= 0; }, {
      params: rule("format", "必须是不小于0且最多两位小数的金额"),
    });
  leaf = leaf.describe(options.description);
  wireKinds.add(leaf, { kind: "decimal", clrNullable: options.clrNullable });
  return options.required ? leaf : leaf.nullable().optional();
}

/**
 * A DataContract object type. Member order here is the JSON (declaration)
 * order. The type's own description stays in its DataContract entry: a
 * description on the schema itself belongs to a member (see `member`).
 */
export function contract<Shape extends z.ZodRawShape>(meta: DataContractMeta, shape: Shape) {
  const schema = z.object(shape);
  dataContracts.add(schema, meta);
  return schema;
}

/**
 * A contract with a rule across its members (a superRefine): zod returns a
 * clone, which is registered as the same DataContract. The rule runs only
 * once every member passed its own rules.
 */
export function refinedContract<Type extends z.ZodObject>(type: Type, check: (value: z.infer<Type>, ctx: z.RefinementCtx) => void): Type {
  const meta = dataContracts.get(type);
  if (!meta) throw new Error("refinedContract() needs a contract() type");
  const refined = type.superRefine(check) as unknown as Type;
  dataContracts.add(refined, meta);
  return refined;
}

/**
 * A member typed by another contract, with the member's own description (the
 * seed's `payparm`: "支付的参数。"). `.describe()` clones a schema, so the clone
 * is registered as the same DataContract; validation is the type's.
 */
export function member<Type extends z.ZodObject>(type: Type, description: string): Type {
  const meta = dataContracts.get(type);
  if (!meta) throw new Error("member() needs a contract() type");
  const described = type.describe(description);
  dataContracts.add(described, meta);
  return described;
}

export function rule(name: Rule, text: string): RuleParams {
  return { rule: name, text };
}

// Formats named by SPEC §3.
export const formats = {
  date: { test: isRealDate, text: "必须是yyyyMMdd格式的有效日期" },
  mobile: { test: (v: string) => /^1\d{10}$/.test(v), text: "必须是11位手机号码" },
  dwlx: { test: (v: string) => /^[1-7]$/.test(v), text: "取值必须是1到7" },
  timeOfDay: { test: (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), text: "必须是HH:mm格式的时间" },
  flag01: { test: (v: string) => v === "0" || v === "1", text: "取值必须是0或1" },
} as const;
