/**
 * GET /docs: the OpenAPI document as one server-rendered HTML page —
 * operations, parameters, bodies, responses, schemas and result codes. Self-
 * contained: inline CSS, no scripts, nothing fetched from elsewhere. Pure.
 */
import { esc } from "../help/render";

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  op: Json;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

export function docsHtml(document: Json): string {
  const info = document.info as Json;
  const operations = listOperations(document);
  const tags = ((document.tags as Json[] | undefined) ?? []).map((t) => ({ name: String(t.name), description: String(t.description ?? "") }));
  const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const codes = (document["x-result-codes"] as { code: number; key: string; http: number; message: string }[] | undefined) ?? [];

  const nav = tags
    .map((tag) => {
      const items = operations.filter((o) => tagOf(o) === tag.name).map((o) => `<li><a href="#${anchor(o)}"><span class="m m-${o.method}">${o.method.toUpperCase()}</span> ${esc(o.path)}</a></li>`);
      return `<h3>${esc(tag.name)}</h3><ul>${items.join("")}</ul>`;
    })
    .join("");
  const sections = tags
    .map((tag) => {
      const ops = operations.filter((o) => tagOf(o) === tag.name).map(operationHtml).join("\n");
      return `<section><h2>${esc(tag.name)}</h2><p>${esc(tag.description)}</p>${ops}</section>`;
    })
    .join("\n");
  const schemaSections = Object.entries(schemas)
    .map(([name, schema]) => `<div class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${schemaHtml(schema)}</div>`)
    .join("\n");
  const codeRows = codes.map((c) => `<tr><td class="num">${c.code}</td><td><code>${esc(c.key)}</code></td><td class="num">${c.http}</td><td>${esc(c.message)}</td></tr>`).join("");
  const intro = String(info.description ?? "").split("\n|")[0]!;

  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(String(info.title))}</title><style>${STYLE}</style></head>
