/**
 * POST api/WebInterface/Ticket/Check (SPEC §10 核销): a gate device admits a
 * ticket by its code, or the real-name ticket of an ID number valid today.
 * The rules are domain/gate.ts; the decision is D1's guarded UPDATE
 * (db/gates.ts `checkTicket`), read back in the same transaction, so of many
 * scans of one code, or a scan and a refund of it, exactly one wins. The
 * device's `checkid` makes a retry of one scan answer the same (0, the same
 * usedat), and only a retry: the same checkid for another ticket is refused
 * (4808); a check whose outcome is unknown is HTTP 503 (retry the checkid).
 */
import { checkTicket, ticketByCheck, ticketByCode, ticketsOfHolder, type GateTicket } from "../../db/gates";
import { ResultCodes, type ResultKey } from "../../domain/codes";
import { addDays, parseTimeOfDay, shanghaiDate } from "../../domain/dates";
import { admission, YEARCARD_VALID_DAYS, type TicketAtGate } from "../../domain/gate";
import { ticketUsedOutboxId } from "../../domain/notifications";
import { blankToNull } from "../../domain/order-plan";
import { TicketCheckParm, TicketCheckResponse } from "../../schemas/ticket-check";
import { answer, definePartnerEndpoint, refuse, type Outcome, type PartnerContext } from "../partner-endpoint";
import { notifyPaid } from "./follow-ups";
import { commonResult } from "../../wire/envelope";

/** A check that lost to a date change of its order within today decides again, this often at most. */
const MAX_CHECK_ATTEMPTS = 3;

export const ticketCheck = definePartnerEndpoint({
  paths: ["api/WebInterface/Ticket/Check"],
  methods: ["POST"],
  summary: "闸机核销:按门票码或证件号码验票入园,按checkid幂等。",
  description:
    "闸机用自己的令牌(Authorization: Bearer <闸机令牌>,由运营方登记闸机时发放)调用:按门票码,或按证件号码找到今天可入园的实名制门票,验票通过则门票变为已使用(used)。" +
    "不通过时各有代码:门票不存在、已使用(返回何时在哪个闸机使用)、已退票、订单未支付、不是今天的门票、不在入园时段内、本闸机不接待该产品。" +
    "同一次扫描重试时带相同的checkid,返回同一结果;同一checkid用于另一张门票时拒绝(4808);返回HTTP 503表示结果暂未确定,请用同一checkid重试。合作方的会话令牌不能调用本接口,闸机令牌也不能调用其他接口。",
  request: TicketCheckParm,
  response: TicketCheckResponse,
  auth: "gate",
  handle: checkAtGate,
});

export async function checkAtGate(input: TicketCheckParm, ctx: PartnerContext): Promise<Outcome> {
  const gate = ctx.gate!;
  const code = blankToNull(input.ticketcode);
  const idNumber = blankToNull(input.idnumber);
  if ((code === null) === (idNumber === null)) return refuse("fieldRequired", "ticketcode 与 idnumber 须提供其一");
  const given = blankToNull(input.checkid);
  // A retry of a scan this gate already admitted: the same answer. The same checkid for another
  // ticket is no retry: refused, never answered with the other ticket's admission.
  if (given !== null) {
    const done = await ticketByCheck(ctx.env.DB, gate.gateId, given);
    if (done) return (code !== null ? done.ticketCode === code : done.idNumber === idNumber) ? answered(done, null) : refuse("checkIdConflict");
  }
  let ticket = code !== null ? await ticketByCode(ctx.env.DB, code) : await holderTicket(ctx, idNumber!);
  if (!ticket) return refuse("ticketUnknown", code === null ? "该证件号码今天没有可入园的实名制门票" : undefined);
  const checkId = given ?? ctx.random.uuid();
  for (let attempt = 1; ; attempt++) {
    const refusal = admission(atGate(ticket), gate.products, ctx.nowMs);
    if (refusal) return answered(ticket, refusal);
    const after = await checkTicket(ctx.env.DB, {
      ticketCode: ticket.ticketCode,
      holdKey: ticket.holdKey,
      gateId: gate.gateId,
      checkId,
      nowMs: ctx.nowMs,
      outboxId: ticketUsedOutboxId(ticket.ticketCode),
      outboxPayload: JSON.stringify({ ticketCode: ticket.ticketCode, orderId: ticket.orderId, gateId: gate.gateId, checkId }),
      dwid: ticket.dwid,
    });
    if (!after) return refuse("ticketUnknown");
    const mine = after.status === "used" && after.usedGateId === gate.gateId && after.checkId === checkId;
    if (mine) {
      ctx.waitUntil(notifyPaid(ctx.env, ticketUsedOutboxId(after.ticketCode)));
      return answered(after, null);
    }
    // Not ours: another scan, a refund or a date change got there first. Still valid and admissible
    // (its order moved within today): decide again on the ticket as it now stands.
    if (after.status !== "valid") return answered(after, admission(atGate(after), gate.products, ctx.nowMs) ?? "ticketAlreadyUsed");
    // Still valid after as many tries: not admitted, nothing changed; the device scans again.
    if (attempt === MAX_CHECK_ATTEMPTS) return refuse("storeUnavailable");
    ticket = after;
  }
}

/** Of the holder's tickets for today, the valid one, else the one whose refusal says most. */
async function holderTicket(ctx: PartnerContext, idNumber: string): Promise<GateTicket | null> {
  const today = shanghaiDate(ctx.nowMs);
  const tickets = await ticketsOfHolder(ctx.env.DB, idNumber, today, addDays(today, 1 - YEARCARD_VALID_DAYS));
  return tickets[0] ?? null;
}

function atGate(t: GateTicket): TicketAtGate {
  return {
    status: t.status,
    orderStatus: t.orderStatus,
    productId: t.productId,
    productKind: t.productKind,
    effectDate: t.effectDate,
    slot: slotOf(t),
  };
}

/** The ticket's time slot as its day is configured (minutes since midnight, Asia/Shanghai). */
function slotOf(t: GateTicket): TicketAtGate["slot"] {
  if (t.timespanIndex === null || !t.timeslotsJson) return null;
  const slot = (JSON.parse(t.timeslotsJson) as { index: number; start: string; end: string }[]).find((s) => s.index === t.timespanIndex);
  const start = slot ? parseTimeOfDay(slot.start) : null;
  const end = slot ? parseTimeOfDay(slot.end) : null;
  return start === null || end === null ? null : { startMinute: start, endMinute: end === 0 ? 1440 : end };
}

/** The envelope: 0 when admitted, else the refusal's own code — both with the ticket as it stands (when and where it was used). */
function answered(t: GateTicket, refusal: ResultKey | null): Outcome {
  const tag = {
    ticketcode: t.ticketCode,
    orderid: t.orderId,
    productid: t.productId,
    effectdate: t.effectDate,
    timespanindex: t.timespanIndex,
    status: t.status,
    usedat: t.usedAtMs === null ? null : new Date(t.usedAtMs).toISOString(),
    gateid: t.usedGateId,
  };
  if (refusal === null) return answer(commonResult(tag, "验票通过"));
  return answer(commonResult(tag, refusalMessage(t, refusal), ResultCodes[refusal].code));
}

function refusalMessage(t: GateTicket, refusal: ResultKey): string {
  const message = ResultCodes[refusal].message;
  if (refusal === "ticketAlreadyUsed" && t.usedAtMs !== null) return `${message}(${new Date(t.usedAtMs).toISOString()},闸机 ${t.usedGateId})`;
  if (refusal === "ticketNotValidToday") return `${message}(游玩日期 ${t.effectDate})`;
  return message;
}
