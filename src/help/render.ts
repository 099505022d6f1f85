/**
 * Help pages to HTML (for browsers) and to plain text (the same content, one
 * block per line, tables as `| a | b |` rows). The layout is the legacy
 * ASP.NET help page's: the seeds are text captures of it. Pure.
 */
import type { ApiPage, ModelPage, ParameterBlock, ParameterRow, Sample, TypeRef } from "./pages";

export interface IndexEntry {
  id: string;
  method: string;
  path: string;
  summary: string;
}

export const HELP_TITLE = "电子门票系统 合作方接口 Help Page";
const TABLE_HEADER = ["Name", "Description", "Type", "Additional information"] as const;

// ---------------------------------------------------------------- text

export function apiPageText(page: ApiPage): string {
  const lines: string[] = [`${page.method} ${page.path}`, "", page.description, "", "Request Information", "", "URI Parameters", ""];
  lines.push(...(page.uriParameters ? tableText(page.uriParameters) : ["None."]), "");
  lines.push("Body Parameters", "");
  lines.push(...(page.body ? blockText(page.body) : ["None."]), "");
  if (page.requestFormats.length > 0) lines.push("Request Formats", "", ...samplesText(page.requestFormats));
  lines.push("Response Information", "", "Resource Description", "", page.resourceDescription, "");
  lines.push(...blockText(page.response), "");
  lines.push("Response Formats", "", ...samplesText(page.responseFormats));
  return `${lines.join("\n").trimEnd()}\n`;
}

export function modelPageText(page: ModelPage): string {
  const lines = [page.name, ""];
  if (page.description) lines.push(page.description, "");
  lines.push(...tableText(page.rows));
  return `${lines.join("\n")}\n`;
}

export function indexText(entries: readonly IndexEntry[]): string {
  const lines = [
    HELP_TITLE,
    "",
    "Introduction",
    "",
    INTRODUCTION,
    "",
    "| API | Description |",
    "|---|---|",
    ...entries.map((e) => `| ${cell(`${e.method} ${e.path}`)} | ${cell(e.summary)} |`),
  ];
  return `${lines.join("\n")}\n`;
}

const INTRODUCTION =
  "每个接口的请求、响应字段和JSON/XML样例。OpenAPI 3.1 描述见 /openapi.json,可浏览的版本见 /docs。";

function blockText(block: ParameterBlock): string[] {
  return [...(block.documentation ? [block.documentation, ""] : []), block.type.text, ...tableText(block.rows)];
}

function tableText(rows: readonly ParameterRow[]): string[] {
  return [
    `| ${TABLE_HEADER.join(" | ")} |`,
    "|---|---|---|---|",
    ...rows.map((row) => `| ${[row.name, row.description, row.type.text, annotationText(row)].map(cell).join(" | ")} |`),
  ];
}

function annotationText(row: ParameterRow): string {
  return row.annotations.length > 0 ? row.annotations.join(" ") : "None.";
}

/** A table cell on one line: line breaks become spaces, a '|' is escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

function samplesText(samples: readonly Sample[]): string[] {
  return samples.flatMap((sample) => [sample.mediaType, "", "Sample:", sample.text, ""]);
}

// ---------------------------------------------------------------- HTML

export function apiPageHtml(page: ApiPage): string {
  const body = [
    `<h1>${esc(`${page.method} ${page.path}`)}</h1>`,
    `<div><p>${esc(page.description)}</p></div>`,
    "<h2>Request Information</h2>",
    "<h3>URI Parameters</h3>",
    page.uriParameters ? tableHtml(page.uriParameters) : "<p>None.</p>",
    "<h3>Body Parameters</h3>",
    page.body ? blockHtml(page.body) : "<p>None.</p>",
    page.requestFormats.length > 0 ? `<h3>Request Formats</h3>${samplesHtml(page.requestFormats)}` : "",
    "<h2>Response Information</h2>",
    "<h3>Resource Description</h3>",
    `<p>${esc(page.resourceDescription)}</p>`,
    blockHtml(page.response),
    `<h3>Response Formats</h3>${samplesHtml(page.responseFormats)}`,
  ];
  return document(`${page.method} ${page.path}`, body.join("\n"));
}

export function modelPageHtml(page: ModelPage): string {
  const body = [`<h1>${esc(page.name)}</h1>`, page.description ? `<p>${esc(page.description)}</p>` : "", tableHtml(page.rows)];
  return document(page.name, body.join("\n"));
}

export function indexHtml(entries: readonly IndexEntry[]): string {
  const rows = entries
    .map((e) => `<tr><td class="api-name"><a href="/Help/Api/${esc(e.id)}">${esc(`${e.method} ${e.path}`)}</a></td><td class="api-documentation"><p>${esc(e.summary)}</p></td></tr>`)
    .join("\n");
  const body = [
    `<h1>${esc(HELP_TITLE)}</h1>`,
    "<h2>Introduction</h2>",
    `<p>每个接口的请求、响应字段和JSON/XML样例。OpenAPI 3.1 描述见 <a href="/openapi.json">/openapi.json</a>,可浏览的版本见 <a href="/docs">/docs</a>。</p>`,
    `<table class="help-page-table"><thead><tr><th>API</th><th>Description</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
  ];
  return document("Help Page", body.join("\n"));
}

/** A page for an unknown id or model, in the asked format. */
export function notFoundText(what: string): string {
  return `${what}\n\nSee /Help for every API.\n`;
}

