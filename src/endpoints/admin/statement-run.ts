/**
 * One statement being produced (SPEC §12): the customer's AccountDO gives the
 * period and its entries page by page (STATEMENT_PAGE_MAX each: one object
 * call and one D1 lookup per page, never the whole statement in memory), each
 * page is checked against D1 as it passes, and after the last page D1's
 * commits of the period that the ledger lacks are looked for. What is
 * different is collected here and listed at the end (domain/statements.ts
 * says what counts as a difference).
 */
import { d1CommitsPage, d1RecordsOf, recordKey, type CommitCursor } from "../../db/statements";
import { addDays, shanghaiDayStartMs } from "../../domain/dates";
import { fenToYuan } from "../../domain/money";
import {
  checkEntry, expectedClosingFen, lackingCommit, STATEMENT_PAGE_MAX, type Difference, type ReferenceState, type StatementEntry, type StatementWindow,
} from "../../domain/statements";
import type { StatementStart } from "../../durable/account";
import { withAccount } from "../../durable/stubs";
import type { Env } from "../../env";

/** The customer's ledger as a statement reads it: its AccountDO's read-only calls. */
export interface StatementSource {
  start(q: { from: string; to: string; limit: number; offset?: number }): Promise<StatementStart>;
  entries(q: { afterSeq: number; throughSeq: number; limit: number }): Promise<StatementEntry[]>;
  references(q: { kind: "debit" | "refund"; references: string[] }): Promise<Record<string, ReferenceState>>;
}

export function accountStatementSource(env: Env, dwid: string): StatementSource {
  return {
    // RPC types map a union result member by member; the value is the plain union.
    start: (q) => withAccount(env, dwid, async (account) => (await account.statement(q)) as StatementStart),
    entries: (q) => withAccount(env, dwid, (account) => account.statementEntries(q)),
    references: (q) => withAccount(env, dwid, (account) => account.ledgerReferences(q)),
  };
}

export interface ReconciliationResult {
  balanced: boolean;
  differences: Difference[];
  /** Deposits D1's ledger_copy has not reached yet: said, not counted as differences. */
  uncopiedDeposits: number;
}

export class StatementRun {
  private readonly differences: Difference[] = [];
  private uncopiedDeposits = 0;
  /** The running balance the entries seen so far lead to, from the opening. */
  private runningFen: number;

  constructor(
    private readonly source: StatementSource,
    private readonly db: D1Database,
    readonly window: StatementWindow,
    private readonly firstPage: StatementEntry[],
  ) {
    this.runningFen = window.openingFen;
  }

  /** The period's entries page by page, by seq, each page checked against D1 before it is handed on. */
  async *pages(): AsyncGenerator<StatementEntry[]> {
    let page = this.firstPage;
    while (page.length > 0) {
      await this.check(page);
      yield page;
      const lastSeq = page[page.length - 1]!.seq;
      if (lastSeq >= this.window.throughSeq) return;
      page = await this.source.entries({ afterSeq: lastSeq, throughSeq: this.window.throughSeq, limit: STATEMENT_PAGE_MAX });
    }
  }

  /**
   * Once every page went by: the arithmetic of the whole period, then D1's
   * commits of this customer decided in the period that the ledger lacks
   * entirely (not in another period either).
   */
  async finish(): Promise<ReconciliationResult> {
    const w = this.window;
    const expected = expectedClosingFen(w.openingFen, w.totals);
    if (this.runningFen !== w.closingFen || expected !== w.closingFen) {
      this.differences.push({
        kind: "balance", reference: null, ledgerAmountFen: w.closingFen, d1AmountFen: null,
        note: `期初 ${fenToYuan(w.openingFen)} 加减本期各笔得 ${fenToYuan(this.runningFen)}（按合计 ${fenToYuan(expected)}），不等于期末 ${fenToYuan(w.closingFen)}`,
      });
    }
    for (const kind of ["debit", "refund"] as const) await this.lookForLackingCommits(kind);
    return { balanced: this.differences.length === 0, differences: this.differences, uncopiedDeposits: this.uncopiedDeposits };
  }

  private async check(page: readonly StatementEntry[]): Promise<void> {
    const records = await d1RecordsOf(this.db, this.window.dwid, page);
    for (const entry of page) {
      this.followBalance(entry);
      const found = checkEntry(entry, this.window.dwid, records.get(recordKey(entry)) ?? null);
      if (found.ok === "uncopied") this.uncopiedDeposits += 1;
      else if (!found.ok) this.differences.push(found.difference);
    }
  }

  /** Each entry's balance after must follow from the one before (the object asserts it on every write). */
  private followBalance(entry: StatementEntry): void {
    const expected = this.runningFen + (entry.kind === "debit" ? -entry.amountFen : entry.amountFen);
    if (entry.balanceAfterFen !== expected) {
      this.differences.push({
        kind: "balance", reference: entry.reference, ledgerAmountFen: entry.balanceAfterFen, d1AmountFen: null,
        note: `账本第${entry.seq}笔之后的余额 ${fenToYuan(entry.balanceAfterFen)}，按前一笔应为 ${fenToYuan(expected)}`,
      });
    }
    this.runningFen = entry.balanceAfterFen;
  }

  private async lookForLackingCommits(kind: "debit" | "refund"): Promise<void> {
    const fromMs = shanghaiDayStartMs(this.window.from);
    const toMs = shanghaiDayStartMs(addDays(this.window.to, 1));
    let cursor: CommitCursor = null;
    for (;;) {
      const commits = await d1CommitsPage(this.db, { dwid: this.window.dwid, kind, fromMs, toMs, cursor, limit: STATEMENT_PAGE_MAX });
      if (commits.length === 0) return;
      const states = await this.source.references({ kind, references: commits.map((c) => c.reference) });
      for (const commit of commits) {
        const lacking = lackingCommit(commit, states[commit.reference] ?? "absent");
        if (lacking) this.differences.push(lacking);
      }
      if (commits.length < STATEMENT_PAGE_MAX) return;
      const last = commits[commits.length - 1]!;
      cursor = { decidedAtMs: last.decidedAtMs, reference: last.reference };
    }
  }
}
