/**
 * InventoryDO's SQLite, read and written synchronously: the day's
 * configuration, the holds and their usage, the seats. Every method runs
 * inside the object's single-threaded turn; callers group writes in
 * `transactionSync`. Schema and example rows: inventory-schema.ts.
 */
import { slotsFromTimes, type DayStock, type SlotConfig, type Usage } from "../domain/stock";
import { INVENTORY_MIGRATIONS } from "./inventory-schema";

/** The operator's configuration of the day; `version` = product_days.updated_at_ms. */
export interface DayConfig {
  productId: string;
  day: string;
  stock: number;
  timeslots: readonly { index: number; start: string; end: string; capacity: number }[] | null;
  version: number;
}

export type HoldState = "held" | "sold" | "released";

/** The day and hold key an order leaves when it moves here (Order/ChangeDate). */
export interface MovedFrom {
  day: string;
  holdKey: string;
}

/** One hold's units for one ID number or mobile (hold_buyers, schema v3). */
export interface BuyerUnits {
  kind: "id" | "mobile";
  buyer: string;
  units: number;
}

/** A configuration a bulk PUT prepared here (schema v6), until its call's decision. */
export interface PendingConfig {
  token: string;
  config: DayConfig;
  expiresAtMs: number;
}

export interface HoldRow {
  order_id: string;
  quantity: number;
  /** Units refunded tickets gave back (schema v4): the hold counts quantity − returned. */
  returned: number;
  slot_index: number | null;
  state: HoldState;
  expires_at_ms: number;
  [column: string]: SqlStorageValue;
}

/** Units per state, for the whole day and per slot index. */
export interface UsageByState {
  held: { day: number; bySlot: Map<number, number> };
  sold: { day: number; bySlot: Map<number, number> };
}

const HOLD_COLUMNS = "order_id, quantity, returned, slot_index, state, expires_at_ms";

type StoredConfig = { productId: string; day: string; stock: number; version: number };

export class InventoryStore {
  /**
   * The stored configuration and its slots as last read (undefined: read
   * them again). Only `adopt` writes them, and it forgets them; the object
   * forgets them too when a transaction fails (`forgetCache`), so a read of
   * a write that was rolled back is never kept. Every hold decides against
   * them (issue 19: two statements per add).
   */
  private config: { stored: StoredConfig | null; slots: SlotConfig[] } | undefined;

  constructor(private readonly sql: SqlStorage) {}

  forgetCache(): void {
    this.config = undefined;
  }

  private readConfig(): { stored: StoredConfig | null; slots: SlotConfig[] } {
    if (this.config) return this.config;
    const row = this.sql
      .exec<{ product_id: string; day: string; stock: number; version: number }>("SELECT product_id, day, stock, version FROM day_config")
      .toArray()[0];
    const stored = row ? { productId: row.product_id, day: row.day, stock: row.stock, version: row.version } : null;
    const slots = stored
      ? this.sql
          .exec<{ slot_index: number; start_minute: number; end_minute: number; capacity: number }>(
            "SELECT slot_index, start_minute, end_minute, capacity FROM slots ORDER BY slot_index",
          )
          .toArray()
          .map((r) => ({ index: r.slot_index, startMinute: r.start_minute, endMinute: r.end_minute, capacity: r.capacity }))
      : [];
    this.config = { stored, slots };
    return this.config;
  }