export function notFoundHtml(what: string): string {
  return document("Not found", `<h1>Not found</h1><p>${esc(what)}</p><p><a href="/Help">Help Page</a></p>`);
}

function blockHtml(block: ParameterBlock): string {
  return [block.documentation ? `<p>${esc(block.documentation)}</p>` : "", `<p>${typeHtml(block.type)}</p>`, tableHtml(block.rows)].join("\n");
}

function tableHtml(rows: readonly ParameterRow[]): string {
  const head = `<thead><tr>${TABLE_HEADER.map((h) => `<th>${h}</th>`).join("")}</tr></thead>`;
  const body = rows
    .map((row) => {
      const notes = row.annotations.length > 0 ? row.annotations : ["None."];
      return (
        `<tr><td class="parameter-name">${esc(row.name)}</td>` +
        `<td class="parameter-documentation"><p>${esc(row.description)}</p></td>` +
        `<td class="parameter-type">${typeHtml(row.type)}</td>` +
        `<td class="parameter-annotations">${notes.map((n) => `<p>${esc(n)}</p>`).join("")}</td></tr>`
      );
    })
    .join("\n");
  return `<table class="help-page-table">${head}<tbody>\n${body}\n</tbody></table>`;
}

function typeHtml(type: TypeRef): string {
  if (!type.model) return esc(type.text);
  const link = `<a href="/Help/ResourceModel?modelName=${encodeURIComponent(type.model)}">${esc(type.model)}</a>`;
  return type.text === type.model ? link : esc(type.text.slice(0, type.text.length - type.model.length)) + link;
}

function samplesHtml(samples: readonly Sample[]): string {
  return samples
    .map(
      (s) =>
        `<h4 class="sample-header">${esc(s.mediaType)}</h4><div class="sample-content"><span><b>Sample:</b></span>` +
        (s.kind === "code" ? `<pre class="wrapped">${esc(s.text)}</pre>` : `<p>${esc(s.text)}</p>`) +
        "</div>",
    )
    .join("\n");
}

const STYLE = `body{font-family:"Segoe UI","Microsoft YaHei",Verdana,Helvetica,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#333}
h1{font-size:1.6em}h2{font-size:1.35em;margin-top:1.5em}h3{font-size:1.1em;margin-top:1.2em}h4.sample-header{margin:1em 0 .3em;font-size:1em}
table.help-page-table{border-collapse:collapse;width:100%;margin:.5em 0}
table.help-page-table th{text-align:left;background:#eee;border:1px solid #ccc;padding:.4em}
table.help-page-table td{border:1px solid #ddd;padding:.4em;vertical-align:top}
table.help-page-table td p{margin:0 0 .2em}
td.parameter-name,td.api-name{font-weight:bold;white-space:nowrap}
pre.wrapped{white-space:pre-wrap;background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto}
a{color:#06c}`;

function document(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<p><a href="/Help">Help Page Home</a></p>
${body}
</body>
</html>
`;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
