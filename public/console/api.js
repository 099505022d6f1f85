/**
 * The console's only way to the server: the /admin API with the operator's
 * bearer token (SPEC §7). The token lives in sessionStorage, so it is gone
 * when the browser session ends; the page can do nothing the API refuses.
 */

const TOKEN_KEY = "eticket.console.adminToken";

/** An answer of `{error: {code, message, field?}}`, or a request that never got one. */
export class ApiError extends Error {
  constructor({ status, code = null, message, field = null }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
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
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  const headers = { accept: "application/json" };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";

  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError({ status: 0, message: `无法连接服务器，请检查网络后重试（${error.message}）` });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;

  const failure = data?.error;
  const error = new ApiError({
    status: response.status,
    code: failure?.code ?? null,
    message: failure?.message ?? `服务器返回错误（HTTP ${response.status}）`,
    field: failure?.field ?? null,
  });
  if (response.status === 401 && signOutOn401) unauthorizedHandler(error);
  throw error;
}

export const get = (path, query) => request("GET", path, { query });
export const put = (path, body) => request("PUT", path, { body });
export const post = (path, body) => request("POST", path, { body });
