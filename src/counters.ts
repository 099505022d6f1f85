/**
 * What a request costs in the units Cloudflare bills (issue 19), counted —
 * not timed — for the benchmark: D1 queries and the rows they read and
 * wrote (each result's `meta.rows_read` / `rows_written`), Durable Object
 * requests (every RPC through a stub, every alarm), the rows each object's
 * SQL read and wrote (SqlStorageCursor `rowsRead` / `rowsWritten`), queue
 * messages sent and delivered, and the Worker's own invocations.
 *
 * Off unless BENCH_COUNTERS = "on" (only `npm run bench` sets it): then
 * every function here hands back exactly what it was given — the same
 * binding objects, the same SqlStorage — so production pays one string
 * comparison per invocation and nothing per query (test/api/counters.test.ts
 * checks both). On, the bindings are wrapped and the counts kept in this
 * module: under `wrangler dev` the Worker, its Durable Objects and its queue
 * consumer share one isolate, so one registry sees them all; the bench reads
 * and resets it through GET/POST /__bench/counters (endpoints/bench.ts).
 */
import type { ConfigVars } from "./config";

/** The bindings this module may wrap; anything else passes through. */
interface MeteredBindings {
  DB?: D1Database;
  ACCOUNT?: DurableObjectNamespace<any>;
  INVENTORY?: DurableObjectNamespace<any>;
  LOGIN_THROTTLE?: DurableObjectNamespace<any>;
  NOTIFY_QUEUE?: Queue<any>;
}

/** One statement's share: how often it ran, what it read and wrote. */
export interface StatementCount {
  runs: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface CountersSnapshot {
  /** Flat totals, e.g. `d1.rowsRead`, `do.InventoryDO.requests`, `queue.sent`. */
  totals: Record<string, number>;
  /** Per statement (whitespace collapsed), keyed `d1: SQL` or `do.<Class>: SQL`. */
  statements: Record<string, StatementCount>;
}

const totals = new Map<string, number>();
const statements = new Map<string, StatementCount>();

/** Tests only (test/api/request-costs.test.ts): count in this isolate whatever the environment says. */
let forced = false;

export function forceCountersForTests(on: boolean): void {
  forced = on;
}

export function countersOn(env: Pick<ConfigVars, "BENCH_COUNTERS">): boolean {
  return forced || env.BENCH_COUNTERS === "on";
}

function add(key: string, n = 1): void {
  totals.set(key, (totals.get(key) ?? 0) + n);
}

function addStatement(key: string, rowsRead: number, rowsWritten: number): void {
  const entry = statements.get(key) ?? { runs: 0, rowsRead: 0, rowsWritten: 0 };
  entry.runs += 1;
  entry.rowsRead += rowsRead;
  entry.rowsWritten += rowsWritten;
  statements.set(key, entry);
}

export function countersSnapshot(): CountersSnapshot {
  flushCursors();
  return { totals: Object.fromEntries([...totals].sort()), statements: Object.fromEntries(statements) };
}

export function resetCounters(): void {
  flushCursors();
  totals.clear();
  statements.clear();
}

const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim().slice(0, 200);

// ---------------------------------------------------------------- invocations

/**
 * The environment a Worker invocation works with: `env` itself when the
 * counters are off; else the same bindings, metered, and this invocation
 * counted under `kind` (worker.requests, worker.queueBatches, worker.crons).
 */
export function meteredInvocation<E extends MeteredBindings & ConfigVars>(env: E, kind: string): E {
  if (!countersOn(env)) return env;
  add(kind);
  return meteredEnv(env);
}

/** A Durable Object's environment: its outgoing D1 and object calls metered (the object's own requests are counted by its callers). */
export function meteredEnv<E extends MeteredBindings & ConfigVars>(env: E): E {
  if (!countersOn(env)) return env;
  const known = wrappedEnvs.get(env);
  if (known) return known as E;
  const overrides: Record<string, unknown> = {};
  if (env.DB) overrides.DB = meteredD1(env.DB);
  if (env.ACCOUNT) overrides.ACCOUNT = meteredNamespace(env.ACCOUNT, "AccountDO");
  if (env.INVENTORY) overrides.INVENTORY = meteredNamespace(env.INVENTORY, "InventoryDO");
  if (env.LOGIN_THROTTLE) overrides.LOGIN_THROTTLE = meteredNamespace(env.LOGIN_THROTTLE, "LoginThrottleDO");
  if (env.NOTIFY_QUEUE) overrides.NOTIFY_QUEUE = meteredQueue(env.NOTIFY_QUEUE);
  const wrapped = new Proxy(env, { get: (target, prop) => (typeof prop === "string" && prop in overrides ? overrides[prop] : Reflect.get(target, prop)) });
  wrappedEnvs.set(env, wrapped);
  return wrapped;
}

const wrappedEnvs = new WeakMap<object, object>();

/** An alarm is a Durable Object request too (it is billed as one). */
export function countAlarm(env: Pick<ConfigVars, "BENCH_COUNTERS">, objectClass: string): void {
  if (!countersOn(env)) return;
  add("do.requests");
  add(`do.${objectClass}.requests`);
  add(`do.${objectClass}.alarms`);
}

/** Messages a queue consumer invocation received. */
export function countDelivered(env: Pick<ConfigVars, "BENCH_COUNTERS">, messages: number): void {
  if (countersOn(env)) add("queue.delivered", messages);
}

// ---------------------------------------------------------------- Durable Object SQL

/**
 * The object's SqlStorage, its rows counted: each cursor is read once the
 * synchronous section that ran it is over (a microtask later), by which time
 * our code has consumed it (every exec site reads its rows at once).
 */
export function meteredSql(sql: SqlStorage, env: Pick<ConfigVars, "BENCH_COUNTERS">, objectClass: string): SqlStorage {
  if (!countersOn(env)) return sql;
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === "exec") {
        return (query: string, ...bindings: unknown[]) => {
          const cursor = target.exec(query, ...bindings);
          trackCursor(objectClass, query, cursor);
          return cursor;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The object's storage with its `sql` metered (for classes that take the storage). */
export function meteredStorage(storage: DurableObjectStorage, env: Pick<ConfigVars, "BENCH_COUNTERS">, objectClass: string): DurableObjectStorage {
  if (!countersOn(env)) return storage;
  const sql = meteredSql(storage.sql, env, objectClass);
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "sql") return sql;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const openCursors: { objectClass: string; query: string; cursor: SqlStorageCursor<any> }[] = [];

function trackCursor(objectClass: string, query: string, cursor: SqlStorageCursor<any>): void {
  if (openCursors.length === 0) queueMicrotask(flushCursors);
  openCursors.push({ objectClass, query, cursor });
}

function flushCursors(): void {
  for (const { objectClass, query, cursor } of openCursors.splice(0)) {
    add("do.sqlStatements");
    add("do.rowsRead", cursor.rowsRead);
    add("do.rowsWritten", cursor.rowsWritten);
    add(`do.${objectClass}.rowsRead`, cursor.rowsRead);
    add(`do.${objectClass}.rowsWritten`, cursor.rowsWritten);
    addStatement(`do.${objectClass}: ${oneLine(query)}`, cursor.rowsRead, cursor.rowsWritten);
  }
}

// ---------------------------------------------------------------- Durable Object requests

function meteredNamespace<N extends DurableObjectNamespace<any>>(namespace: N, objectClass: string): N {
  return new Proxy(namespace, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => meteredStub(Reflect.apply(value, target, args), objectClass);
      return value.bind(target);
    },
  });
}

/** Every method called on the stub is one request to the object. */
function meteredStub<S extends object>(stub: S, objectClass: string): S {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof prop !== "string" || prop === "then" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        add("do.requests");
        add(`do.${objectClass}.requests`);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

// ---------------------------------------------------------------- D1

interface D1Meta {
  rows_read?: number;
  rows_written?: number;
}

function recordD1(query: string, meta: D1Meta | undefined): void {
  const rowsRead = meta?.rows_read ?? 0;
  const rowsWritten = meta?.rows_written ?? 0;
  add("d1.queries");
  add("d1.rowsRead", rowsRead);
  add("d1.rowsWritten", rowsWritten);
  addStatement(`d1: ${oneLine(query)}`, rowsRead, rowsWritten);
}

class MeteredStatement {
  constructor(
    readonly real: D1PreparedStatement,
    readonly query: string,
  ) {}

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.real.bind(...values), this.query);
  }

