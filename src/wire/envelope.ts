/**
 * The two envelope families (SPEC §3): OrderOperatorResult
 * {orderid, sendid, orderstatus, resultcode, returnmessgage} and
 * CommonOperationResult {errcode, errmsg, tag}, with the legacy spellings
 * (`returnmessgage`, `sendid`) kept here and nowhere else: endpoints build
 * their answers with `orderResult` / `commonResult`, and a failure answer
 * in whichever family a response contract belongs to comes from
 * `failureValue`. Pure.
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

/** OrderOperatorResult: the order as the answer echoes it, and its result. */
export function orderResult(echo: Echo, message: string, code = 0): WireObject {
  return {
    orderid: echo.orderid ?? null,
    sendid: echo.sendid ?? null,
    orderstatus: echo.orderstatus ?? null,
    resultcode: code,
    returnmessgage: message,
  };
}

/** CommonOperationResult: `code` 0 unless the contract says otherwise (POS pay: 1 = paid earlier; the gate: a refusal with its ticket). */
export function commonResult(tag: WireObject | null, message: string, code = 0): WireObject {
  return { errcode: code, errmsg: message, tag };
}
