/**
 * The gate's rules (核销, SPEC §10): whether a ticket may enter here and now.
 * Pure: the ticket as D1 has it, the gate, and the instant come in; the
 * answer is a refusal key in precedence order, or admission. Gate tokens
 * name their gate like session tokens name their customer.
 */
import type { ResultKey } from "./codes";
import { addDays, shanghaiDate, shanghaiMinuteOfDay } from "./dates";
import { base64url, utf8OfBase64url } from "./tokens";

/** Random bytes of a gate token's secret. */
export const GATE_TOKEN_SECRET_BYTES = 32;
/** How long an annual card admits after its effect date, in days (the effect day included). */
export const YEARCARD_VALID_DAYS = 365;

/** `g1.<base64url(gateid)>.<base64url(32 random bytes)>`; D1 keeps only its SHA-256. */
export function makeGateToken(gateId: string, secret: Uint8Array): string {
  if (secret.byteLength !== GATE_TOKEN_SECRET_BYTES) throw new Error("gate token secret must be 32 bytes");
  return `g1.${base64url(new TextEncoder().encode(gateId))}.${base64url(secret)}`;
}

/** The gate a token names, or null when it is not a gate token. */
export function gateIdOfToken(token: string): string | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "g1" || parts[2]!.length !== 43) return null;
  const id = utf8OfBase64url(parts[1]!);
  return id !== null && /^[A-Za-z0-9_-]{1,36}$/.test(id) ? id : null;
}

/** A ticket as the gate sees it. */
export interface TicketAtGate {
  status: "valid" | "used" | "refunded";
  orderStatus: string;
  productId: string;
  productKind: "ticket" | "yearcard";
  effectDate: string;
  /** The slot's opening minutes (Asia/Shanghai), when the ticket's day has slots. */
  slot: { startMinute: number; endMinute: number } | null;
}

/**
 * Admission, or the refusal in precedence order: already used, refunded,
 * the order not paid, a product this gate does not admit, not valid today
 * (an annual card: from its effect date for a year), outside its time slot.
 */
export function admission(ticket: TicketAtGate, gateProducts: readonly string[] | null, nowMs: number): ResultKey | null {
  if (ticket.status === "used") return "ticketAlreadyUsed";
  if (ticket.status === "refunded") return "ticketRefundedAtGate";
  if (ticket.orderStatus !== "paid") return "ticketOrderNotPaid";
  if (gateProducts !== null && !gateProducts.includes(ticket.productId)) return "gateNotForProduct";
  const today = shanghaiDate(nowMs);
  const validToday =
    ticket.productKind === "yearcard"
      ? today >= ticket.effectDate && today <= addDays(ticket.effectDate, YEARCARD_VALID_DAYS - 1)
      : today === ticket.effectDate;
  if (!validToday) return "ticketNotValidToday";
  if (ticket.slot) {
    const minute = shanghaiMinuteOfDay(nowMs);
    if (minute < ticket.slot.startMinute || minute >= ticket.slot.endMinute) return "ticketOutsideSlot";
  }
  return null;
}
