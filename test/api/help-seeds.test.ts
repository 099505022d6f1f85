/**
 * The proof (issue 10, point 3): for each of the five legacy help pages in
 * test/fixtures/seeds/, the page our Worker serves for that endpoint, as plain
 * text, equals the seed in structure, field tables (names, types, additional
 * information) and samples in both formats. Descriptions must equal the seed's
 * wherever the seed has one (our schemas keep the seeds' text verbatim).
 *
 * The seeds were captured from the legacy HTML by different tools, so both
 * documents are read by one parser that accepts each capture's layout, and are
 * normalized only for what a capture lost or rearranged (each rule below says
 * which seeds need it):
 *  - whitespace: runs of spaces and line breaks are one space; blank lines and
 *    indentation differ between captures;
 *  - tables: a row may be one line (ours), a row spread over lines each ending
 *    in " |" (four seeds, the type name glued before the header), or one cell
 *    per paragraph under "NameDescriptionTypeAdditional information"
 *    (payorder-min-use-prepayment-and-password.txt);
 *  - "Sample:" lines are dropped: the legacy page has one before each sample
 *    (order-pay and payorder-min show it), three captures lost it;
 *  - application/bson: douyin, yearcard and payorder-min were captured without
 *    the bson blocks that order-pay and pos show in both sections; for those
 *    three, ours is compared without them;
 *  - pos-sell-paybill-with-prepayment.txt's response table has empty
 *    descriptions (the generic type had no doc comments) and the capture moved
 *    the empty cell to the end of the row (`| errcode | integer | None. | |`);
 *    the cell is put back before comparing. Our schema describes those members,
 *    so the descriptions of that table are the one place ours may differ;
 *  - JSON samples are compared without insignificant whitespace, XML samples
 *    without whitespace between tags (captures indent, or join lines).
 */
import { describe, expect, it } from "vitest";
import { parseSeed, seedList, type SeedSamples } from "../fixtures/seed-samples";
import douyinVerify from "../fixtures/seeds/douyin-calendarticket-order-verify.txt?raw";
import orderPayByPassword from "../fixtures/seeds/order-pay-with-prepayment-by-password.txt?raw";
import payOrderMin from "../fixtures/seeds/payorder-min-use-prepayment-and-password.txt?raw";
import posPayBill from "../fixtures/seeds/pos-sell-paybill-with-prepayment.txt?raw";
import yearCardAddOrder from "../fixtures/seeds/yearcard-add-order.txt?raw";
import { fetchWorker } from "../helpers/api";
import { minifyJson, normalizeXml } from "../helpers/wire";

const seedTexts: Record<string, string> = {
  "order-pay-with-prepayment-by-password.txt": orderPayByPassword,
  "payorder-min-use-prepayment-and-password.txt": payOrderMin,
  "yearcard-add-order.txt": yearCardAddOrder,
  "pos-sell-paybill-with-prepayment.txt": posPayBill,
  "douyin-calendarticket-order-verify.txt": douyinVerify,
};

const HEADINGS = new Set([
  "Request Information", "URI Parameters", "Body Parameters", "Request Formats",
  "Response Information", "Resource Description", "Response Formats",
]);
const MEDIA = new Set(["application/json, text/json", "application/xml, text/xml", "application/x-www-form-urlencoded", "application/bson"]);
const TABLE_HEADER = "| Name | Description | Type | Additional information |";
const TABLE_RULE = "|---|---|---|---|";
/** payorder-min's capture: the header cells run together, then one paragraph per cell. */
const GLUED_HEADER = "NameDescriptionTypeAdditional information";
const ANNOTATION = /^(Required|Max length: \d+|Min length: \d+|None\.)$/;

type Row = [name: string, description: string, type: string, annotations: string];

interface HelpDocument {
  /** Every line outside tables and samples, in order; a table is "<table n>", a code sample "<sample>". */
  structure: string[];
  tables: Row[][];
  /** Media type of each sample in order, with its text for notes ("Sample not available."). */
  samples: { media: string; note: string | null }[];
}

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

