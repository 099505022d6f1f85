/**
 * Statements (对账单, SPEC §12): what a period of a customer's AccountDO
 * ledger is, how each entry is held against D1's records, and how a
 * statement is written as CSV. Pure: entries, D1's rows and instants come in
 * as arguments.
 *
 * The period. Asia/Shanghai days [from, to], both included, but cut by ledger
 * seq, not by time: the period runs from the first entry stamped on or after
 * `from`'s midnight up to (not including) the first entry stamped on or after
 * the midnight ending `to` — or to the newest entry when there is none yet.
 * Ledger stamps are nearly but not strictly in seq order (a refund is stamped
 * with D1's decision instant, which the alarm may post later), so cutting by
 * time could split the running balance; cut by seq, adjacent periods are
 * contiguous and never overlap, every entry belongs to exactly one period,
 * opening = the balance after the last entry before the period (0 if none),
 * and opening + Σ deposits − Σ debits + Σ refunds = closing holds exactly.
 * Once an entry stamped after the period exists, the period never changes
 * again: new entries always take higher seqs.
 */
import { calendarSpanDays } from "./calendar";
import { shanghaiDateTime } from "./dates";
import { fenToYuan } from "./money";

/** Days one statement may span, both ends included (a leap year). */
export const STATEMENT_MAX_DAYS = 366;
/** Entries per page: one AccountDO call, one D1 lookup, one CSV chunk. */
export const STATEMENT_PAGE_MAX = 500;
/** Partner pages (Account/Statement) without `pagesize`. */
export const STATEMENT_PAGE_DEFAULT = 100;

export type LedgerKind = "deposit" | "debit" | "refund";
export const LEDGER_KINDS: readonly LedgerKind[] = ["deposit", "debit", "refund"];

export interface KindTotal {
  count: number;
  amountFen: number;
}
export type StatementTotals = Record<LedgerKind, KindTotal>;

/** One ledger entry as a statement shows it. */
export interface StatementEntry {
  seq: number;
  kind: LedgerKind;
  amountFen: number;
  balanceAfterFen: number;
  /** deposit: the operator's reference; debit: the payment intent; refund: the refund intent. */
  reference: string;
  /** "order:<id>" or "bill:<num>"; null for a deposit. */
  target: string | null;
  /** The refund's number (the partner's refundid), for a refund. */
  refundNo: string | null;
  createdAtMs: number;
}

/** The period as the object cut it: entries with afterSeq < seq ≤ throughSeq. */
export interface StatementWindow {
  dwid: string;
  from: string;
  to: string;
  afterSeq: number;
  throughSeq: number;
  openingFen: number;
  closingFen: number;
  totals: StatementTotals;
}

/** Days from `from` to `to`, both included; ≤ 0 when `to` is earlier. */
export const statementSpanDays = (from: string, to: string): number => calendarSpanDays(from, to);

/**
 * The Chinese rule the end of [from, to] breaks, or null; `fromName` is how
 * the request names the start (from, begindate). Both are real yyyyMMdd dates.
 */
export function statementRangeProblem(from: string, to: string, fromName: string): string | null {
  const span = statementSpanDays(from, to);
  if (span < 1) return `不能早于 ${fromName}`;
  if (span > STATEMENT_MAX_DAYS) return `与 ${fromName} 之间不能超过${STATEMENT_MAX_DAYS}天(含首尾两天)`;
  return null;
}

export function emptyTotals(): StatementTotals {
  return { deposit: { count: 0, amountFen: 0 }, debit: { count: 0, amountFen: 0 }, refund: { count: 0, amountFen: 0 } };
}

/** opening + deposits − debits + refunds. */
export function expectedClosingFen(openingFen: number, totals: StatementTotals): number {
  return openingFen + totals.deposit.amountFen - totals.debit.amountFen + totals.refund.amountFen;
}

/** The order or bill a ledger target names. */
export function targetOf(target: string | null): { orderId: string | null; billNum: string | null } {
  if (target?.startsWith("order:")) return { orderId: target.slice(6), billNum: null };
  if (target?.startsWith("bill:")) return { orderId: null, billNum: target.slice(5) };
  return { orderId: null, billNum: null };
}

// ---------------------------------------------------------------- reconciliation

/**
 * A difference between the ledger and D1, listed, never hidden. `kind`
 * "balance" is the period's own arithmetic (which the object asserts on every
 * write, so it should never appear).
 */
export interface Difference {
  kind: LedgerKind | "balance";
  reference: string | null;
  ledgerAmountFen: number | null;
  d1AmountFen: number | null;
  note: string;
}

/** D1's record of a ledger entry: the decision of a payment or refund intent, or a deposit's copy in `ledger_copy`. */
export interface D1Record {
  dwid: string;
  amountFen: number;
  /** payments / refunds: 'commit' | 'void'; ledger_copy: the copied kind. */
  outcome: string;
  /** payments: "order:<id>" / "bill:<num>"; refunds: "order:<id>"; ledger_copy: null. */
  target: string | null;
  /** ledger_copy: the copied reference. */
  reference: string | null;
}

/** What an entry's check found: in agreement, a difference, or a deposit D1's copy has not reached yet (not a difference). */
export type EntryCheck = { ok: true } | { ok: false; difference: Difference } | { ok: "uncopied" };

const D1_NAME: Record<LedgerKind, string> = { deposit: "ledger_copy", debit: "payments", refund: "refunds" };

/**
 * A debit's reference must be a payment intent D1 committed for this
 * customer, this amount and this target; a refund's a refund intent likewise;
 * a deposit is the object's own, and D1's ledger_copy only copies it (it may
 * lag: absent is not a difference, copied with another amount is).
 */
