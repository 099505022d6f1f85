/** Checks the wire-layer tests share (test/unit/wire-*.test.ts): key order, members kept, wire types, decode failures. */
import { expect } from "vitest";
import type { z } from "zod";
import { CommonOperationResult, OrderOperatorResult } from "../../src/schemas/envelopes";
import { OrderAddParm } from "../../src/schemas/order-add";
import { OrderPayAndActivateByPwdParm, PayOrderUsePayPasswordParm } from "../../src/schemas/order-pay";
import { PosPayWithPrepaymentParm, PosPayWithPrepaymentResponse } from "../../src/schemas/pos";
import { YearCardOrderAddParm } from "../../src/schemas/yearcard";
import { contractOf, type Contract } from "../../src/wire/contract";
import { DecodeError, decodeBody, type DecodeFailure } from "../../src/wire/decode";
import { shapeToContract } from "../../src/wire/shape";
import { ENDPOINTS } from "../fixtures/seed-samples";

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** Every object's key list, by path, recursively: equal lists mean equal key order everywhere. */
export function keyOrder(value: unknown, path = "$"): [string, string[]][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyOrder(item, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const entries = Object.entries(value as Record<string, unknown>);
  return [[path, entries.map(([k]) => k)], ...entries.flatMap(([k, v]) => keyOrder(v, `${path}.${k}`))];
}

/** The value at a dotted path ("orderdetails.0.amount"). */
export function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

/** Every member of `raw` (recursively) is present in `shaped` under the same name. */
export function expectNoMemberDropped(raw: unknown, shaped: unknown, path = "$"): void {
  if (Array.isArray(raw)) {
    expect(Array.isArray(shaped), `${path} is a list`).toBe(true);
    expect((shaped as unknown[]).length, `${path} length`).toBe(raw.length);
    raw.forEach((item, i) => expectNoMemberDropped(item, (shaped as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (raw === null || typeof raw !== "object") return;
  expect(shaped, path).toBeTypeOf("object");
  const shapedKeys = Object.keys(shaped as object);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    expect(shapedKeys, `${path} keeps member ${key}`).toContain(key);
    expectNoMemberDropped(value, (shaped as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

/** Leaves carry the type the contract gives them: int -> integer number, decimal -> decimal text. */
export function expectWireTypes(contract: Contract, value: unknown, path = contract.name): number {
  let checked = 0;
  for (const member of contract.members) {
    const v = (value as Record<string, unknown>)[member.name];
    const where = `${path}.${member.name}`;
    if (v === null || v === undefined) continue;
    checked++;
    switch (member.kind) {
      case "int":
        expect(Number.isInteger(v), `${where} = ${JSON.stringify(v)} is an integer`).toBe(true);
        break;
      case "decimal":
        expect(typeof v, `${where} is decimal text`).toBe("string");
        expect(v, where).toMatch(/^-?\d+(\.\d+)?$/);
        break;
      case "string":
        expect(typeof v, `${where} is a string`).toBe("string");
        break;
      case "object":
        checked += expectWireTypes(member.contract, v, where);
        break;
      case "list":
        expect(Array.isArray(v), `${where} is a list`).toBe(true);
        (v as unknown[]).forEach((item, i) => (checked += expectWireTypes(member.item, item, `${where}[${i}]`)));
        break;
    }
  }
  return checked;
}

export function decodeError(run: () => unknown): DecodeFailure | "no error" | string {
  try {
    run();
    return "no error";
  } catch (error) {
    return error instanceof DecodeError ? error.reason : `not a DecodeError: ${String(error)}`;
  }
}

export const decodeShaped = (schema: z.ZodType, body: string | Uint8Array, contentType: string) =>
  shapeToContract(contractOf(schema), decodeBody(typeof body === "string" ? utf8(body) : body, contentType));

/** The seeds with a request sample, their contracts, and the non-string values their samples carry. */
export interface SeedCase {
  endpoint: string;
  request: z.ZodType;
  response: z.ZodType;
  /** Non-string values the seed's samples carry, after shaping (XML writes them as text). */
  typed: Record<string, unknown>;
}

export const seedCases: SeedCase[] = [
  { endpoint: ENDPOINTS.orderPayByPassword, request: OrderPayAndActivateByPwdParm, response: OrderOperatorResult, typed: {} },
  { endpoint: ENDPOINTS.payOrderMin, request: PayOrderUsePayPasswordParm, response: OrderOperatorResult, typed: {} },
  {
    endpoint: ENDPOINTS.yearCardAddOrder,
    request: YearCardOrderAddParm,
    response: OrderOperatorResult,
    typed: { amount: 2, otheruserid: 4, InsurancePrice: "1", InsuranceCount: 1, InsuranceTimeRange: 1 },
  },
  { endpoint: ENDPOINTS.posPayBill, request: PosPayWithPrepaymentParm, response: PosPayWithPrepaymentResponse, typed: {} },
  {
    endpoint: ENDPOINTS.douyinVerify,
    request: OrderAddParm,
    response: CommonOperationResult,
    typed: { otheruserid: 2, timespanindex: 10, "orderdetails.0.amount": 2, "orderdetails.1.amount": 2 },
  },
];
