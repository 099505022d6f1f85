/**
 * Until the issue that builds an endpoint lands, it still routes, parses,
 * negotiates, authenticates and validates, then answers this (foundation
 * issue, point 8).
 */
import { refuse, type Outcome } from "../partner-endpoint";

export async function notYetAvailable(): Promise<Outcome> {
  return refuse("notYetAvailable");
}
