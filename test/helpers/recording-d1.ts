/**
 * A D1 binding that runs every statement on the real database and records
 * what ran: its SQL and the values bound to it, and which caller ran it.
 * The query-plan test (test/db/statement-plans.test.ts) runs every db/
 * function through it, then asks SQLite how it plans each statement.
 */
export interface RecordedStatement {
  /** Which case ran it ("orders.ts:insertOrder"). */
  caller: string;
  sql: string;
  params: unknown[];
}

class RecordingStatement {
  constructor(
    readonly real: D1PreparedStatement,
    readonly sql: string,
    readonly params: unknown[],
    private readonly record: (sql: string, params: unknown[]) => void,
  ) {}

  bind(...values: unknown[]): RecordingStatement {
    return new RecordingStatement(this.real.bind(...values), this.sql, values, this.record);
  }

  first<T>(column?: string): Promise<T | null> {
    this.record(this.sql, this.params);
    return column === undefined ? this.real.first<T>() : this.real.first<T>(column);
  }

  all<T>(): Promise<D1Result<T>> {
    this.record(this.sql, this.params);
    return this.real.all<T>();
  }

  run<T>(): Promise<D1Result<T>> {
    this.record(this.sql, this.params);
    return this.real.run<T>();
  }

  raw<T extends unknown[]>(): Promise<T[]> {
    this.record(this.sql, this.params);
    return this.real.raw<T>();
  }
}

/** `db` seen through a recorder: what `caller()` names is the caller of each statement. */
export function recordingD1(db: D1Database, out: RecordedStatement[], caller: () => string): D1Database {
  const record = (sql: string, params: unknown[]) => out.push({ caller: caller(), sql, params });
  const recording = {
    prepare: (sql: string) => new RecordingStatement(db.prepare(sql), sql, [], record),
    batch: <T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> => {
      const items = statements as unknown as RecordingStatement[];
      for (const s of items) {
        if (!(s instanceof RecordingStatement)) throw new Error("a statement in the batch was not prepared through the recorder");
        record(s.sql, s.params);
      }
      return db.batch<T>(items.map((s) => s.real));
    },
    exec: (sql: string) => {
      record(sql, []);
      return db.exec(sql);
    },
    dump: () => db.dump(),
    withSession: () => {
      throw new Error("the recorder does not follow sessions");
    },
  };
  return recording as unknown as D1Database;
}
