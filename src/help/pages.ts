/**
 * The legacy help pages as data: what ASP.NET's Web API help page shows for
 * each API (the seeds' layout), built from `partnerEndpoints` and the zod
 * schemas. Rendering to HTML or plain text is `render.ts`'s business. Pure.
 *
 * One page per method and path (the legacy ApiDescription): an endpoint with
 * two paths or two methods has two pages. The page id is ASP.NET's
 * FriendlyId: METHOD-path with '/' as '-'.
 */
import type { z } from "zod";
import type { PartnerEndpoint } from "../endpoints/partner-endpoint";
import {
  contractDescription, fieldsOf, modelName, reachableContracts, type FieldInfo, type FieldType,
} from "../schemas/introspect";
import { jsonSample, xmlSample } from "./samples";

export interface TypeRef {
  /** As the legacy generator names it: "string", "integer", "decimal number", "Collection of X", X. */
  text: string;
  /** The model a complex type links to (/Help/ResourceModel?modelName=...). */
  model?: string;
}

export interface ParameterRow {
  name: string;
  description: string;
  type: TypeRef;
  /** "Required", "Max length: N", "Min length: N"; empty shows "None.". */
  annotations: string[];
}

export interface ParameterBlock {
  /** The parameter's (or the response type's) documentation line, when there is one. */
  documentation?: string;
  type: TypeRef;
  rows: ParameterRow[];
}

export interface Sample {
  mediaType: string;
  text: string;
  /** "code" samples are preformatted JSON/XML; "note" is one of the legacy sentences. */
  kind: "code" | "note";
}

export interface ApiPage {
  id: string;
  method: "GET" | "POST";
  path: string;
  description: string;
  /** null: "None.". */
  uriParameters: ParameterRow[] | null;
  /** null: "None.". */
  body: ParameterBlock | null;
  requestFormats: Sample[];
  resourceDescription: string;
  response: ParameterBlock;
  responseFormats: Sample[];
}

export interface ApiEntry {
  id: string;
  method: "GET" | "POST";
  path: string;
  endpoint: PartnerEndpoint;
}

export interface ModelPage {
  name: string;
  description?: string;
  rows: ParameterRow[];
}

export const JSON_MEDIA = "application/json, text/json";
export const XML_MEDIA = "application/xml, text/xml";
export const FORM_MEDIA = "application/x-www-form-urlencoded";
export const BSON_MEDIA = "application/bson";
/** The legacy page's sentences for the formatters that have no sample. */
export const SAMPLE_NOT_AVAILABLE = "Sample not available.";
export const BSON_NOTE = "Binary JSON content. See http://bsonspec.org for details.";

/** ASP.NET's ApiDescription.FriendlyId. */
export function helpId(method: string, path: string): string {
  return `${method}-${path.replace(/\//g, "-")}`;
}

/** Every (method, path) of every endpoint, in `partnerEndpoints` order. */
export function apiEntries(endpoints: readonly PartnerEndpoint[]): ApiEntry[] {
  return endpoints.flatMap((endpoint) =>
    endpoint.paths.flatMap((path) => endpoint.methods.map((method) => ({ id: helpId(method, path), method, path, endpoint }))),
  );
}

/** The entry for a help id, matched case-insensitively (ASP.NET's route values are). */
export function findApi(endpoints: readonly PartnerEndpoint[], id: string): ApiEntry | undefined {
  const wanted = id.toLowerCase();
  return apiEntries(endpoints).find((entry) => entry.id.toLowerCase() === wanted);
}

export function apiPage(entry: ApiEntry): ApiPage {
  const { endpoint, method } = entry;
  const request = endpoint.request as unknown as z.ZodObject;
  const response = endpoint.response as unknown as z.ZodObject;
  // A GET reads its fields from the query string ([FromUri]): URI parameters, no body, no request samples.
  const viaQuery = method === "GET";
  return {
    id: entry.id,
    method,
    path: entry.path,
    description: endpoint.description,
    uriParameters: viaQuery ? rowsOf(request, "request") : null,
    body: viaQuery ? null : { documentation: contractDescription(request), type: complexType(request), rows: rowsOf(request, "request") },
    requestFormats: viaQuery
      ? []
      : [
          { mediaType: JSON_MEDIA, text: jsonSample(request), kind: "code" },
          { mediaType: XML_MEDIA, text: xmlSample(request), kind: "code" },
          { mediaType: FORM_MEDIA, text: SAMPLE_NOT_AVAILABLE, kind: "note" },
          { mediaType: BSON_MEDIA, text: BSON_NOTE, kind: "note" },
        ],
    // The legacy pages repeat the action's description as the response's.
    resourceDescription: endpoint.description,
    response: { type: complexType(response), rows: rowsOf(response, "response") },
    responseFormats: [
      { mediaType: JSON_MEDIA, text: jsonSample(response), kind: "code" },
      { mediaType: XML_MEDIA, text: xmlSample(response), kind: "code" },
      { mediaType: BSON_MEDIA, text: BSON_NOTE, kind: "note" },
    ],
  };
}

/**
 * Each complex type of the partner API, by its legacy model name
 * (case-insensitive), as /Help/ResourceModel?modelName= shows it. A type
 * that any request carries is documented with its request rules.
 */
export function modelPage(endpoints: readonly PartnerEndpoint[], name: string): ModelPage | undefined {
  const requests = reachableContracts(endpoints.map((e) => e.request as unknown as z.ZodObject));
  const responses = reachableContracts(endpoints.map((e) => e.response as unknown as z.ZodObject));
  const wanted = name.toLowerCase();
  const inRequests = requests.find((schema) => modelName(schema).toLowerCase() === wanted);
  const schema = inRequests ?? responses.find((s) => modelName(s).toLowerCase() === wanted);
  if (!schema) return undefined;
  return { name: modelName(schema), description: contractDescription(schema), rows: rowsOf(schema, inRequests ? "request" : "response") };
}

function rowsOf(schema: z.ZodObject, direction: "request" | "response"): ParameterRow[] {
  return fieldsOf(schema).map((field) => ({
    name: field.name,
    description: field.description ?? "",
    type: typeRef(field.type),
    annotations: annotations(field, direction),
  }));
}

function complexType(schema: z.ZodObject): TypeRef {
  const name = modelName(schema);
  return { text: name, model: name };
}

function typeRef(type: FieldType): TypeRef {
  switch (type.kind) {
    case "string":
      return { text: "string" };
    case "int":
      return { text: "integer" };
    case "decimal":
      return { text: "decimal number" };
    case "object":
      return complexType(type.contract);
    case "list": {
      const item = modelName(type.item);
      return { text: `Collection of ${item}`, model: item };
    }
    // A simple element type has no model page: ASP.NET writes its description, "string".
    case "stringList":
      return { text: "Collection of string" };
  }
}

/**
 * The legacy "Additional information": the validation annotations
 * ([Required], [MaxLength], [MinLength]) — "Required" first, the rest in
 * ordinal order, as ASP.NET sorts them. Formats (yyyyMMdd, 11-digit mobile)
 * are refinements the legacy generator never listed. Response types carry no
 * validation annotations: our response schemas mark members the writer always
 * fills, which is not the legacy [Required] (the seeds show "None." for
 * `resultcode` and `errcode`).
 */
export function annotations(field: FieldInfo, direction: "request" | "response"): string[] {
  const rest: string[] = [];
  if (field.maxLength !== undefined) rest.push(`Max length: ${field.maxLength}`);
  if (field.minLength !== undefined) rest.push(`Min length: ${field.minLength}`);
  rest.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  return direction === "request" && field.required ? ["Required", ...rest] : rest;
}
