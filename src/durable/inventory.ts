import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** Stock of one product on one day (SPEC §6, last paragraph). Built by the orders issue. */
export class InventoryDO extends DurableObject<Env> {}
