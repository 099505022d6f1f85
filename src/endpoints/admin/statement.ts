/**
 * GET /admin/customers/{dwid}/statement?from=&to=&format=json|csv (SPEC §12):
 * a customer's statement from its AccountDO ledger, reconciled against D1
 * (statement-run.ts). Both formats stream: the period and its first page are
 * read before the answer starts (an unknown customer is a 404), then each
 * page is pulled from the object only when the reader wants more, and the
 * reconciliation — known only once every entry went by — closes the answer.
 *
 * CSV: UTF-8 with a BOM (Excel), Chinese headers, one entry a line, then the
 * summary (opening, totals, closing, 对账结果 and every difference). JSON:
 * {dwid, from, to, opening, closing, totals, entries, reconciliation}, amounts
 * decimal yuan like the rest of /admin.
 */
import { fenToYuanNumber } from "../../domain/money";
import {
  CSV_BOM, CSV_ENTRY_HEADER, csvEntryCells, csvLine, csvSummaryLines, STATEMENT_PAGE_MAX, targetOf, type Difference, type StatementEntry, type StatementWindow,
} from "../../domain/statements";
import { StatementQuery } from "../../schemas/admin";
import { dwidParam } from "./customers";
import { adminError, isoTime, validate, type AdminHandler } from "./http";
import { accountStatementSource, StatementRun, type ReconciliationResult } from "./statement-run";

export const getStatement: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const query = validate(StatementQuery, request.query);
  const source = accountStatementSource(env, dwid);
  const start = await source.start({ from: query.from, to: query.to, limit: STATEMENT_PAGE_MAX });
  if (!start) return adminError("customerNotFound");
  const run = new StatementRun(source, env.DB, start.window, start.entries);
  if (query.format === "csv") {
    return new Response(textStream(csvChunks(run)), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="statement-${dwid}-${query.from}-${query.to}.csv"`,
      },
    });
  }
  return new Response(textStream(jsonChunks(run)), { headers: { "content-type": "application/json; charset=utf-8" } });
};

/** The CSV, one chunk per page of entries: BOM and headers with the first, the summary last. */
export async function* csvChunks(run: StatementRun): AsyncGenerator<string> {
  let head = CSV_BOM + csvLine(CSV_ENTRY_HEADER);
  for await (const page of run.pages()) {
    yield head + page.map((e) => csvLine(csvEntryCells(e))).join("");
    head = "";
  }
  if (head) yield head;
  yield csvSummaryLines(run.window, await run.finish());
}

/** The JSON answer, written as it goes: the period's facts, the entries page by page, then the reconciliation. */
export async function* jsonChunks(run: StatementRun): AsyncGenerator<string> {
  const w = run.window;
  const facts = {
    dwid: w.dwid, from: w.from, to: w.to, opening: fenToYuanNumber(w.openingFen), closing: fenToYuanNumber(w.closingFen), totals: totalsJson(w),
  };
  let separator = "";
  yield `${JSON.stringify(facts).slice(0, -1)},"entries":[`;
  for await (const page of run.pages()) {
    yield separator + page.map((e) => JSON.stringify(entryJson(e))).join(",");
    separator = ",";
  }
  yield `],"reconciliation":${JSON.stringify(reconciliationJson(await run.finish()))}}`;
}

function totalsJson(w: StatementWindow) {
  const kind = (t: { count: number; amountFen: number }) => ({ count: t.count, amount: fenToYuanNumber(t.amountFen) });
  return { deposits: kind(w.totals.deposit), debits: kind(w.totals.debit), refunds: kind(w.totals.refund) };
}

export function entryJson(e: StatementEntry) {
  const { orderId, billNum } = targetOf(e.target);
  return {
    seq: e.seq,
    kind: e.kind,
    amount: fenToYuanNumber(e.amountFen),
    balanceAfter: fenToYuanNumber(e.balanceAfterFen),
    reference: e.reference,
    orderId,
    billNum,
    refundId: e.refundNo,
    createdAt: isoTime(e.createdAtMs),
  };
}

function reconciliationJson(r: ReconciliationResult) {
  const yuan = (fen: number | null) => (fen === null ? null : fenToYuanNumber(fen));
  return {
    balanced: r.balanced,
    differences: r.differences.map((d: Difference) => ({ kind: d.kind, reference: d.reference, ledgerAmount: yuan(d.ledgerAmountFen), d1Amount: yuan(d.d1AmountFen), note: d.note })),
    uncopiedDeposits: r.uncopiedDeposits,
  };
}

/**
 * UTF-8 bytes of the chunks, each produced only when the reader asks for
 * more (highWaterMark 0: nothing is read ahead). A failure after the answer
 * began cannot change its status any more: the stream errors, so the reader
 * sees a cut answer (no summary), never a complete-looking one.
 */
function textStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          console.error(JSON.stringify({ event: "statement_stream_failed", error: String(error) }));
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
