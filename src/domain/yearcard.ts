/**
 * Annual-card orders (SPEC §5.3; seed yearcard-add-order.txt): one card per
 * order, insurance forced / optional / none from the product's
 * configuration, the client's InsurancePrice and InsuranceCount equal to the
 * configuration when buying, plan and holder fields overwritten by the
 * server, XB and Birthday required when insured and taken from a resident ID
 * (type '1') whenever one is given.
 *
 * The order's lines: 1 = the card (quantity 1, per-date price else product
 * price); 2 = the insurance, when bought: same product id, item kind
 * 'insurance', quantity = InsuranceCount, unit = insurance price. So
 * Σ lines = card + insurance price × count = the order's amount, and only
 * 'ticket' lines become tickets when paid.
 *
 * Pure: no I/O, no clock.
 */
import { fenToYuan, yuanToFen } from "./money";
import { ID_TYPE_NAMES, parseResidentId, RESIDENT_ID_TYPE, type IdType, type Sex } from "./idcard";
import { blankToNull, checkSellable, resolveIdentification, type DayRules, type PlannedLine, type ProductRules, type RuleRefusal } from "./order-plan";

/** A product's insurance configuration, as the rules read it (db/products.ts stores it as `InsuranceSettings`). */
export interface InsuranceRules {
  mode: "forced" | "optional" | "none";
  priceFen: number;
  count: number;
  planCode: string;
  planName: string;
  destZone: string | null;
  timeRange: number | null;
  holder: {
    type: "1" | "2";
    companyName: string;
    companyCode: string;
    address: string;
    contactName: string;
    contactPhone: string;
    email: string;
  } | null;
}

export interface YearCardProduct extends ProductRules {
  insurance: InsuranceRules | null;
}

/** The members of YearCardOrderAddParm the rules read (the schema's type fits). */
export interface YearCardInput {
  productid: string;
  amount: number;
  mobile: string;
  fullname?: string | null;
  identificationtype?: string | null;
  identificationnumber?: string | null;
  effectdate: string;
  BuyInsurance: string;
  InsurancePrice?: string | null;
  InsuranceCount?: number | null;
  XB?: string | null;
  Birthday?: string | null;
}

export type LineKind = "ticket" | "insurance";

export interface YearCardLine extends PlannedLine {
  kind: LineKind;
}

export interface YearCardPlan {
  lines: YearCardLine[];
  amountFen: number;
  /** The request as the server completed it: kept in orders.request_json. */
  filled: Record<string, unknown>;
}

export type YearCardResult = { ok: true; plan: YearCardPlan } | { ok: false; refusal: RuleRefusal };

/** GB/T 2261.1 sex codes, the usual ones of Chinese insurers. */
const INSURER_SEX_CODES: Record<Sex, string> = { M: "1", W: "2" };

export function planYearCard(input: YearCardInput, product: YearCardProduct | undefined, day: DayRules | undefined, today: string): YearCardResult {
  if (input.effectdate < today) return refused({ key: "effectDatePast" });
  const sellable = checkSellable(product, day, "yearcard");
  if (sellable) return refused({ key: sellable });
  const card = product!;
  const id = resolveIdentification(input.identificationtype, input.identificationnumber, today);
  if (!id.ok) return refused({ key: id.key });
  const fullname = blankToNull(input.fullname);
  if (card.realName && id.number === null) return refused({ key: "realNameIdRequired" });
  if (card.realName && fullname === null) return refused({ key: "realNameFullnameRequired" });

  const person = personOf(input, id.type, id.number, today);
  const insurance = decideInsurance(input, card.insurance, person);
  if (!insurance.ok) return refused(insurance.refusal);

  const cardLine: YearCardLine = {
    kind: "ticket",
    lineNo: 1,
    productId: card.productId,
    quantity: 1,
    unitPriceFen: day?.priceFen ?? card.priceFen,
    amountFen: day?.priceFen ?? card.priceFen,
    fullname,
    idType: id.type,
    idNumber: id.number,
    limitId: id.number,
    mobile: input.mobile,
    seatIds: [],
  };
  const lines = [cardLine];
  const bought = insurance.settings;
  if (bought) {
    lines.push({ ...cardLine, kind: "insurance", lineNo: 2, quantity: bought.count, unitPriceFen: bought.priceFen, amountFen: bought.priceFen * bought.count });
  }
  return {
    ok: true,
    plan: {
      lines,
      amountFen: lines.reduce((total, line) => total + line.amountFen, 0),
      filled: fillRequest(input, bought, person, id.type),
    },
  };
}