  /** Applies the schema when the object wakes without it (run inside blockConcurrencyWhile + a transaction). */
  migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = this.sql.exec<{ version: number | null }>("SELECT max(version) AS version FROM schema_version").one();
    for (let version = (row.version ?? 0) + 1; version <= INVENTORY_MIGRATIONS.length; version++) {
      for (const statement of INVENTORY_MIGRATIONS[version - 1]!) this.sql.exec(statement);
      this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", version);
    }
  }

  // ------------------------------------------------------------ configuration

  storedConfig(): StoredConfig | null {
    return this.readConfig().stored;
  }

  /** Stores `config` unless the stored one is newer. */
  adopt(config: DayConfig): void {
    const stored = this.storedConfig();
    if (stored && stored.version > config.version) return;
    const slots = slotsFromTimes(config.timeslots);
    this.config = undefined;
    this.sql.exec(
      `INSERT INTO day_config (singleton, product_id, day, stock, version) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET product_id = excluded.product_id, day = excluded.day,
         stock = excluded.stock, version = excluded.version`,
      config.productId, config.day, config.stock, config.version,
    );
    this.sql.exec("DELETE FROM slots");
    for (const s of slots) {
      this.sql.exec("INSERT INTO slots (slot_index, start_minute, end_minute, capacity) VALUES (?, ?, ?, ?)", s.index, s.startMinute, s.endMinute, s.capacity);
    }
  }

  /** The day as stored, or as `config` says when that is at least as new (without storing it). */
  dayStock(config: DayConfig | null = null): DayStock {
    const { stored, slots } = this.readConfig();
    if (config && (!stored || config.version >= stored.version)) return { stock: config.stock, slots: slotsFromTimes(config.timeslots) };
    if (!stored) return { stock: 0, slots: [] };
    return { stock: stored.stock, slots };
  }

  // ------------------------------------------------------------ configurations prepared in bulk

  pendingConfigs(): PendingConfig[] {
    return this.sql
      .exec<{ token: string; product_id: string; day: string; stock: number; timeslots_json: string | null; version: number; expires_at_ms: number }>(
        "SELECT token, product_id, day, stock, timeslots_json, version, expires_at_ms FROM pending_configs ORDER BY version",
      )
      .toArray()
      .map((r) => ({
        token: r.token,
        config: { productId: r.product_id, day: r.day, stock: r.stock, timeslots: r.timeslots_json ? (JSON.parse(r.timeslots_json) as DayConfig["timeslots"]) : null, version: r.version },
        expiresAtMs: r.expires_at_ms,
      }));
  }

  pendingOf(token: string): PendingConfig | undefined {
    return this.pendingConfigs().find((p) => p.token === token);
  }

  insertPending(p: PendingConfig): void {
    this.sql.exec(
      "INSERT INTO pending_configs (token, product_id, day, stock, timeslots_json, version, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
      p.token, p.config.productId, p.config.day, p.config.stock, p.config.timeslots ? JSON.stringify(p.config.timeslots) : null, p.config.version, p.expiresAtMs,
    );
  }

  deletePending(token: string): void {
    this.sql.exec("DELETE FROM pending_configs WHERE token = ?", token);
  }

  /** The newest version anything here has: the stored configuration's or a pending one's. */
  newestVersion(): number {
    const pending = this.sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM pending_configs").one().v;
    return Math.max(this.storedConfig()?.version ?? 0, pending ?? 0);
  }

  /** When the alarm must ask D1 about the first pending configuration, if any. */
  nextPendingExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(expires_at_ms) AS at FROM pending_configs").one().at;
  }

  // ------------------------------------------------------------ holds

  holdOf(orderId: string): HoldRow | undefined {
    return this.sql.exec<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE order_id = ?`, orderId).toArray()[0];
  }

  /**
   * Held holds whose time has come, oldest first. `INDEXED BY`: without
   * statistics SQLite preferred another index for `state = 'held'` (the
   * holds_usage of versions 1–7) and then read and sorted every held hold
   * of the day (issue 19); the partial index on the expiry reads only the
   * holds it returns.
   */
  expiredHolds(nowMs: number, limit = 10_000): HoldRow[] {
    return this.sql
      .exec<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds INDEXED BY holds_by_expiry WHERE state = 'held' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?`, nowMs, limit)
      .toArray();
  }

  insertHold(h: {
    orderId: string;
    quantity: number;
    slotIndex: number | null;
    seatIds: readonly string[];
    buyers: readonly BuyerUnits[];
    expiresAtMs: number;
    nowMs: number;
    movedFrom: MovedFrom | null;
  }): boolean {
    const inserted = this.sql.exec(
      `INSERT INTO holds (order_id, quantity, slot_index, state, expires_at_ms, created_at_ms, moved_from_day, moved_from_key)
       VALUES (?, ?, ?, 'held', ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`,
      h.orderId, h.quantity, h.slotIndex, h.expiresAtMs, h.nowMs, h.movedFrom?.day ?? null, h.movedFrom?.holdKey ?? null,
    ).rowsWritten > 0;
    if (!inserted) return false;
    this.addUsage("held", h.slotIndex, h.quantity);
    for (const seat of h.seatIds) {
      this.sql.exec("INSERT INTO seats (slot_key, seat_id, order_id) VALUES (?, ?, ?)", slotKey(h.slotIndex), seat, h.orderId);
    }
    for (const b of h.buyers) {
      this.sql.exec("INSERT INTO hold_buyers (kind, buyer, order_id, units) VALUES (?, ?, ?, ?)", b.kind, b.buyer, h.orderId, b.units);
    }
    return true;
  }

  /**
   * Moves a still-held hold to `state`, or keeps it held until
   * `expiresAtMs` (a concurrent confirm or release may have decided it
   * first). A released hold gives its seats back.
   */
  decideHold(orderId: string, state: HoldState, expiresAtMs: number, nowMs: number): void {
    if (state === "held") {
      this.sql.exec("UPDATE holds SET expires_at_ms = ? WHERE order_id = ? AND state = 'held'", expiresAtMs, orderId);
      return;
    }
    const hold = this.holdOf(orderId);
    if (!hold || hold.state !== "held") return;
    this.sql.exec("UPDATE holds SET state = ?, decided_at_ms = ? WHERE order_id = ? AND state = 'held'", state, nowMs, orderId);
    this.addUsage("held", hold.slot_index, -hold.quantity);
    if (state === "sold") {
      this.addUsage("sold", hold.slot_index, hold.quantity);
      // A date change's hold sold: the change committed, and the day it left owes its units back.
      this.sql.exec("UPDATE holds SET move_out = 'due' WHERE order_id = ? AND moved_from_key IS NOT NULL AND move_out IS NULL", orderId);
    }
    if (state === "released") this.forgetBuyersAndSeats(orderId);
  }

  /**
   * The order moved to another day (its date change committed there): the
   * hold's units, held or sold, leave this day's usage. Once per hold.
   */
  moveOutHold(holdKey: string, nowMs: number): "movedOut" | "already" | "unknownOrder" {
    const hold = this.holdOf(holdKey);
    if (!hold) return "unknownOrder";
    if (hold.state === "released") return "already";
    this.sql.exec("UPDATE holds SET state = 'released', decided_at_ms = ? WHERE order_id = ?", nowMs, holdKey);
    this.addUsage(hold.state, hold.slot_index, -(hold.quantity - hold.returned));
    this.forgetBuyersAndSeats(holdKey);
    return "movedOut";
  }

  /** Holds whose old day still owes its release (schema v5). */
  dueMoveOuts(): { order_id: string; moved_from_day: string; moved_from_key: string }[] {
    return this.sql
      .exec<{ order_id: string; moved_from_day: string; moved_from_key: string }>(
        "SELECT order_id, moved_from_day, moved_from_key FROM holds WHERE move_out = 'due' ORDER BY order_id",
      )
      .toArray();
  }

  markMovedOut(holdKey: string): void {
    this.sql.exec("UPDATE holds SET move_out = 'done' WHERE order_id = ? AND move_out = 'due'", holdKey);
  }

  private forgetBuyersAndSeats(holdKey: string): void {
    this.sql.exec("DELETE FROM seats WHERE order_id = ?", holdKey);
    this.sql.exec("DELETE FROM hold_buyers WHERE order_id = ?", holdKey);
  }

  /**
   * A refund's units back in stock (SPEC §10): once per refund. A hold still
   * held is a paid order whose confirmation was lost (a refund proves the
   * payment): it becomes sold first.
   */
  returnUnits(orderId: string, refundId: string, units: number, nowMs: number): "returned" | "already" | "unknownOrder" | "released" {
    if (this.sql.exec("SELECT 1 FROM hold_returns WHERE refund_id = ?", refundId).toArray().length > 0) return "already";
    let hold = this.holdOf(orderId);
    if (!hold) return "unknownOrder";
    if (hold.state === "held") {
      this.decideHold(orderId, "sold", hold.expires_at_ms, nowMs);
      hold = this.holdOf(orderId)!;
    }
    if (hold.state === "released") return "released";
    if (hold.returned + units > hold.quantity) throw new Error(`hold of ${orderId}: returning ${units} more than its ${hold.quantity - hold.returned} sold units`);
    this.sql.exec("UPDATE holds SET returned = returned + ? WHERE order_id = ?", units, orderId);
    this.sql.exec("INSERT INTO hold_returns (refund_id, order_id, units, returned_at_ms) VALUES (?, ?, ?, ?)", refundId, orderId, units, nowMs);
    this.addUsage("sold", hold.slot_index, -units);
    return "returned";
  }

  /** Keeps usage_totals in step with the holds (same transaction as the hold change). */
  private addUsage(state: "held" | "sold", slotIndex: number | null, units: number): void {
    if (units < 0) {
      // The row exists (its units were added first); SQLite checks an upsert's candidate row, so decrements update.
      this.sql.exec("UPDATE usage_totals SET units = units + ? WHERE state = ? AND slot_key = ?", units, state, slotIndex ?? -1);
      return;
    }
    this.sql.exec(
      `INSERT INTO usage_totals (state, slot_key, units) VALUES (?, ?, ?)
       ON CONFLICT (state, slot_key) DO UPDATE SET units = units + excluded.units`,
      state, slotIndex ?? -1, units,
    );
  }

  // ------------------------------------------------------------ retention (domain/retention.ts)

  /** Released holds decided before `beforeMs`, oldest first, at most `limit`, with the rows that name them. Returns how many went. */
  purgeReleased(beforeMs: number, limit: number): number {
    const ids = this.sql
      .exec<{ order_id: string }>(
        "SELECT order_id FROM holds INDEXED BY holds_released_by_time WHERE state = 'released' AND decided_at_ms < ? ORDER BY decided_at_ms LIMIT ?",
        beforeMs, limit,
      )
      .toArray()
      .map((r) => r.order_id);
    this.deleteHolds(ids);
    return ids.length;
  }

  /**
   * A day gone by keeps only its configuration and usage totals: its holds
   * (held ones excepted: none is left once the day's alarm settled them),
   * at most `limit` of them with the rows that name them. Returns how many went.
   */
  compactHolds(limit: number): number {
    const ids = this.sql.exec<{ order_id: string }>("SELECT order_id FROM holds WHERE state != 'held' LIMIT ?", limit).toArray().map((r) => r.order_id);
    this.deleteHolds(ids);
    return ids.length;
  }

  private deleteHolds(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    for (const table of ["hold_returns", "seats", "hold_buyers", "holds"]) {
      this.sql.exec(`DELETE FROM ${table} WHERE order_id IN (SELECT value FROM json_each(?))`, json);
    }
  }

  /** The earliest expiry among held holds: when the alarm must ring. */
  nextExpiry(): number | null {
    // The first entry of holds_by_expiry (see expiredHolds); min() read every held hold of the day.
    const row = this.sql
      .exec<{ at: number }>("SELECT expires_at_ms AS at FROM holds INDEXED BY holds_by_expiry WHERE state = 'held' ORDER BY expires_at_ms LIMIT 1")
      .toArray()[0];
    return row?.at ?? null;
  }

  // ------------------------------------------------------------ usage and seats

  usageByState(): UsageByState {
    const out: UsageByState = { held: { day: 0, bySlot: new Map() }, sold: { day: 0, bySlot: new Map() } };
    const rows = this.sql.exec<{ state: "held" | "sold"; slot_key: number; units: number }>("SELECT state, slot_key, units FROM usage_totals WHERE units > 0");
    for (const row of rows) {
      const bucket = out[row.state];
      bucket.day += row.units;
      if (row.slot_key !== -1) bucket.bySlot.set(row.slot_key, row.units);
    }
    return out;
  }

  /** The same usage summed from the holds themselves: the totals' audit (tests, and the reliability auditor). */
  usageFromHolds(): UsageByState {
    const out: UsageByState = { held: { day: 0, bySlot: new Map() }, sold: { day: 0, bySlot: new Map() } };
    const rows = this.sql.exec<{ state: "held" | "sold"; slot_index: number | null; units: number }>(
      "SELECT state, slot_index, SUM(quantity - returned) AS units FROM holds WHERE state IN ('held','sold') GROUP BY state, slot_index",
    );
    for (const row of rows) {
      const bucket = out[row.state];
      bucket.day += row.units;
      if (row.slot_index !== null) bucket.bySlot.set(row.slot_index, row.units);
    }
    return out;
  }

  /** Held (whatever their time) plus sold units, minus the holds in `excluding`. */
  usage(excluding: readonly HoldRow[] = []): Usage {
    const split = this.usageByState();
    const bySlot = sumMaps(split.held.bySlot, split.sold.bySlot);
    let day = split.held.day + split.sold.day;
    for (const hold of excluding) {
      day -= hold.quantity;
      if (hold.slot_index !== null) bySlot.set(hold.slot_index, (bySlot.get(hold.slot_index) ?? 0) - hold.quantity);
    }
    return { day, bySlot };
  }

  /** Units live holds (held or sold) take per buyer of this kind, for the buyers asked about (absent: none). */
  buyerUnits(kind: BuyerUnits["kind"], buyers: readonly string[]): Map<string, number> {
    const rows = this.sql.exec<{ buyer: string; units: number }>(
      "SELECT buyer, SUM(units) AS units FROM hold_buyers WHERE kind = ? AND buyer IN (SELECT value FROM json_each(?)) GROUP BY buyer",
      kind, JSON.stringify(buyers),
    );
    return new Map([...rows].map((r) => [r.buyer, r.units]));
  }

  /** The order holding `seat` in the slot (or the slotless day), if any. */
  seatOwner(slotIndex: number | null, seat: string): string | null {
    const row = this.sql.exec<{ order_id: string }>("SELECT order_id FROM seats WHERE slot_key = ? AND seat_id = ?", slotKey(slotIndex), seat).toArray()[0];
    return row?.order_id ?? null;
  }
}

/** seats.slot_key: the slot index, 0 when the day has no slots. */
function slotKey(slotIndex: number | null): number {
  return slotIndex ?? 0;
}

export function sumMaps(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
