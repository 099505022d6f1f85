/** Gate devices for tests, registered through the admin API (SPEC §10 核销). */
import { expect } from "vitest";
import { admin, uniqueId } from "./api";

export const CHECK = "/api/WebInterface/Ticket/Check";

/** A new gate (admitting every product, or only `products`) and its token, shown once. */
export async function aGate(products: string[] | null = null): Promise<{ gateId: string; token: string }> {
  const gateId = uniqueId("G");
  const put = await admin("PUT", `/admin/gates/${gateId}`, { name: `东门 ${gateId}`, products });
  expect(put.status).toBe(201);
  return { gateId, token: put.body.token };
}