  async all<T>(): Promise<D1Result<T>> {
    const result = await this.real.all<T>();
    add("d1.roundTrips");
    recordD1(this.query, result.meta);
    return result;
  }

  async run<T>(): Promise<D1Result<T>> {
    const result = await this.real.run<T>();
    add("d1.roundTrips");
    recordD1(this.query, result.meta);
    return result;
  }

  /** first() carries no meta: the same query through all(), its first row (or column) returned. */
  async first<T>(column?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (!row) return null;
    return (column === undefined ? row : (row[column] ?? null)) as T | null;
  }

  async raw<T extends unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    const rows = (await this.all<Record<string, unknown>>()).results;
    const values = rows.map((row) => Object.values(row) as T);
    return options?.columnNames ? [Object.keys(rows[0] ?? {}) as T, ...values] : values;
  }
}

function meteredD1(db: D1Database): D1Database {
  const metered = {
    prepare: (query: string) => new MeteredStatement(db.prepare(query), query),
    async batch<T>(batch: D1PreparedStatement[]): Promise<D1Result<T>[]> {
      const items = batch as unknown as (MeteredStatement | D1PreparedStatement)[];
      const results = await db.batch<T>(items.map((s) => (s instanceof MeteredStatement ? s.real : s)));
      add("d1.roundTrips");
      results.forEach((result, i) => {
        const item = items[i];
        recordD1(item instanceof MeteredStatement ? item.query : "(unmetered statement)", result.meta);
      });
      return results;
    },
    exec: (query: string) => {
      add("d1.roundTrips");
      return db.exec(query);
    },
    dump: () => db.dump(),
    withSession: (constraintOrBookmark?: string) => db.withSession(constraintOrBookmark),
  };
  return metered as unknown as D1Database;
}

// ---------------------------------------------------------------- Queues

function meteredQueue<Q extends Queue<any>>(queue: Q): Q {
  return new Proxy(queue, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "send") return (...args: unknown[]) => (add("queue.sent"), Reflect.apply(value, target, args));
      if (prop === "sendBatch") return (messages: unknown[], ...rest: unknown[]) => (add("queue.sent", messages.length), Reflect.apply(value, target, [messages, ...rest]));
      return value.bind(target);
    },
  });
}
