/**
 * Daily purchase limits (SPEC §5.5 "per ID number per day, per mobile per
 * day"): the units of one product and day bought by one ID number or one
 * mobile, counting live orders (paid, or unpaid and not yet expired) plus
 * this one. Counts come from D1 and may race a concurrent order by a unit
 * or two; stock never races (InventoryDO).
 *
 * Pure.
 */
import type { PlannedLine, ProductRules, RuleRefusal } from "./order-plan";

/** Units per ID number and per mobile, for one product. */
export interface UnitsByKey {
  byId: Map<string, number>;
  byMobile: Map<string, number>;
}

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

export function hasDailyLimits(product: ProductRules): boolean {
  return product.limitPerIdPerDay !== null || product.limitPerMobilePerDay !== null;
}

/** The first limit this order would break, given what live orders already hold. */
export function checkDailyLimits(product: ProductRules, adding: UnitsByKey, existing: UnitsByKey): RuleRefusal | null {
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
