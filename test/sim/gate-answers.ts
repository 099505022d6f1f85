/**
 * The gate's answers (SPEC §10 核销), read as a gate device reads them — the
 * errcode only — and held to the tickets as D1 keeps them: each scan's
 * answer true of the ticket it names, one admission per ticket over the
 * run, a scan id's retries answered alike, no refund told done for a ticket
 * a scan was told admitted. The rest of the answer rules: answers.ts.
 */
import { ResultCodes } from "../../src/domain/codes";
import { shanghaiDate } from "../../src/domain/dates";
import type { History } from "./answers";
import type { Answer, World } from "./driver";
import type { Snapshot } from "./snapshot";

export const isAdmission = (a: Answer) => a.op.kind === "check" && a.outcome === "ok" && a.code === 0;
/** What a scan may be answered (HTTP 200): admitted, or one of the gate's refusals. */
const GATE_CODES: ReadonlySet<number> = new Set(
  (["ok", "ticketUnknown", "ticketAlreadyUsed", "ticketRefundedAtGate", "ticketOrderNotPaid", "ticketNotValidToday", "ticketOutsideSlot", "gateNotForProduct", "checkIdConflict"] as const).map(
    (k) => ResultCodes[k].code,
  ),
);
/** The gate and scan id ("-": none) an answer's scan was sent with (driver.ts: the target's key). */
const scanOf = (a: Answer) => {
  const [gateId, checkid] = a.target!.key.split(":") as [string, string];
  return { gateId, checkid: checkid === "-" ? null : checkid };
};
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * One scan's answer, true of the ticket it names as D1 holds it after the
 * step (a ticket's use and refund are final): admitted ⇒ used at this gate,
 * at the instant told, under this scan id when one was sent; 4801 ⇒ no such
 * ticket; 4802 ⇒ used (when and where as told); 4803 ⇒ refunded; 4804 ⇒ its
 * order unpaid; 4805 ⇒ its day is not today; 4806 ⇒ its day has time slots;
 * 4807 ⇒ this gate does not admit its product; 4808 ⇒ this gate's scan id
 * admitted another ticket. The answer names the ticket scanned, never another.
 */
export function checkHeld(world: World, snap: Snapshot, prev: Snapshot | null, a: Answer): string[] {
  if (a.outcome === "unknown" || a.outcome === "internal") return [];
  const d1 = snap.d1Before;
  const describe = `#${a.seq} check of ${a.target!.id}`;
  if (a.status !== 200) return [`${describe}: HTTP ${a.status} ${a.code} to a registered gate's well-formed scan`];
  if (!GATE_CODES.has(a.code)) return [`${describe}: answered ${a.code} ${a.message}, not admitted or a gate refusal`];
  const { gateId, checkid } = scanOf(a);
  const code = a.target!.id!;
  const tag = a.body?.tag;
  const t = d1.ticketByCode.get(code);
  const broken: string[] = [];
  if (tag && tag.ticketcode !== code) broken.push(`${describe}: answered ${a.code} about ticket ${tag.ticketcode} (order ${tag.orderid}), not the ticket scanned`);
  if (a.code === ResultCodes.checkIdConflict.code) {
    const owner = [...d1.ticketByCode.values()].find((x) => x.used_gate_id === gateId && x.check_id === checkid);
    if (!owner || owner.ticket_code === code) broken.push(`${describe}: told scan ${checkid} was used for another ticket (4808), D1 has it on ${owner?.ticket_code ?? "none"}`);
    return broken;
  }
  if (a.code === ResultCodes.ticketUnknown.code) {
    if (t) broken.push(`${describe}: told unknown (4801), D1 has it ${t.status}`);
    return broken;
  }
  if (!t) return [...broken, `${describe}: answered ${a.code}, D1 has no such ticket`];
  const order = d1.orders.get(t.order_id);
  const gate = world.gates.find((g) => g.gateId === gateId)!;
  switch (a.code) {
    case ResultCodes.ok.code: {
      const told = Date.parse(tag?.usedat);
      if (t.status !== "used" || t.used_gate_id !== gateId || t.used_at_ms !== told || tag?.gateid !== gateId || tag?.status !== "used") {
        broken.push(`${describe} at ${gateId}: told admitted at ${tag?.usedat} by ${tag?.gateid}, D1 has it ${t.status} at ${iso(t.used_at_ms)} by ${t.used_gate_id}`);
      } else if (checkid !== null && t.check_id !== checkid) broken.push(`${describe}: told admitted under scan ${checkid}, D1 has scan ${t.check_id}`);
      break;
    }
    case ResultCodes.ticketAlreadyUsed.code:
      if (t.status !== "used" || tag?.usedat !== iso(t.used_at_ms) || tag?.gateid !== t.used_gate_id) {
        broken.push(`${describe}: told already used (${tag?.usedat} at ${tag?.gateid}), D1 has it ${t.status} at ${iso(t.used_at_ms)} by ${t.used_gate_id}`);
      }
      break;
    case ResultCodes.ticketRefundedAtGate.code:
      if (t.status !== "refunded") broken.push(`${describe}: told refunded (4803), D1 has it ${t.status}`);
      break;
    case ResultCodes.ticketOrderNotPaid.code:
      if (order?.status === "paid") broken.push(`${describe}: told its order is not paid (4804), D1 has order ${t.order_id} paid`);
      break;
    case ResultCodes.ticketNotValidToday.code: {
      const days = new Set([shanghaiDate(prev?.nowMs ?? snap.nowMs), shanghaiDate(snap.nowMs)]);
      // A date change of the same step may have moved the order to today after the scan read it.
      const wasToday = (prev?.d1After.orders.get(t.order_id)?.effect_date ?? order?.effect_date) === order?.effect_date;
      if (order && days.size === 1 && days.has(order.effect_date) && wasToday) broken.push(`${describe}: told not valid today (4805), its day ${order.effect_date} is today`);
      break;
    }
    case ResultCodes.ticketOutsideSlot.code:
      if (!d1.productDays.get(`${t.product_id}:${order?.effect_date}`)?.timeslots) broken.push(`${describe}: told outside its time slot (4806), its day has no slots`);
      break;
    case ResultCodes.gateNotForProduct.code:
      if (gate.products === null || gate.products.includes(t.product_id)) broken.push(`${describe}: told ${gateId} does not admit ${t.product_id} (4807), it does`);
      break;
  }
  return broken;
}

/**
 * Over the whole run: a ticket is admitted once — more answers of 0 only for
 * retries of that one scan (same gate, same scan id, same usedat); a scan id
 * that admitted a ticket answers its retries — later, or in flight beside
 * it — 0 again with the same usedat;
 * no refund told done lists a ticket any scan was told admitted.
 */
export function admissionsHeld(history: History, step: readonly Answer[]): string[] {
  const broken: string[] = [];
  const all = history.answers.concat(step);
  const byTicket = new Map<string, Answer[]>();
  for (const a of all.filter(isAdmission)) byTicket.set(a.target!.id!, [...(byTicket.get(a.target!.id!) ?? []), a]);
  for (const [code, answers] of byTicket) {
    if (answers.length < 2) continue;
    const scans = new Set(answers.map((a) => `${a.target!.key} ${a.body.tag.usedat}`));
    if (scans.size > 1 || scanOf(answers[0]!).checkid === null) {
      broken.push(`ticket ${code}: admitted ${answers.length} times (${answers.map((a) => `#${a.seq} ${a.target!.key} ${a.body.tag.usedat}`).join("; ")})`);
    }
  }
  // Retries of a scan that admitted: earlier, or in flight beside it in this step.
  for (const a of step) {
    if (a.op.kind !== "check" || a.outcome === "unknown" || scanOf(a).checkid === null) continue;
    const admitted = all.find((b) => b !== a && isAdmission(b) && b.target!.key === a.target!.key && b.target!.id === a.target!.id);
    if (admitted && !(a.code === 0 && a.body?.tag?.usedat === admitted.body.tag.usedat)) {
      broken.push(`#${a.seq} check of ${a.target!.id}: a retry of scan ${a.target!.key} (#${admitted.seq}, admitted at ${admitted.body.tag.usedat}) answered ${a.code} ${a.body?.tag?.usedat ?? ""}`);
    }
  }
  const told = new Set(byTicket.keys());
  for (const a of all) {
    if (a.op.kind !== "refund" || a.outcome !== "ok") continue;
    const tickets: string[] = a.op.via === "partner" ? a.body.tag.tickets : a.body.tickets;
    for (const code of tickets.filter((c) => told.has(c))) broken.push(`#${a.seq} refund R${a.op.refund}: told done for ticket ${code}, which scan #${byTicket.get(code)![0]!.seq} was told admitted`);
  }
  return broken;
}
