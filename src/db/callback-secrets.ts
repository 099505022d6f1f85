/**
 * D1 `customers.callback_secret_sealed` (migration 0003): the sealed key
 * that signs a customer's callbacks. Only sealed values pass through here;
 * sealing and opening are crypto/sealed.ts's, with the context below.
 */

/** AES-GCM additional data: a secret sealed for one customer does not open as another's. */
export const callbackSecretContext = (dwid: string): string => `customer:${dwid}:callback-secret`;

/**
 * Stores a sealed secret. `onlyIfMissing`: keeps an existing one (the first
 * time a callback URL is set), so two concurrent PUTs cannot both hand out a
 * secret. True when this call stored it; false when the customer does not
 * exist or (onlyIfMissing) already had one.
 */
export async function storeCallbackSecret(db: D1Database, dwid: string, sealed: string, nowMs: number, onlyIfMissing: boolean): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE customers SET callback_secret_sealed = ?2, callback_secret_set_at_ms = ?3
       WHERE dwid = ?1 AND (?4 = 0 OR callback_secret_sealed IS NULL)`,
    )
    .bind(dwid, sealed, nowMs, onlyIfMissing ? 1 : 0)
    .run();
  return result.meta.changes === 1;
}