/** Reads a help page as any of the captures (or our text/plain) lays it out. */
function readHelpDocument(text: string): HelpDocument {
  const lines = text.split(/\r?\n/).map(squash).filter((line) => line !== "" && line !== "Sample:");
  const doc: HelpDocument = { structure: [], tables: [], samples: [] };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (MEDIA.has(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !MEDIA.has(lines[i]!) && !HEADINGS.has(lines[i]!); i++) body.push(lines[i]!);
      const code = /^[{<]/.test(body[0] ?? "");
      doc.samples.push({ media: line, note: code ? null : body.join(" ") });
      doc.structure.push(line, code ? "<sample>" : body.join(" "));
    } else if (line.endsWith(TABLE_HEADER)) {
      const typeName = line.slice(0, -TABLE_HEADER.length).trim();
      if (typeName) doc.structure.push(typeName);
      i++;
      if (lines[i] === TABLE_RULE) i++;
      const rowLines: string[] = [];
      for (; i < lines.length && lines[i]!.endsWith("|"); i++) rowLines.push(lines[i]!);
      doc.structure.push(`<table ${doc.tables.length}>`);
      doc.tables.push(pipeRows(rowLines));
    } else if (line === GLUED_HEADER) {
      const rows: Row[] = [];
      for (i++; i < lines.length && !HEADINGS.has(lines[i]!); ) {
        const [name, description, type] = [lines[i]!, lines[i + 1] ?? "", lines[i + 2] ?? ""];
        const notes: string[] = [];
        for (i += 3; i < lines.length && ANNOTATION.test(lines[i]!); i++) notes.push(lines[i]!);
        rows.push([name, description, type, notes.join(" ")]);
      }
      doc.structure.push(`<table ${doc.tables.length}>`);
      doc.tables.push(rows);
    } else {
      doc.structure.push(line);
      i++;
    }
  }
  return doc;
}

/** Rows in `| a | b | c | d |` form, a row possibly spread over several lines. */
function pipeRows(lines: readonly string[]): Row[] {
  const rows: string[] = [];
  for (const line of lines) {
    // A line that opens a cell starts a row; a lone "|" closes the previous one.
    if (line.startsWith("|") && line !== "|") rows.push(line);
    else rows[rows.length - 1] += ` ${line}`;
  }
  // Cell counts are checked after normalizing (`fourCells`): one capture drops an empty cell.
  return rows.map((row) => row.split(/(?<!\\)\|/).slice(1, -1).map((c) => squash(c.replace(/\\\|/g, "|"))) as Row);
}

function fourCells(doc: HelpDocument): HelpDocument {
  for (const row of doc.tables.flat()) if (row.length !== 4) throw new Error(`not a 4-cell row: ${row.join(" | ")}`);
  return doc;
}

/**
 * pos-sell-paybill-with-prepayment.txt's response rows read `| errcode | integer | None. | |`
 * (the last one `| tag | PosPayWithPrepaymentResult | None. |`): the capture moved the
 * empty description cell to the end, or dropped it. Put it back.
 */
function restoreEmptyDescription(row: readonly string[]): Row {
  const [name = "", second = "", third = "", fourth] = row;
  const moved = (row.length === 4 && fourth === "") || row.length === 3;
  return moved && ANNOTATION.test(third.split(" ")[0] ?? "") ? [name, "", second, third] : (row as Row);
}

/** The seed as it would read had its capture kept every block (see the header). */
function normalizeSeed(doc: HelpDocument): HelpDocument {
  return fourCells({ ...doc, tables: doc.tables.map((rows) => rows.map(restoreEmptyDescription)) });
}

/** Ours without the bson blocks, for the seeds captured without them. */
function withoutBson(doc: HelpDocument): HelpDocument {
  const structure: string[] = [];
  for (let i = 0; i < doc.structure.length; i++) {
    if (doc.structure[i] === "application/bson") i++;
    else structure.push(doc.structure[i]!);
  }
  return { ...doc, structure, samples: doc.samples.filter((s) => s.media !== "application/bson") };
}

/** The seed file's endpoint as the help id of its page. */
const helpIdOf = (seed: SeedSamples) => `POST-${seed.endpoint.replace(/\//g, "-")}`;

