/** Every partner endpoint, in the order the help index lists them. */
import type { PartnerEndpoint } from "../partner-endpoint";
import { accountBalanceEndpoint, accountStatementEndpoint } from "./account";
import { douyinOrderVerify, orderAdd, orderCancel, orderChangeDate, orderQuery, orderRefund, orderResend, yearCardAddOrder } from "./orders";
import { orderPayByPassword, payOrderMin, payOrderWebForms } from "./order-pay";
import { posBillAdd, posPayBill } from "./pos";
import { productCalendarEndpoint } from "./products";
import { sessionLogin } from "./session-login";
import { ticketCheck } from "./ticket-check";

export const partnerEndpoints: readonly PartnerEndpoint[] = [
  sessionLogin,
  douyinOrderVerify,
  productCalendarEndpoint,
  orderAdd,
  orderQuery,
  orderCancel,
  orderPayByPassword,
  payOrderMin,
  payOrderWebForms,
  orderRefund,
  orderChangeDate,
  orderResend,
  yearCardAddOrder,
  posBillAdd,
  posPayBill,
  accountBalanceEndpoint,
  accountStatementEndpoint,
  ticketCheck,
] as unknown as readonly PartnerEndpoint[];
