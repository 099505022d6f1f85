/** Placeholder: the growth scenario is built next. */
import type { Started } from "./servers.ts";

export interface GrowthRow {
  op: string;
  p50MsSmall: number;
  p50MsLarge: number;
  growth: number;
  rowsReadSmall: number;
  rowsReadLarge: number;
  withinBound: boolean;
}

export interface GrowthReport {
  sizes: string;
  rows: GrowthRow[];
  notes: string[];
}

export async function runGrowth(_: { port: number; started: (s: Promise<Started>) => Promise<Started>; stop: (s: Started) => void }): Promise<GrowthReport | null> {
  return null;
}
