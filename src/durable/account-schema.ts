/**
 * AccountDO's own SQLite schema (one object per customer). The object checks
 * `schema_version` on wake and applies what is missing. Documented with
 * example rows in docs/storage.md.
 */
export const ACCOUNT_SCHEMA_VERSION = 2;

export const ACCOUNT_SCHEMA_V1 = [
  `CREATE TABLE profile (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     dwid             TEXT NOT NULL,
     dwlx             TEXT NOT NULL,
     login_md5_sealed TEXT NOT NULL,
     pay_md5_sealed   TEXT,
     updated_at_ms    INTEGER NOT NULL)`,
  // Running totals of the ledger and the holds; CHECKs are the last guard of
  // "available never negative" (SPEC §6).
  `CREATE TABLE totals (
     singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
     balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0),
     held_fen    INTEGER NOT NULL CHECK (held_fen >= 0),
     CHECK (held_fen <= balance_fen))`,
  `INSERT INTO totals (singleton, balance_fen, held_fen) VALUES (1, 0, 0)`,
  // Append-only: rows are inserted, and only `copied` ever changes.
  `CREATE TABLE ledger (
     seq               INTEGER PRIMARY KEY AUTOINCREMENT,
     kind              TEXT NOT NULL CHECK (kind IN ('deposit','debit','refund')),
     amount_fen        INTEGER NOT NULL CHECK (amount_fen >= 0),
     balance_after_fen INTEGER NOT NULL CHECK (balance_after_fen >= 0),
     reference         TEXT NOT NULL,
     target            TEXT,
     created_at_ms     INTEGER NOT NULL,
     copied            INTEGER NOT NULL DEFAULT 0 CHECK (copied IN (0,1)),
     UNIQUE (kind, reference))`,
  `CREATE INDEX ledger_uncopied ON ledger (seq) WHERE copied = 0`,
  // Two-phase debits (SPEC §6): pending holds money; posted wrote a debit;
  // voided released it. One live intent per target at most.
  `CREATE TABLE intents (
     intent_id     TEXT PRIMARY KEY,
     target_kind   TEXT NOT NULL CHECK (target_kind IN ('order','bill')),
     target_id     TEXT NOT NULL,
     amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
     state         TEXT NOT NULL CHECK (state IN ('pending','posted','voided')),
     -- the Worker request that placed it: a retry of that request after a
     -- crash recognises its own payment (answered "paid now", not "earlier")
     request_id    TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     decided_at_ms INTEGER)`,
  `CREATE UNIQUE INDEX intents_one_live_per_target ON intents (target_kind, target_id)
     WHERE state IN ('pending','posted')`,
  `CREATE INDEX intents_pending ON intents (created_at_ms) WHERE state = 'pending'`,
  `CREATE TABLE sessions (
     token_sha256    TEXT PRIMARY KEY,
     session_key     TEXT NOT NULL,
     created_at_ms   INTEGER NOT NULL,
     last_seen_at_ms INTEGER NOT NULL)`,
  `CREATE TABLE pay_failures (at_ms INTEGER NOT NULL)`,
];

/**
 * v2 (SPEC §11): suspension and a credentials version in the profile. A
 * session remembers the version it was opened under and is valid only while
 * the profile still has it; a change of password material or a suspension
 * moves the version on, which ends every session at once. Wrong logins are
 * counted for the per-dwid lockout. Existing profiles and sessions start at
 * version 1 together, so an upgrade ends nobody's session.
 */
export const ACCOUNT_SCHEMA_V2 = [
  `ALTER TABLE profile ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1))`,
  `ALTER TABLE profile ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 1 CHECK (credentials_version >= 1)`,
  `ALTER TABLE sessions ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 1`,
  `CREATE TABLE login_failures (at_ms INTEGER NOT NULL)`,
];

/** The statements of version n are `ACCOUNT_SCHEMA_STEPS[n - 1]`. */
const ACCOUNT_SCHEMA_STEPS: readonly (readonly string[])[] = [ACCOUNT_SCHEMA_V1, ACCOUNT_SCHEMA_V2];

/** Applies, on wake, each version the object does not have yet, one transaction per version. */
export function migrateAccountSchema(storage: DurableObjectStorage): void {
  if (ACCOUNT_SCHEMA_STEPS.length !== ACCOUNT_SCHEMA_VERSION) throw new Error("account schema: one step per version");
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number | null }>("SELECT max(version) AS version FROM schema_version").one().version ?? 0;
  for (let version = current + 1; version <= ACCOUNT_SCHEMA_VERSION; version++) {
    storage.transactionSync(() => {
      for (const statement of ACCOUNT_SCHEMA_STEPS[version - 1]!) sql.exec(statement);
      sql.exec("INSERT INTO schema_version (version) VALUES (?)", version);
    });
  }
}
