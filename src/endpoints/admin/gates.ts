/**
 * Gate devices (SPEC §10 核销): PUT /admin/gates/{gateid} registers a gate
 * (its name, the products it admits) and, when it is new, issues its token —
 * shown once; POST /admin/gates/{gateid}/token issues a new one and ends the
 * old at once; GET /admin/gates lists them (never a token).
 */
import { clockOf } from "../../clock";
import { getGate, listGates, putGate, rotateGateToken, type Gate } from "../../db/gates";
import { GATE_TOKEN_SECRET_BYTES, makeGateToken } from "../../domain/gate";
import { sha256Hex } from "../../domain/tokens";
import { systemRandom } from "../../random";
import { GATE_ID_PATTERN, GatePut, PageQuery } from "../../schemas/admin";
import { adminError, isoTime, json, param, readJson, validate, type AdminHandler } from "./http";


export function gateJson(g: Gate) {
  return { gateId: g.gateId, name: g.name, products: g.products, tokenSetAt: isoTime(g.tokenSetAtMs), createdAt: isoTime(g.createdAtMs), updatedAt: isoTime(g.updatedAtMs) };
}

function gateIdParam(request: Parameters<AdminHandler>[0]): string | Response {
  const gateId = param(request, "gateid");
  return GATE_ID_PATTERN.test(gateId) ? gateId : adminError("adminInvalid", "gateid 必须是1到36位字母、数字、_或-", "gateid");
}

async function freshToken(gateId: string): Promise<{ token: string; sha256: string }> {
  const token = makeGateToken(gateId, systemRandom.bytes(GATE_TOKEN_SECRET_BYTES));
  return { token, sha256: await sha256Hex(token) };
}

export const putGateHandler: AdminHandler = async (request, env) => {
  const gateId = gateIdParam(request);
  if (gateId instanceof Response) return gateId;
  const body = await readJson(request, GatePut);
  const issued = await freshToken(gateId);
  const { gate, created } = await putGate(env.DB, { gateId, name: body.name, products: body.products ?? null, tokenSha256: issued.sha256 }, clockOf(env).nowMs());
  // The token is shown once, when it is issued: a new gate's here; later ones by rotation.
  return json({ ...gateJson(gate), ...(created ? { token: issued.token } : {}) }, created ? 201 : 200);
};

export const rotateGateTokenHandler: AdminHandler = async (request, env) => {
  const gateId = gateIdParam(request);
  if (gateId instanceof Response) return gateId;
  const issued = await freshToken(gateId);
  if (!(await rotateGateToken(env.DB, gateId, issued.sha256, clockOf(env).nowMs()))) return adminError("adminNotFound", "闸机不存在");
  return json({ ...gateJson((await getGate(env.DB, gateId))!), token: issued.token });
};

export const listGatesHandler: AdminHandler = async (request, env) => {
  const query = validate(PageQuery, request.query);
  const page = await listGates(env.DB, { limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(gateJson), nextCursor: page.nextCursor });
};
