/**
 * A day's admissions folded for the operators (the console's 入园 page):
 * per hour of the Asia/Shanghai day (all 24, empty ones at 0), per gate and
 * per product (most first), and the total. Pure: D1's groups come in
 * (db/checkins.ts).
 */
/** One (hour, gate, product) group of a day's admissions, as D1 counts them. */
export interface CheckinGroup {
  /** 0–23: whole hours since the start of the day asked for. */
  hour: number;
  gateId: string;
  gateName: string | null;
  productId: string;
  productName: string | null;
  count: number;
  firstAtMs: number;
  lastAtMs: number;
}

export const HOURS_PER_DAY = 24;

export interface CheckinCount {
  id: string;
  name: string | null;
  count: number;
  firstAtMs: number;
  lastAtMs: number;
}

export interface CheckinSummary {
  total: number;
  /** index = hour 0–23 */
  byHour: number[];
  byGate: CheckinCount[];
  byProduct: CheckinCount[];
}

export function summarizeCheckins(groups: readonly CheckinGroup[]): CheckinSummary {
  const byHour = new Array<number>(HOURS_PER_DAY).fill(0);
  const gates = new Map<string, CheckinCount>();
  const products = new Map<string, CheckinCount>();
  let total = 0;
  for (const g of groups) {
    if (!(Number.isInteger(g.hour) && g.hour >= 0 && g.hour < HOURS_PER_DAY)) throw new Error(`check-in group outside the day: hour ${g.hour}`);
    byHour[g.hour]! += g.count;
    total += g.count;
    tally(gates, g.gateId, g.gateName, g);
    tally(products, g.productId, g.productName, g);
  }
  return { total, byHour, byGate: ranked(gates), byProduct: ranked(products) };
}

function tally(counts: Map<string, CheckinCount>, id: string, name: string | null, g: CheckinGroup): void {
  const seen = counts.get(id);
  if (!seen) {
    counts.set(id, { id, name, count: g.count, firstAtMs: g.firstAtMs, lastAtMs: g.lastAtMs });
    return;
  }
  seen.count += g.count;
  seen.firstAtMs = Math.min(seen.firstAtMs, g.firstAtMs);
  seen.lastAtMs = Math.max(seen.lastAtMs, g.lastAtMs);
}

/** Most admissions first; ties by id, so the order is stable. */
function ranked(counts: Map<string, CheckinCount>): CheckinCount[] {
  return [...counts.values()].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
