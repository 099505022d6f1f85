/** D1 `customers`: who may call, and where their callbacks go. */
import { decodeCursor, pageOf, type Page } from "./pages";

export interface Customer {
  dwid: string;
  dwlx: string;
  name: string;
  callbackUrl: string | null;
  /** A copy of the AccountDO's standing, for lists (0005); the object decides logins and payments. */
  suspended: boolean;
  /** The agency's own mobile, for the balance_low SMS (0012). */
  contactMobile: string | null;
  /** A copy of the AccountDO's low-balance threshold (0012); the object decides when an alert is due. */
  lowBalanceFen: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

interface CustomerRow {
  dwid: string;
  dwlx: string;
  name: string;
  callback_url: string | null;
  suspended: number;
  contact_mobile: string | null;
  low_balance_fen: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

const toCustomer = (r: CustomerRow): Customer => ({
  dwid: r.dwid,
  dwlx: r.dwlx,
  name: r.name,
  callbackUrl: r.callback_url,
  suspended: r.suspended === 1,
  contactMobile: r.contact_mobile,
  lowBalanceFen: r.low_balance_fen,
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
});

/**
 * `callbackUrl` and `contactMobile` undefined: unchanged; `suspended`,
 * `lowBalanceFen` and `credentialsVersion` are the AccountDO's values after
 * the change, copied. The version copy only moves on (of two PUTs whose
 * copies land out of order, the newer version stays).
 */
export async function upsertCustomer(
  db: D1Database,
  c: {
    dwid: string;
    dwlx: string;
    name: string;
    callbackUrl: string | null | undefined;
    contactMobile: string | null | undefined;
    suspended: boolean;
    lowBalanceFen: number | null;
    credentialsVersion: number;
  },
  nowMs: number,
): Promise<{ created: boolean }> {
  const row = await db
    .prepare(
      `INSERT INTO customers (dwid, dwlx, name, callback_url, suspended, contact_mobile, low_balance_fen, credentials_version, created_at_ms, updated_at_ms)
       VALUES (?1, ?2, ?3, ?4, ?7, ?8, ?10, ?11, ?5, ?5)
       ON CONFLICT (dwid) DO UPDATE SET dwlx = excluded.dwlx, name = excluded.name,
         callback_url = CASE WHEN ?6 THEN excluded.callback_url ELSE customers.callback_url END,
         contact_mobile = CASE WHEN ?9 THEN excluded.contact_mobile ELSE customers.contact_mobile END,
         suspended = excluded.suspended, low_balance_fen = excluded.low_balance_fen,
         credentials_version = max(coalesce(customers.credentials_version, 0), excluded.credentials_version),
         updated_at_ms = excluded.updated_at_ms
       RETURNING created_at_ms = updated_at_ms AS created`,
    )
    .bind(
      c.dwid, c.dwlx, c.name, c.callbackUrl ?? null, nowMs, c.callbackUrl !== undefined ? 1 : 0, c.suspended ? 1 : 0,
      c.contactMobile ?? null, c.contactMobile !== undefined ? 1 : 0, c.lowBalanceFen, c.credentialsVersion,
    )
    .first<{ created: number }>();
  return { created: row?.created === 1 };
}

/**
 * Before a change that may end the customer's sessions reaches its
 * AccountDO: D1's copy of the credentials version becomes unknown, so from
 * the moment the object makes the change no cached session can add an
 * order (db/orders.ts `insertOrder`'s guard), until upsertCustomer copies
 * the new version.
 */
export async function forgetCredentialsVersion(db: D1Database, dwid: string): Promise<void> {
  await db.prepare("UPDATE customers SET credentials_version = NULL WHERE dwid = ?").bind(dwid).run();
}

export async function getCustomer(db: D1Database, dwid: string): Promise<Customer | null> {
  const row = await db.prepare("SELECT * FROM customers WHERE dwid = ?").bind(dwid).first<CustomerRow>();
  return row ? toCustomer(row) : null;
}

/** Search by dwid prefix or name substring; ordered by dwid. */
export async function listCustomers(db: D1Database, q: { search?: string; limit: number; cursor?: string }): Promise<Page<Customer>> {
  const after = (decodeCursor(q.cursor)?.[0] as string | undefined) ?? "";
  const search = q.search?.trim() ?? "";
  const { results } = await db
    .prepare(
      `SELECT * FROM customers
       WHERE dwid > ?1 AND (?2 = '' OR dwid LIKE ?2 || '%' ESCAPE '\\' OR name LIKE '%' || ?2 || '%' ESCAPE '\\')
       ORDER BY dwid LIMIT ?3`,
    )
    .bind(after, escapeLike(search), q.limit + 1)
    .all<CustomerRow>();
  return pageOf(results, q.limit, toCustomer, (r) => [r.dwid]);
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Customers with a low-balance threshold (SPEC §12), at most `limit`, by dwid: the dashboard asks each one's object. */
export async function customersWithThreshold(db: D1Database, limit: number): Promise<{ dwid: string; name: string; lowBalanceFen: number }[]> {
  const { results } = await db
    .prepare("SELECT dwid, name, low_balance_fen FROM customers WHERE low_balance_fen IS NOT NULL ORDER BY dwid LIMIT ?")
    .bind(limit)
    .all<{ dwid: string; name: string; low_balance_fen: number }>();
  return results.map((r) => ({ dwid: r.dwid, name: r.name, lowBalanceFen: r.low_balance_fen }));
}
