/** GET /openapi.json and GET /docs (issue 10): generated once per isolate. */
import { docsHtml } from "./docs-page";
import { openApiDocument } from "./document";

let json: string | undefined;
let html: string | undefined;

export function openApiJson(): Response {
  json ??= JSON.stringify(openApiDocument(), null, 2);
  return new Response(json, { headers: { "content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*" } });
}

export function docsPage(): Response {
  html ??= docsHtml(openApiDocument() as unknown as Record<string, unknown>);
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}
