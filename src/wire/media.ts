/**
 * Media types and ASP.NET's response negotiation (SPEC §3): the Accept header
 * first (json/xml/bson; `*` ranges fall through), then the request's
 * Content-Type, then JSON. Pure.
 */
export type BodyFormat = "json" | "xml" | "form" | "bson";
export type ResponseFormat = { format: "json" | "xml" | "bson"; mediaType: string };

const READABLE: Record<string, BodyFormat> = {
  "application/json": "json",
  "text/json": "json",
  "application/xml": "xml",
  "text/xml": "xml",
  "application/x-www-form-urlencoded": "form",
  "application/bson": "bson",
};

const WRITABLE: Record<string, ResponseFormat["format"]> = {
  "application/json": "json",
  "text/json": "json",
  "application/xml": "xml",
  "text/xml": "xml",
  "application/bson": "bson",
};

export const DEFAULT_RESPONSE: ResponseFormat = { format: "json", mediaType: "application/json" };

/** The media type without parameters, lower-cased; "" when absent. */
export function mediaTypeOf(header: string | null): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** How to read a body of this Content-Type; null = unsupported (415). */
export function bodyFormatOf(contentType: string | null): BodyFormat | null {
  return READABLE[mediaTypeOf(contentType)] ?? null;
}

/** The charset parameter, lower-cased, or null. Only UTF-8 is read. */
export function charsetOf(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";]+)"?/i.exec(contentType ?? "");
  return match ? match[1]!.trim().toLowerCase() : null;
}

export function negotiate(accept: string | null, contentType: string | null): ResponseFormat {
  for (const range of acceptRanges(accept)) {
    const format = WRITABLE[range];
    if (format) return { format, mediaType: range };
  }
  const requestType = mediaTypeOf(contentType);
  const fromRequest = WRITABLE[requestType];
  if (fromRequest) return { format: fromRequest, mediaType: requestType };
  return DEFAULT_RESPONSE;
}

/** Accept's media ranges, highest quality first (stable), q=0 dropped. */
function acceptRanges(accept: string | null): string[] {
  if (!accept) return [];
  return accept
    .split(",")
    .map((part, index) => {
      const [type = "", ...params] = part.split(";");
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)).find(Boolean);
      return { type: type.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((r) => r.type);
}