<body>
<nav><p><b>${esc(String(info.title))}</b><br>OpenAPI ${esc(String(document.openapi))} · v${esc(String(info.version))}</p>
<p><a href="/openapi.json">/openapi.json</a> · <a href="/Help">/Help</a></p>${nav}<h3><a href="#schemas">Schemas</a></h3><h3><a href="#result-codes">Result codes</a></h3></nav>
<main>
<h1>${esc(String(info.title))}</h1>
<div class="text">${esc(intro)}</div>
${sections}
<section id="schemas"><h2>Schemas</h2>${schemaSections}</section>
<section id="result-codes"><h2>Result codes</h2><table><thead><tr><th>code</th><th>key</th><th>HTTP</th><th>message</th></tr></thead><tbody>${codeRows}</tbody></table></section>
</main>
</body>
</html>
`;
}

function listOperations(document: Json): Operation[] {
  const paths = (document.paths ?? {}) as Record<string, Json>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Json })),
  );
}

function tagOf(operation: Operation): string {
  return String(((operation.op.tags as string[] | undefined) ?? [])[0] ?? "");
}

function anchor(operation: Operation): string {
  return `op-${operation.method}-${operation.path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function operationHtml(operation: Operation): string {
  const { op } = operation;
  const security = (op.security as Json[] | undefined) ?? [];
  const auth = security.length === 0 ? "none" : security.map((s) => Object.keys(s).join(", ")).join(" or ");
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  const body = op.requestBody as Json | undefined;
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const paramRows = parameters
    .map((p) => `<tr><td><code>${esc(String(p.name))}</code></td><td>${esc(String(p.in))}</td><td>${p.required ? "yes" : ""}</td><td>${typeHtml(p.schema as Json)}</td><td>${esc(String(p.description ?? (p.schema as Json | undefined)?.description ?? ""))}</td></tr>`)
    .join("");
  const responseRows = Object.entries(responses)
    .map(([status, r]) => {
      const content = (r.content ?? {}) as Record<string, Json>;
      const media = Object.keys(content);
      const schema = media.length > 0 ? typeHtml(content[media[0]!]!.schema as Json) : "";
      return `<tr><td class="num">${esc(status)}</td><td>${foldedText(String(r.description ?? ""))}</td><td>${media.map((m) => `<code>${esc(m)}</code>`).join(" ")}</td><td>${schema}</td></tr>`;
    })
    .join("");
  const bodyHtml = body
    ? (() => {
        const content = (body.content ?? {}) as Record<string, Json>;
        const media = Object.keys(content);
        return `<h4>Request body${body.required ? " (required)" : ""}</h4>${body.description ? `<p>${esc(String(body.description))}</p>` : ""}<p>${media.map((m) => `<code>${esc(m)}</code>`).join(" ")}</p>${media.length > 0 ? typeHtml(content[media[0]!]!.schema as Json) : ""}`;
      })()
    : "";
  return `<article id="${anchor(operation)}">
<h3><span class="m m-${operation.method}">${operation.method.toUpperCase()}</span> <code>${esc(operation.path)}</code></h3>
<p><b>${esc(String(op.summary ?? ""))}</b></p>
${op.description ? `<div class="text">${esc(String(op.description))}</div>` : ""}
<p class="auth">Security: ${esc(auth)}${op.operationId ? ` · operationId <code>${esc(String(op.operationId))}</code>` : ""}</p>
${parameters.length > 0 ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>required</th><th>type</th><th>description</th></tr></thead><tbody>${paramRows}</tbody></table>` : ""}
${bodyHtml}
<h4>Responses</h4><table><thead><tr><th>status</th><th>description</th><th>media types</th><th>schema</th></tr></thead><tbody>${responseRows}</tbody></table>
</article>`;
}

/** A long description (an answer's list of result codes) folds under its first paragraph; no script needed. */
function foldedText(text: string): string {
  const [lead = "", ...rest] = text.split("\n\n");
  const body = rest.join("\n\n");
  if (body.split("\n").length <= 6) return `<div class="text">${esc(text)}</div>`;
  return `<details><summary>${esc(lead)}</summary><div class="text">${esc(body)}</div></details>`;
}

/** A schema's type in one line: a link for a component, the type names otherwise. */
function typeHtml(schema: Json | undefined): string {
  if (!schema) return "";
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  for (const key of ["oneOf", "anyOf", "allOf"] as const) {
    if (Array.isArray(schema[key])) return (schema[key] as Json[]).map(typeHtml).join(key === "allOf" ? " &amp; " : " | ");
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(" | ");
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [String(schema.type)] : [];
  return types
    .map((t) => {
      if (t === "array") return `array of ${typeHtml(schema.items as Json)}`;
      if (t === "object" && schema.properties) return `object ${propertiesHtml(schema)}`;
      return esc(schema.format ? `${t} (${String(schema.format)})` : t);
    })
    .join(" | ");
}

function schemaHtml(schema: Json): string {
  const xml = schema.xml as Json | undefined;
  const order = schema["x-datacontract-order"] as string[] | undefined;
  return [
    schema.description ? `<p>${esc(String(schema.description))}</p>` : "",
    xml ? `<p class="xml">XML: <code>&lt;${esc(String(xml.name ?? ""))} xmlns="${esc(String(xml.namespace ?? ""))}"&gt;</code>${order ? `, members in the order ${order.map((m) => `<code>${esc(m)}</code>`).join(", ")}` : ""}</p>` : "",
    schema.properties ? propertiesHtml(schema) : `<p>${typeHtml(schema)}</p>`,
  ].join("");
}

function propertiesHtml(schema: Json): string {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(schema.properties as Record<string, Json>)
    .map(([name, p]) => `<tr><td><code>${esc(name)}</code></td><td>${typeHtml(p)}</td><td>${required.has(name) ? "yes" : ""}</td><td>${esc(constraints(p))}</td><td>${esc(String(p.description ?? ""))}</td></tr>`)
    .join("");
  return `<table><thead><tr><th>property</th><th>type</th><th>required</th><th>constraints</th><th>description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function constraints(p: Json): string {
  const parts: string[] = [];
  if (p.minLength !== undefined) parts.push(`minLength ${String(p.minLength)}`);
  if (p.maxLength !== undefined) parts.push(`maxLength ${String(p.maxLength)}`);
  if (p.minimum !== undefined) parts.push(`≥ ${String(p.minimum)}`);
  if (p.maximum !== undefined) parts.push(`≤ ${String(p.maximum)}`);
  if (p.minItems !== undefined) parts.push(`minItems ${String(p.minItems)}`);
  if (p.maxItems !== undefined) parts.push(`maxItems ${String(p.maxItems)}`);
  if (p.pattern !== undefined) parts.push(`pattern ${String(p.pattern)}`);
  if (p.default !== undefined) parts.push(`default ${JSON.stringify(p.default)}`);
  return parts.join(", ");
}

const STYLE = `body{margin:0;font-family:"Segoe UI","Microsoft YaHei",Verdana,Helvetica,sans-serif;color:#222;display:flex}
nav{position:sticky;top:0;align-self:flex-start;height:100vh;overflow-y:auto;width:330px;flex:none;background:#f4f5f7;border-right:1px solid #ddd;padding:1em;box-sizing:border-box;font-size:.85em}
nav ul{list-style:none;padding:0;margin:0 0 1em}nav li{margin:.2em 0}nav a{color:#234;text-decoration:none}
main{flex:1;min-width:0;padding:1em 2em;max-width:1100px}
article{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;margin:1em 0}
.m{display:inline-block;min-width:3.5em;text-align:center;border-radius:3px;color:#fff;font-size:.8em;font-weight:bold;padding:.1em .3em}
.m-get{background:#2a7ab8}.m-post{background:#3a9a4a}.m-put{background:#c88a16}.m-delete{background:#c33}.m-patch{background:#7a4ab8}
table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f0f0f0}
td.num{text-align:right;white-space:nowrap}.text{white-space:pre-wrap}.auth,.xml{color:#555;font-size:.9em}
.schema{border-top:1px solid #eee;padding-top:.3em}summary{cursor:pointer}code{font-family:Consolas,Menlo,monospace}`;
