/**
 * What InventoryDO's RPC methods take and answer (inventory.ts): an order's
 * ask of a day's stock and the answers of a hold, a configuration (single or
 * prepared in bulk), a snapshot and a stock view — plain values, the same
 * across the RPC boundary.
 */
import type { DailyLimits, LimitRefusal } from "../domain/limits";
import type { DayStock, StockRefusal } from "../domain/stock";
import type { DayConfig, MovedFrom } from "./inventory-store";

export interface InventoryAsk {
  quantity: number;
  timespanIndex: number | null;
  seatIds: readonly string[];
  /** Slots ending at or before this minute (Asia/Shanghai) are over; null when the day is not today. */
  closedBeforeMinute: number | null;
  /** D1's configuration as the caller read it: adopted when newer than the object's. */
  config: DayConfig | null;
  /**
   * Add's share of the daily purchase limits: recorded with the hold and
   * decided in its transaction when the product has limits (a product
   * without them records no buyers: nothing would ever read them, and a
   * mobile shared by many orders made every hold read them all — issue 19;
   * should an operator set limits later that day, the holds placed before
   * count through D1's live orders, which Add also checks, as holds from
   * before schema version 3 do). Absent for Verify's dry run, which counts
   * D1's live orders instead.
   */
  buyers?: BuyerAsk;
  /** An order moving here from another day (Order/ChangeDate): the day and hold it leaves once sold here. */
  movedFrom?: MovedFrom;
}

/**
 * The product's daily limits as the caller read them from D1 (SPEC §5.5),
 * and this order's units per ID number and per mobile for the product.
 */
export interface BuyerAsk {
  limits: DailyLimits;
  byId: readonly (readonly [string, number])[];
  byMobile: readonly (readonly [string, number])[];
}

export type InventoryRefusal = StockRefusal | "seatTaken" | LimitRefusal["key"];
/** A refusal's `detail` names the rule broken (a limit's number), for the guest's message. */
export type HoldResult = { ok: true; slotIndex: number | null } | { ok: false; reason: InventoryRefusal; detail?: string };
/** InventoryDO.stockView(): what Verify may decide from without asking the object. */
export interface StockView {
  version: number | null;
  day: DayStock;
  usage: { day: number; bySlot: { slotIndex: number; units: number }[] };
}

export type ConfirmResult = { ok: true } | { ok: false; reason: "unknownOrder" | "released" };

/**
 * configure(): applied, with the version the object stored (D1 is written
 * with it); or refused because the day (slotIndex null) or a slot would hold
 * less than is sold and held there.
 */
export type ConfigureResult =
  | { ok: true; version: number; snapshot: InventorySnapshot }
  | StockBelowUsage;
export interface StockBelowUsage {
  ok: false;
  reason: "stockBelowUsage";
  slotIndex: number | null;
  capacity: number;
  sold: number;
  held: number;
}

/** prepareConfig(): reserved under the version the object gave it (D1 is written with it), or refused. */
export type PrepareResult = { ok: true; version: number } | StockBelowUsage;
/**
 * commitConfig(): applied; superseded (a newer configuration reached the
 * object first); or unknown (nothing prepared under the token here any more:
 * committed or resolved earlier).
 */
export type CommitResult = { outcome: "applied" | "superseded" | "unknown" };

export interface InventorySnapshot {
  productId: string | null;
  day: string | null;
  version: number | null;
  stock: number;
  held: number;
  sold: number;
  available: number;
  slots: { index: number; startMinute: number; endMinute: number; capacity: number; held: number; sold: number; available: number }[];
}
