/**
 * Logins in domain words for the login-limit tests (SPEC §11): a client
 * address no other test of the file uses, a right or a wrong password from
 * it, and the failures a customer's AccountDO keeps.
 */
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { partner, upperMd5, type TestCustomer } from "./api";
import { accountOf } from "./durable";

const LOGIN = "/api/WebInterface/Session/Login";

export interface LoginAnswer {
  errcode: number;
  errmsg: string;
}

/** Client addresses under `prefix` ("10.1"), one per call. */
export function addresses(prefix: string): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `${prefix}.${(n >> 8) & 255}.${n & 255}`;
  };
}

export async function login(c: Pick<TestCustomer, "dwid" | "dwlx">, password: string, address?: string): Promise<LoginAnswer> {
  const response = await partner(LOGIN, { dwid: c.dwid, dwlx: c.dwlx, password: await upperMd5(password) }, { address });
  expect(response.status).toBe(200);
  return (await response.json()) as LoginAnswer;
}

export const right = (c: TestCustomer, address?: string) => login(c, c.loginPassword, address);
export const wrong = (c: Pick<TestCustomer, "dwid" | "dwlx">, address?: string) => login(c, `wrong-${Math.random()}`, address);
export const codes = (answers: LoginAnswer[]) => answers.map((a) => a.errcode);
export const count = (answers: LoginAnswer[], code: number) => answers.filter((a) => a.errcode === code).length;

/** Wrong logins the customer's AccountDO keeps in its window. */
export async function loginFailuresStored(dwid: string): Promise<number> {
  return runInDurableObject(accountOf(dwid), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM login_failures").one().n);
}
