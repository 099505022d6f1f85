/**
 * Daily purchase limits (SPEC §5.5 "per ID number per day, per mobile per
 * day"): the units of one product and day bought by one ID number or one
 * mobile, counting live orders (paid, or unpaid and not yet expired) plus
 * this one. Add decides in the product-day's InventoryDO, in the same
 * transaction as the hold, from the units it records per hold — exact under
 * any concurrency; Verify (and Add, first) counts D1's live orders, which a
 * concurrent order may race.
 *
 * Pure.
 */
import type { PlannedLine, ProductRules, RuleRefusal } from "./order-plan";

/** Units per ID number and per mobile, for one product. */
export interface UnitsByKey {
  byId: Map<string, number>;
  byMobile: Map<string, number>;
}

/** What the limit rules need of a product. */
export type DailyLimits = Pick<ProductRules, "productId" | "limitPerIdPerDay" | "limitPerMobilePerDay">;

/** What this order adds for `productId`. */
export function orderUnits(lines: readonly PlannedLine[], productId: string): UnitsByKey {
  const units: UnitsByKey = { byId: new Map(), byMobile: new Map() };
  for (const line of lines) {
    if (line.productId !== productId) continue;
    if (line.limitId !== null) add(units.byId, line.limitId, line.quantity);
    add(units.byMobile, line.mobile, line.quantity);
  }
  return units;
}

export function hasDailyLimits(product: DailyLimits): boolean {
  return product.limitPerIdPerDay !== null || product.limitPerMobilePerDay !== null;
}

/** A broken daily limit, naming the product and its rule. */
export interface LimitRefusal extends RuleRefusal {
  key: "idDailyLimitExceeded" | "mobileDailyLimitExceeded";
  detail: string;
}

/** The first limit this order would break, given what live orders already hold. */
export function checkDailyLimits(product: DailyLimits, adding: UnitsByKey, existing: UnitsByKey): LimitRefusal | null {
  const perId = product.limitPerIdPerDay;
  if (perId !== null) {
    for (const [id, units] of adding.byId) {
      if ((existing.byId.get(id) ?? 0) + units > perId) {
        return { key: "idDailyLimitExceeded", detail: `${product.productId}每个证件每天限购${perId}张` };
      }
    }
  }
  const perMobile = product.limitPerMobilePerDay;
  if (perMobile !== null) {
    for (const [mobile, units] of adding.byMobile) {
      if ((existing.byMobile.get(mobile) ?? 0) + units > perMobile) {
        return { key: "mobileDailyLimitExceeded", detail: `${product.productId}每个手机号每天限购${perMobile}张` };
      }
    }
  }
  return null;
}

function add(map: Map<string, number>, key: string, units: number): void {
  map.set(key, (map.get(key) ?? 0) + units);
}
