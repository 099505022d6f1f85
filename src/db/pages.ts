/** Opaque keyset cursors for paged lists: base64url of the last row's sort key. */
import { base64url } from "../domain/tokens";

export function encodeCursor(key: readonly (string | number)[]): string {
  return base64url(new TextEncoder().encode(JSON.stringify(key)));
}

export function decodeCursor(cursor: string | undefined): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const text = new TextDecoder().decode(Uint8Array.from(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
    const key = JSON.parse(text) as unknown;
    return Array.isArray(key) && key.every((k) => typeof k === "string" || typeof k === "number") ? key : null;
  } catch {
    return null;
  }
}

/**
 * Where a newest-first page starts: after the cursor's key (time, id), or
 * above every key for the first page. Lists compare `(time, id) < key`, so
 * each page is one range of an index (time, id) — never a scan and a sort
 * (issue 19).
 */
export function newestFirstAfter(cursor: string | undefined): [number, string] {
  const key = decodeCursor(cursor);
  return key && typeof key[0] === "number" && typeof key[1] === "string" ? [key[0], key[1]] : [Number.MAX_SAFE_INTEGER, ""];
}

/** Builds a statement's numbered parameters as its clauses are chosen: `bind(value)` returns "?N". */
export function parameters(): { bind: (value: string | number | null) => string; values: (string | number | null)[] } {
  const values: (string | number | null)[] = [];
  return { bind: (value) => (values.push(value), `?${values.length}`), values };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Fetch limit + 1 rows; the extra one says whether there is a next page. */
export function pageOf<Row, T>(rows: Row[], limit: number, toItem: (row: Row) => T, keyOf: (row: Row) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(toItem), nextCursor: more ? encodeCursor(keyOf(kept[kept.length - 1]!)) : null };
}
