/** Every partner endpoint, in the order the help index lists them. */
import type { PartnerEndpoint } from "../partner-endpoint";
import { douyinOrderVerify, orderAdd, orderCancel, orderQuery, orderRefund, orderResend, yearCardAddOrder } from "./orders";
import { orderPayByPassword, payOrderMin, payOrderWebForms } from "./order-pay";
import { posBillAdd, posPayBill } from "./pos";
import { productCalendarEndpoint } from "./products";
import { sessionLogin } from "./session-login";

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
  orderResend,
  yearCardAddOrder,
  posBillAdd,
  posPayBill,
] as unknown as readonly PartnerEndpoint[];