export function checkEntry(entry: StatementEntry, dwid: string, record: D1Record | null): EntryCheck {
  const differ = (note: string, d1AmountFen: number | null = record?.amountFen ?? null): EntryCheck => ({
    ok: false,
    difference: { kind: entry.kind, reference: entry.reference, ledgerAmountFen: entry.amountFen, d1AmountFen, note: `账本第${entry.seq}笔：${note}` },
  });
  if (entry.kind === "deposit") {
    if (!record) return { ok: "uncopied" };
    if (record.amountFen !== entry.amountFen) return differ("D1 ledger_copy 中的金额不同");
    if (record.outcome !== "deposit" || record.reference !== entry.reference) return differ("D1 ledger_copy 中的类型或流水号不同");
    return { ok: true };
  }
  const what = entry.kind === "debit" ? "支付" : "退款";
  if (!record) return differ(`D1 ${D1_NAME[entry.kind]} 中没有这笔${what}的决定记录`, null);
  if (record.outcome !== "commit") return differ(`D1 记录的决定是 ${record.outcome}，不是 commit`);
  if (record.dwid !== dwid) return differ(`D1 记录属于另一客户 ${record.dwid}`);
  if (record.amountFen !== entry.amountFen) return differ("D1 记录的金额不同");
  if (record.target !== entry.target) return differ(`D1 记录的${entry.kind === "debit" ? "订单或单据" : "订单"}不同（${record.target ?? "无"}）`);
  return { ok: true };
}

/** What the object knows of a reference D1 committed: in the ledger, an intent not yet posted, voided, or nothing. */
export type ReferenceState = "posted" | "pending" | "voided" | "absent";

/** A D1 commit of this customer, decided in the period. */
export interface D1Commit {
  kind: "debit" | "refund";
  reference: string;
  amountFen: number;
  target: string;
  decidedAtMs: number;
}

/** A D1 commit the ledger lacks entirely (in no period at all), or null when the ledger has it. */
export function lackingCommit(commit: D1Commit, state: ReferenceState): Difference | null {
  if (state === "posted") return null;
  const what = commit.kind === "debit" ? "扣款" : "退款";
  const why: Record<Exclude<ReferenceState, "posted">, string> = {
    pending: `对象中这笔${what}仍待入账（恢复任务会按 D1 的决定补记）`,
    voided: `对象把这笔${what}记为已作废`,
    absent: `对象中没有这笔${what}`,
  };
  return {
    kind: commit.kind,
    reference: commit.reference,
    ledgerAmountFen: null,
    d1AmountFen: commit.amountFen,
    note: `D1 已提交（${commit.target}，${shanghaiDateTime(commit.decidedAtMs)}），账本中没有：${why[state]}`,
  };
}

// ---------------------------------------------------------------- CSV

/** UTF-8 BOM: Excel then reads the Chinese right (SPEC §12). */
export const CSV_BOM = "\uFEFF";
export const KIND_WORDS: Record<LedgerKind, string> = { deposit: "充值", debit: "扣款", refund: "退款" };
export const DIFFERENCE_KIND_WORDS: Record<Difference["kind"], string> = { ...KIND_WORDS, balance: "余额" };

export const CSV_ENTRY_HEADER = ["序号", "时间(北京时间)", "类型", "金额(元)", "余额(元)", "流水号", "订单号", "单据号", "退款单号"];

/**
 * One CSV line (RFC 4180, CRLF). Text a spreadsheet would run as a formula
 * (=, +, -, @ first) gets a leading apostrophe: references and refund numbers
 * come from partners and operators.
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvEntryCells(e: StatementEntry): (string | number | null)[] {
  const { orderId, billNum } = targetOf(e.target);
  // Amounts as text with two decimals: a number column of exact fen, never a float.
  return [e.seq, shanghaiDateTime(e.createdAtMs), KIND_WORDS[e.kind], fenToYuan(e.amountFen), fenToYuan(e.balanceAfterFen), e.reference, orderId, billNum, e.refundNo];
}

/** The statement's closing section: opening, totals, closing, the result of the check and every difference. */
export function csvSummaryLines(window: StatementWindow, check: { balanced: boolean; differences: readonly Difference[]; uncopiedDeposits: number }): string {
  const t = window.totals;
  const lines = [
    csvLine([]),
    csvLine(["汇总", `${window.from}至${window.to}`]),
    csvLine(["期初余额(元)", fenToYuan(window.openingFen)]),
    csvLine(["充值合计(元)", fenToYuan(t.deposit.amountFen), `${t.deposit.count}笔`]),
    csvLine(["扣款合计(元)", fenToYuan(t.debit.amountFen), `${t.debit.count}笔`]),
    csvLine(["退款合计(元)", fenToYuan(t.refund.amountFen), `${t.refund.count}笔`]),
    csvLine(["期末余额(元)", fenToYuan(window.closingFen)]),
    csvLine(["对账结果", check.balanced ? "平衡" : `不平衡，差异${check.differences.length}项`]),
  ];
  if (check.uncopiedDeposits > 0) {
    lines.push(csvLine(["说明", `${check.uncopiedDeposits}笔充值尚未复制到 D1 的 ledger_copy（稍后自动补齐，不计为差异）`]));
  }
  if (check.differences.length > 0) {
    lines.push(csvLine(["差异", "类型", "流水号", "账本金额(元)", "D1金额(元)", "说明"]));
    for (const d of check.differences) {
      lines.push(csvLine(["", DIFFERENCE_KIND_WORDS[d.kind], d.reference, yuanOrNull(d.ledgerAmountFen), yuanOrNull(d.d1AmountFen), d.note]));
    }
  }
  return lines.join("");
}

const yuanOrNull = (fen: number | null): string | null => (fen === null ? null : fenToYuan(fen));
