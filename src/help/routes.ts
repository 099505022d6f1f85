/**
 * GET /Help, /Help/Api/{id}, /Help/ResourceModel?modelName=: the legacy help
 * pages partners know, generated from `partnerEndpoints` and the schemas.
 * HTML for browsers; the same content as plain text for `Accept: text/plain`.
 */
import type { IRequest } from "itty-router";
import { partnerEndpoints } from "../endpoints/partner";
import { apiEntries, apiPage, findApi, modelPage } from "./pages";
import {
  apiPageHtml, apiPageText, indexHtml, indexText, modelPageHtml, modelPageText, notFoundHtml, notFoundText, type IndexEntry,
} from "./render";

type Format = "html" | "text";

/** Pages are pure functions of the schemas: rendered once per isolate. */
const rendered = new Map<string, string>();

function memo(key: string, render: () => string): string {
  let text = rendered.get(key);
  if (text === undefined) {
    text = render();
    rendered.set(key, text);
  }
  return text;
}

export function helpIndex(request: IRequest): Response {
  const format = helpFormat(request.headers.get("accept"));
  const entries: IndexEntry[] = apiEntries(partnerEndpoints).map((e) => ({ id: e.id, method: e.method, path: e.path, summary: e.endpoint.summary }));
  return page(format, 200, memo(`index:${format}`, () => (format === "html" ? indexHtml(entries) : indexText(entries))));
}

export function helpApi(request: IRequest): Response {
  const format = helpFormat(request.headers.get("accept"));
  const id = decodeParam(request.params.id);
  const entry = id === null ? undefined : findApi(partnerEndpoints, id);
  if (!entry) return notFound(format, `No API has the help id "${id ?? ""}".`);
  return page(format, 200, memo(`api:${entry.id}:${format}`, () => {
    const model = apiPage(entry);
    return format === "html" ? apiPageHtml(model) : apiPageText(model);
  }));
}

export function helpResourceModel(request: IRequest): Response {
  const format = helpFormat(request.headers.get("accept"));
  const name = new URL(request.url).searchParams.get("modelName") ?? "";
  const model = modelPage(partnerEndpoints, name);
  if (!model) return notFound(format, `No model is named "${name}".`);
  return page(format, 200, memo(`model:${model.name}:${format}`, () => (format === "html" ? modelPageHtml(model) : modelPageText(model))));
}

/**
 * Plain text only when asked for it: `text/plain` preferred (by q) over
 * `text/html`. Browsers, `*\/*` and no Accept get HTML.
 */
export function helpFormat(accept: string | null): Format {
  if (!accept) return "html";
  let html = 0;
  let text = 0;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith("q="))?.slice(2) ?? "1");
    const quality = Number.isFinite(q) ? q : 0;
    const mediaType = type.trim();
    if (mediaType === "text/html" || mediaType === "application/xhtml+xml") html = Math.max(html, quality);
    if (mediaType === "text/plain") text = Math.max(text, quality);
  }
  return text > html ? "text" : "html";
}

function decodeParam(value: string | undefined): string | null {
  try {
    return decodeURIComponent(value ?? "");
  } catch {
    return null;
  }
}

function page(format: Format, status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": format === "html" ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
      vary: "accept",
    },
  });
}

function notFound(format: Format, what: string): Response {
  return page(format, 404, format === "html" ? notFoundHtml(what) : notFoundText(what));
}