interface Person {
  sex: string | null;
  birthday: string | null;
}

/** Seed XB/Birthday: "当…主要证件号为二代证号时,此值将被自动分析程序复位". */
function personOf(input: YearCardInput, type: IdType | null, number: string | null, today: string): Person {
  if (type === RESIDENT_ID_TYPE && number !== null) {
    const parsed = parseResidentId(number, today);
    if (parsed.ok) return { sex: parsed.id.sex, birthday: parsed.id.birthDate };
  }
  return { sex: blankToNull(input.XB), birthday: blankToNull(input.Birthday) };
}

type InsuranceDecision = { ok: true; settings: InsuranceRules | null } | { ok: false; refusal: RuleRefusal };

function decideInsurance(input: YearCardInput, settings: InsuranceRules | null, person: Person): InsuranceDecision {
  const mode = settings?.mode ?? "none";
  const buying = mode === "forced" || input.BuyInsurance === "1";
  if (!buying) return { ok: true, settings: null };
  if (mode === "none" || !settings) return { ok: false, refusal: { key: "insuranceNotOffered" } };
  const forced = mode === "forced" ? "该年卡须同时购买保险，" : "";
  const priceFen = input.InsurancePrice == null ? null : yuanToFen(input.InsurancePrice);
  if (priceFen !== settings.priceFen) {
    return { ok: false, refusal: { key: "insurancePriceMismatch", detail: `${forced}当前保险单价为${fenToYuan(settings.priceFen)}元` } };
  }
  if (input.InsuranceCount !== settings.count) {
    return { ok: false, refusal: { key: "insuranceCountMismatch", detail: `${forced}当前每张年卡的保险份数为${settings.count}` } };
  }
  if (person.sex === null) return { ok: false, refusal: { key: "insuredSexRequired" } };
  if (person.birthday === null) return { ok: false, refusal: { key: "insuredBirthdayRequired" } };
  return { ok: true, settings };
}

/** The request with every server-filled member set (or cleared when not insured). */
function fillRequest(input: YearCardInput, bought: InsuranceRules | null, person: Person, idType: IdType | null): Record<string, unknown> {
  const holder = bought?.holder ?? null;
  return {
    ...input,
    BuyInsurance: bought ? "1" : "0",
    InsurancePrice: bought ? fenToYuan(bought.priceFen) : null,
    InsuranceCount: bought ? bought.count : null,
    InsurancePlanCode: bought?.planCode ?? null,
    InsurancePlanName: bought?.planName ?? null,
    InsuranceDestZone: bought?.destZone ?? null,
    InsuranceTimeRange: bought?.timeRange ?? null,
    InsuranceHolderType: holder?.type ?? null,
    InsuranceHolderCompanyName: holder?.companyName ?? null,
    InsuranceHolderCompanyCode: holder?.companyCode ?? null,
    InsuranceHolderAddress: holder?.address ?? null,
    InsuranceHolderContactName: holder?.contactName ?? null,
    InsuranceHolderContactPhone: holder?.contactPhone ?? null,
    InsuranceHolderEmail: holder?.email ?? null,
    XB: person.sex,
    Birthday: person.birthday,
    InsuranceSex: bought && person.sex ? (INSURER_SEX_CODES[person.sex as Sex] ?? null) : null,
    InsuranceBirthDay: bought && person.birthday ? dashed(person.birthday) : null,
    InsuranceCertTypeName: bought && idType ? ID_TYPE_NAMES[idType] : null,
    InsuranceCertTypeCode: bought && idType ? idType : null,
  };
}

/** yyyyMMdd -> yyyy-MM-dd (InsuranceBirthDay, max length 10). */
function dashed(date: string): string {
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
}

function refused(refusal: RuleRefusal): { ok: false; refusal: RuleRefusal } {
  return { ok: false, refusal };
}
