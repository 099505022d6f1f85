/**
 * The two envelope families (SPEC §3): OrderOperatorResult
 * {orderid, sendid, orderstatus, resultcode, returnmessgage} and
 * CommonOperationResult {errcode, errmsg, tag}. Builds a failure answer in
 * whichever family a response contract belongs to. Pure.
 */
import type { Contract } from "./contract";
import type { WireObject } from "./xml";

export type EnvelopeFamily = "order" | "common";

export function familyOf(contract: Contract): EnvelopeFamily {
  if (contract.byLowerName.has("resultcode")) return "order";
  if (contract.byLowerName.has("errcode")) return "common";
  throw new Error(`${contract.name} is not a result envelope`);
}

export interface Echo {
  orderid?: string | null;
  sendid?: string | null;
  orderstatus?: string | null;
}

export function failureValue(contract: Contract, code: number, message: string, echo: Echo = {}): WireObject {
  return familyOf(contract) === "order"
    ? {
        orderid: echo.orderid ?? null,
        sendid: echo.sendid ?? null,
        orderstatus: echo.orderstatus ?? null,
        resultcode: code,
        returnmessgage: message,
      }
    : { errcode: code, errmsg: message, tag: null };
}