async function ourPage(seed: SeedSamples): Promise<string> {
  const response = await fetchWorker(`/Help/Api/${helpIdOf(seed)}`, { headers: { accept: "text/plain" } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return response.text();
}

describe.each(seedList.map((seed) => [seed.file, seed] as const))("help page of %s", (file, seed) => {
  const seedText = seedTexts[file]!;

  it("has the seed's structure: headings, descriptions, type names, formats, notes", async () => {
    const theirs = normalizeSeed(readHelpDocument(seedText));
    let ours = fourCells(readHelpDocument(await ourPage(seed)));
    if (!theirs.samples.some((s) => s.media === "application/bson")) ours = withoutBson(ours);
    expect(ours.structure).toEqual(theirs.structure);
    expect(ours.samples).toEqual(theirs.samples);
  });

  it("has the seed's field tables: names, types, additional information, descriptions", async () => {
    const theirs = normalizeSeed(readHelpDocument(seedText));
    const ours = fourCells(readHelpDocument(await ourPage(seed)));
    expect(ours.tables.length).toBe(theirs.tables.length);
    theirs.tables.forEach((rows, t) => {
      const mine = ours.tables[t]!;
      expect(mine.map(([name, , type, notes]) => [name, type, notes]), `table ${t}`).toEqual(rows.map(([name, , type, notes]) => [name, type, notes]));
      rows.forEach(([name, description], r) => {
        // Where the seed documents a member, ours says the same; where it is silent, ours may speak.
        if (description !== "") expect(mine[r]![1], `${name}'s description`).toBe(description);
      });
    });
  });

  it("has the seed's samples in both formats, written by our JSON and XML writers", async () => {
    const theirs = parseSeed(file, seedText);
    const ours = parseSeed(file, await ourPage(seed));
    for (const side of ["request", "response"] as const) {
      expect(minifyJson(ours[side].json), `${side} JSON`).toBe(minifyJson(theirs[side].json));
      expect(normalizeXml(ours[side].xml), `${side} XML`).toBe(normalizeXml(theirs[side].xml));
    }
  });
});

describe("the proof's reader", () => {
  // The comparisons above are only as strong as the reader: it must see every table row and sample.
  it("reads every row of every seed table", () => {
    const counts = Object.fromEntries(Object.entries(seedTexts).map(([file, text]) => [file, normalizeSeed(readHelpDocument(text)).tables.map((t) => t.length)]));
    expect(counts).toEqual({
      "order-pay-with-prepayment-by-password.txt": [7, 5],
      "payorder-min-use-prepayment-and-password.txt": [2, 5],
      "yearcard-add-order.txt": [38, 5],
      "pos-sell-paybill-with-prepayment.txt": [5, 3],
      "douyin-calendarticket-order-verify.txt": [16, 3],
    });
  });

  it("puts the pos response's empty description cell back, and only there", () => {
    const pos = normalizeSeed(readHelpDocument(posPayBill));
    expect(pos.tables[1]).toEqual([
      ["errcode", "", "integer", "None."],
      ["errmsg", "", "string", "None."],
      ["tag", "", "PosPayWithPrepaymentResult", "None."],
    ]);
    expect(pos.tables[0]![1]).toEqual(["DWSX", expect.stringContaining("客户类型"), "string", "Required Max length: 1 Min length: 1"]);
  });

  it("notices a changed annotation, type, sample or heading", async () => {
    const seed = seedList.find((s) => s.file === "order-pay-with-prepayment-by-password.txt")!;
    const page = await ourPage(seed);
    const theirs = readHelpDocument(orderPayByPassword);
    const tampered = [
      page.replace("| Required Max length: 36 |", "| Required Max length: 37 |"),
      page.replace("| PayOrderUsePayPasswordParm |", "| string |"),
      page.replace('"sellstationid": "sample string 3"', '"sellstationid": "sample string 4"'),
      page.replace("Resource Description", "Resource"),
    ];
    for (const text of tampered) {
      expect(text).not.toBe(page);
      const ours = readHelpDocument(text);
      const mine = parseSeed(seed.file, text);
      const same =
        JSON.stringify(ours.structure) === JSON.stringify(theirs.structure) &&
        JSON.stringify(ours.tables.map((t) => t.map(([n, , ty, a]) => [n, ty, a]))) === JSON.stringify(theirs.tables.map((t) => t.map(([n, , ty, a]) => [n, ty, a]))) &&
        minifyJson(mine.request.json) === minifyJson(parseSeed(seed.file, orderPayByPassword).request.json);
      expect(same).toBe(false);
    }
  });
});
