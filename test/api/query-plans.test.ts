/**
 * The operators' reads stay cheap as sales grow (SPEC §12): SQLite's own
 * EXPLAIN QUERY PLAN of every statement the order list, its CSV export and
 * the dashboard send. None scans a table (a plan line "SCAN <table>"; only
 * json_each's virtual table may be scanned: it is one row's JSON); a page of
 * orders walks the index of its leading filter from the page key and is
 * never sorted (no temp B-tree for ORDER BY), except a `q` search, which
 * sorts only the orders its prefix matched. (A temp B-tree for a GROUP BY
 * or a DISTINCT sorts what the window or one order's lines hold.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { exportPageQuery, orderPageQuery, type OrderFilter, type Query } from "../../src/db/order-search";
import { dashboardQueries } from "../../src/db/reports";

async function planOf(q: Query): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).bind(...q.params).all<{ detail: string }>();
  return results.map((r) => r.detail);
}

const scans = (plan: readonly string[]) => plan.filter((line) => /^SCAN /.test(line) && !/^SCAN \w+ VIRTUAL TABLE INDEX/.test(line));

const FILTERS: [string, OrderFilter, RegExp][] = [
  ["none", {}, /^SEARCH o USING INDEX orders_by_created \(\(created_at_ms,order_id\)<\(\?,\?\)\)$/],
  ["customer", { dwid: "C1" }, /^SEARCH o USING INDEX orders_by_customer \(dwid=\? AND \(created_at_ms,order_id\)<\(\?,\?\)\)$/],
  ["date", { effectDate: "20270101" }, /^SEARCH o USING INDEX orders_by_effect_date \(effect_date=\? AND \(created_at_ms,order_id\)<\(\?,\?\)\)$/],
  ["status", { status: "paid" }, /^SEARCH o USING INDEX orders_by_status \(status=\? AND \(created_at_ms,order_id\)<\(\?,\?\)\)$/],
  ["customer, date and status", { dwid: "C1", effectDate: "20270101", status: "paid" }, /^SEARCH o USING INDEX orders_by_customer /],
  ["date and status", { effectDate: "20270101", status: "cancelled" }, /^SEARCH o USING INDEX orders_by_effect_date /],
];

describe("a page of orders (the list and the CSV export)", () => {
  it.each(FILTERS)("filtered by %s: walks its index from the key, no scan, no sort", async (_label, filter, walk) => {
    for (const [name, query] of [["list", orderPageQuery(filter, null, 51)], ["export", exportPageQuery(filter, { createdAtMs: 1, orderId: "x" }, 500)]] as const) {
      const plan = await planOf(query);
      expect(plan[0], `${name}: ${plan.join(" | ")}`).toMatch(walk);
      expect(scans(plan), name).toEqual([]);
      expect(plan.filter((l) => /TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/.test(l)), name).toEqual([]);
    }
  });

  it("q reads the order id and senderid ranges it names, and sorts only what matched", async () => {
    for (const filter of [{ q: "2026112" }, { q: "OTA-", dwid: "C1", status: "paid" as const }]) {
      const plan = await planOf(exportPageQuery(filter, null, 500));
      expect(scans(plan), plan.join(" | ")).toEqual([]);
      expect(plan).toContain("SEARCH orders USING COVERING INDEX sqlite_autoindex_orders_1 (order_id>? AND order_id<?)");
      expect(plan).toContain("SEARCH orders USING INDEX orders_by_sender (sender_id>? AND sender_id<?)");
    }
  });

  it("the export reaches each order's lines and customer by their keys", async () => {
    const plan = await planOf(exportPageQuery({ dwid: "C1" }, null, 500));
    expect(plan.some((l) => /^SEARCH c USING INDEX sqlite_autoindex_customers_1 \(dwid=\?\)( LEFT-JOIN)?$/.test(l)), plan.join(" | ")).toBe(true);
    const lines = plan.filter((l) => /order_items/.test(l));
    expect(lines.length, plan.join(" | ")).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^SEARCH order_items USING (COVERING )?INDEX sqlite_autoindex_order_items_1 \(order_id=\?\)$/);
  });
});

describe("the dashboard", () => {
  it.each(Object.keys(dashboardQueries({ fromMs: 0, dayMs: 1, toMs: 2 })))("%s reads an indexed range of its window, never a whole table", async (part) => {
    const query = dashboardQueries({ fromMs: 1_790_000_000_000, dayMs: 1_792_000_000_000, toMs: 1_792_086_400_000 })[part as keyof ReturnType<typeof dashboardQueries>];
    const plan = await planOf(query);
    expect(scans(plan), plan.join(" | ")).toEqual([]);
    const window: Record<string, RegExp> = {
      salesByProduct: /^SEARCH o USING INDEX orders_by_paid \(paid_at_ms>\? AND paid_at_ms<\?\)$/,
      salesByCustomer: /^SEARCH o USING INDEX orders_by_paid \(paid_at_ms>\? AND paid_at_ms<\?\)$/,
      salesByDay: /^SEARCH o USING INDEX orders_by_paid \(paid_at_ms>\? AND paid_at_ms<\?\)$/,
      refundsByCustomer: /^SEARCH r USING INDEX refunds_by_time \(decided_at_ms>\? AND decided_at_ms<\?\)$/,
      refundsByProduct: /^SEARCH r USING INDEX refunds_by_time \(decided_at_ms>\? AND decided_at_ms<\?\)$/,
      refundsByDay: /^SEARCH r USING INDEX refunds_by_time \(decided_at_ms>\? AND decided_at_ms<\?\)$/,
      checkinsByHour: /^SEARCH tickets USING COVERING INDEX tickets_by_use \(used_at_ms>\? AND used_at_ms<\?\)$/,
      notifications: /^SEARCH outbox USING COVERING INDEX outbox_by_status(_updated)? \(status=\?\)$/,
    };
    expect(plan.some((l) => window[part]!.test(l)), plan.join(" | ")).toBe(true);
  });
});
