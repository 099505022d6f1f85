/**
 * What AccountDO's RPC methods take and answer (account.ts): the calls of a
 * payment, a refund, a deposit, a profile change and a statement, and their
 * results — plain values, the same across the RPC boundary.
 */
import type { OrderLookup } from "../db/refunds";
import type { ResultKey } from "../domain/codes";
import type { StatementEntry, StatementWindow } from "../domain/statements";
import type { ProfileInput, SetProfileResult } from "./account-credentials";
import type { LedgerEntry } from "./account-ledger";
import type { BillView, OrderPaymentDetails, OrderView } from "./payment-targets";
import type { RefundView } from "./refund-desk";
export interface AccountSnapshot {
  dwid: string | null;
  balanceFen: number;
  heldFen: number;
  availableFen: number;
}

/** PUT /admin/customers/{dwid}: the profile, and the low-balance threshold (null removes it; absent: unchanged). */
export interface ProfileChange extends ProfileInput {
  lowBalanceFen?: number | null;
}

/** What the change did; `lowBalanceFen` is the threshold now. */
export type ProfileChanged = (Extract<SetProfileResult, { ok: true }> & { lowBalanceFen: number | null }) | Extract<SetProfileResult, { ok: false }>;

/** A statement's first call: the period, and its first page (from `offset`). null: no such customer. */
export type StatementStart = { window: StatementWindow; entries: StatementEntry[] } | null;

export type DepositResult =
  | { ok: true; duplicate: boolean; entry: LedgerEntry; account: AccountSnapshot }
  | { ok: false; reason: "customerNotFound" | "depositReferenceConflict" | "amountInvalid"; entry?: LedgerEntry };

/** A pay call authenticates itself: one round trip from the Worker (issue 7). */
export interface PayCall {
  token: string;
  /** Names the Worker request; its retry after an object reset sends the same. */
  requestId: string;
  /** The body's dwid/dwlx, which must be the session's customer; null when the endpoint has none. */
  claimedDwid: string | null;
  claimedDwlx: string | null;
  /** The pay-password ciphertext; null when the request carried none. */
  ciphertext: string | null;
}

export interface PayOrderCall extends PayCall, OrderPaymentDetails {
  orderId: string;
}

/** `stock`: the product-days whose holds the InventoryDO should mark sold. */
export type PaidOrder = OrderView;

export type PayOrderResult =
  | { ok: true; alreadyPaid: boolean; order: PaidOrder }
  | { ok: false; reason: ResultKey; message?: string; order?: Omit<PaidOrder, "stock"> };

export interface PayBillCall extends PayCall {
  billNum: string | null;
  senderBillNum: string | null;
}

export type BillState = BillView;

/** A partner's refund call: authenticated inside the object, like a pay. */
export interface PartnerRefundCall {
  token: string;
  requestId: string;
  find: OrderLookup;
  refundNo: string;
  ticketCodes: string[] | null;
  reason: string | null;
}

export type RefundResult = { ok: true; refund: RefundView } | { ok: false; reason: ResultKey; message?: string };

export type PayBillResult = { ok: true; alreadyPaid: boolean; bill: BillState } | { ok: false; reason: ResultKey; message?: string; bill?: BillState };
