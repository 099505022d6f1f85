/**
 * The console's only way to the server: the /admin API with the operator's
 * bearer token (SPEC §7). The token lives in sessionStorage, so it is gone
 * when the browser session ends; the page can do nothing the API refuses.
 */

const TOKEN_KEY = "eticket.console.adminToken";

/** An answer of `{error: {code, message, field?, detail?}}`, or a request that never got one. */
export class ApiError extends Error {
  constructor({ status, code = null, message, field = null, detail = null }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.detail = detail;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

let unauthorizedHandler = () => {};

/** app.js sends the operator back to sign-in when the API answers 401. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * request("GET", "/admin/customers", { query: { q } })
 * Query values that are empty are left out. Resolves to the parsed JSON body;
 * rejects with ApiError. A 401 signs the operator out, except while signing in.
 */
export async function request(method, path, { query, body, bearer = token(), signOutOn401 = true } = {}) {
  const response = await send(method, path, { query, body, bearer });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;
  throw failureOf(response, data, signOutOn401);
}

async function send(method, path, { query, body, bearer, accept = "application/json" }) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  const headers = { accept };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    return await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError({ status: 0, message: `无法连接服务器，请检查网络后重试（${error.message}）` });
  }
}

function failureOf(response, data, signOutOn401 = true) {
  const failure = data?.error;
  const error = new ApiError({
    status: response.status,
    code: failure?.code ?? null,
    message: failure?.message ?? `服务器返回错误（HTTP ${response.status}）`,
    field: failure?.field ?? null,
    detail: failure?.detail ?? null,
  });
  if (response.status === 401 && signOutOn401) unauthorizedHandler(error);
  return error;
}

/**
 * A file the API answers (GET …?format=csv), saved by the browser under the
 * name the server gives: the bearer token cannot ride on a plain link, so
 * the page fetches it and hands the browser the bytes.
 */
export async function download(path, query) {
  const response = await send("GET", path, { query, bearer: token(), accept: "text/csv" });
  if (!response.ok) {
    let data = null;
    try {
      data = JSON.parse(await response.text());
    } catch {
      data = null;
    }
    throw failureOf(response, data);
  }
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "export.csv";
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, bytes: blob.size };
}

export const get = (path, query) => request("GET", path, { query });
export const put = (path, body) => request("PUT", path, { body });
export const post = (path, body) => request("POST", path, { body });
