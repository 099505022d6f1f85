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
