/** /admin/customers: create or edit a customer, list and search, read one. */
import { clockOf } from "../../clock";
import { upperMd5 } from "../../crypto/paypassword";
import { importSealingKey, seal } from "../../crypto/sealed";
import { CALLBACK_SECRET_BYTES, newCallbackSecret } from "../../crypto/signature";
import { callbackSecretContext, storeCallbackSecret } from "../../db/callback-secrets";
import { forgetCredentialsVersion, getCustomer, listCustomers, upsertCustomer, type Customer } from "../../db/customers";
import { fenToYuanNumber, yuanToFen } from "../../domain/money";
import type { ProfileChange, ProfileChanged } from "../../durable/account";
import { withAccount } from "../../durable/stubs";
import type { Env } from "../../env";
import { systemRandom } from "../../random";
import { CustomerListQuery, CustomerPut, DWID_PATTERN } from "../../schemas/admin";
import { isolateSessions } from "../session-cache";
import { adminError, isoTime, json, param, readJson, validate, type AdminHandler } from "./http";

export function customerJson(c: Customer) {
  return {
    dwid: c.dwid,
    dwlx: c.dwlx,
    name: c.name,
    callbackUrl: c.callbackUrl,
    suspended: c.suspended,
    lowBalanceAlert: c.lowBalanceFen === null ? null : fenToYuanNumber(c.lowBalanceFen),
    contactMobile: c.contactMobile,
    createdAt: isoTime(c.createdAtMs),
    updatedAt: isoTime(c.updatedAtMs),
  };
}

export function dwidParam(request: Parameters<AdminHandler>[0]): string | Response {
  const dwid = param(request, "dwid");
  return DWID_PATTERN.test(dwid) ? dwid : adminError("adminInvalid", "dwid 必须是1到36位字母、数字、_或-", "dwid");
}

/**
 * PUT /admin/customers/{dwid}: the profile goes to the AccountDO first, so a
 * customer row never exists without one. The object is the authority on
 * passwords and suspension (SPEC §11): a changed password or a suspension
 * ends the customer's sessions there, at once; D1 keeps a copy of the
 * standing the object reports, for lists, and of its credentials version,
 * which guards the orders cached sessions add (session-cache.ts). The first time a callback URL is
 * set, the callback signing secret is generated and shown in this answer
 * (`callbackSecret`), and never again (rotate: POST .../callback-secret).
 * The low-balance threshold is the object's too (it decides at every debit,
 * SPEC §12) and D1 keeps a copy; the contact mobile lives in D1 only.
 */
export const putCustomer: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const body = await readJson(request, CustomerPut);
  const change = {
    dwid,
    dwlx: body.dwlx,
    loginMd5: body.loginPassword === undefined ? undefined : await upperMd5(body.loginPassword),
    payMd5: body.payPassword === undefined ? undefined : body.payPassword === null ? null : await upperMd5(body.payPassword),
    suspended: body.suspended,
    lowBalanceFen: body.lowBalanceAlert === undefined ? undefined : body.lowBalanceAlert === null ? null : yuanToFen(body.lowBalanceAlert)!,
  };
  const profile = await changeProfile(env, change);
  if (!profile.ok) return adminError(profile.reason, undefined, "loginPassword");
  if (profile.ended.length > 0) {
    // The object already refuses the old sessions; this isolate's cache forgets them too (session-cache.ts).
    isolateSessions.forgetCustomer(dwid);
    console.log(JSON.stringify({ event: "customer_sessions_ended", dwid, because: profile.ended, sessions: profile.sessionsEnded }));
  }
  const { created } = await upsertCustomer(
    env.DB,
    {
      dwid, dwlx: body.dwlx, name: body.name, callbackUrl: body.callbackUrl, contactMobile: body.contactMobile,
      suspended: profile.suspended, lowBalanceFen: profile.lowBalanceFen, credentialsVersion: profile.credentialsVersion,
    },
    clockOf(env).nowMs(),
  );
  const callbackSecret = body.callbackUrl ? await issueCallbackSecret(env, dwid, true) : null;
  // A new threshold may have recorded an alert: delivered now that D1 has the callback and contact mobile it goes to (else by the object's alarm).
  if (body.lowBalanceAlert !== undefined) {
    await withAccount(env, dwid, (account) => account.flushAlerts()).catch((error: unknown) => {
      console.warn(JSON.stringify({ event: "balance_alert_flush_deferred", dwid, error: String(error) }));
    });
  }
  const customer = await getCustomer(env.DB, dwid);
  return json({ ...customerJson(customer!), ...(callbackSecret ? { callbackSecret } : {}) }, created ? 201 : 200);
};

/**
 * The profile change in the customer's AccountDO, as every isolate makes it.
 * The session guard (migration 0014): D1's copy of the credentials version
 * is unknown from before the object may end the sessions until the caller
 * copies the new version (upsertCustomer), so no cached session adds an
 * order in between — nor after, should the copy never land.
 */
export async function changeProfile(env: Env, change: ProfileChange): Promise<ProfileChanged> {
  const mayEndSessions = change.loginMd5 !== undefined || change.payMd5 !== undefined || change.suspended === true;
  if (mayEndSessions) await forgetCredentialsVersion(env.DB, change.dwid);
  // RPC types map a union result member by member; the value is the plain union.
  return withAccount(env, change.dwid, async (account) => (await account.setProfile(change)) as ProfileChanged);
}

/** POST /admin/customers/{dwid}/callback-secret: a new signing secret, shown once; the old one stops signing at once. */
export const rotateCallbackSecret: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const callbackSecret = await issueCallbackSecret(env, dwid, false);
  return callbackSecret ? json({ dwid, callbackSecret }) : adminError("customerNotFound");
};

/** A fresh secret, sealed at rest; null when not stored (no such customer, or `onlyIfMissing` and one exists). */
async function issueCallbackSecret(env: Env, dwid: string, onlyIfMissing: boolean): Promise<string | null> {
  const secret = newCallbackSecret(systemRandom.bytes(CALLBACK_SECRET_BYTES));
  const sealed = await seal(await importSealingKey(env.PASSWORD_KEY), secret, callbackSecretContext(dwid));
  return (await storeCallbackSecret(env.DB, dwid, sealed, clockOf(env).nowMs(), onlyIfMissing)) ? secret : null;
}

export const getCustomerHandler: AdminHandler = async (request, env) => {
  const dwid = dwidParam(request);
  if (dwid instanceof Response) return dwid;
  const customer = await getCustomer(env.DB, dwid);
  return customer ? json(customerJson(customer)) : adminError("customerNotFound");
};

export const listCustomersHandler: AdminHandler = async (request, env) => {
  const query = validate(CustomerListQuery, request.query);
  const page = await listCustomers(env.DB, { search: query.q, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(customerJson), nextCursor: page.nextCursor });
};
