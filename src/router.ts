/**
 * The route table. Partner paths (/api, /Source) are the legacy ones and are
 * matched case-insensitively with or without a trailing slash (ASP.NET
 * routing, SPEC §3); /admin paths are ours and case-sensitive (their
 * parameters are ids). Unknown paths answer 404, known paths with another
 * method 405. `catch` never shows internals.
 */
import { Router, type IRequest, type RouteEntry } from "itty-router";
import type { Env } from "./env";
import { getAccount, getLedger, postDeposit } from "./endpoints/admin/accounts";
import { getCheckinsHandler } from "./endpoints/admin/checkins";
import { getCustomerHandler, listCustomersHandler, putCustomer, rotateCallbackSecret } from "./endpoints/admin/customers";
import { getStatement } from "./endpoints/admin/statement";
import { AdminInputError, adminError, requireAdmin, type AdminHandler } from "./endpoints/admin/http";
import { listGatesHandler, putGateHandler, rotateGateTokenHandler } from "./endpoints/admin/gates";
import { getNotificationHandler, listNotificationsHandler, retryNotificationHandler } from "./endpoints/admin/notifications";
import { cancelOrderHandler, getOrderHandler, listBillsHandler, listCustomerOrders, listOrdersHandler } from "./endpoints/admin/orders";
import { putCalendarRange } from "./endpoints/admin/calendar-bulk";
import { getDashboard } from "./endpoints/admin/dashboard";
import { getCalendarMonth, getProductHandler, listProductsHandler, putCalendarDay, putProduct } from "./endpoints/admin/products";
import { listRefundsHandler, postOrderRefund } from "./endpoints/admin/refunds";
import { searchTicketsHandler } from "./endpoints/admin/tickets";
import { partnerEndpoints } from "./endpoints/partner";
import { servePartner } from "./endpoints/partner-pipeline";
import { isStoreUnavailable, RETRY_AFTER_SECONDS } from "./endpoints/store-errors";
import { helpApi, helpIndex, helpResourceModel } from "./help/routes";
import { docsPage, openApiJson } from "./openapi/routes";
import { json } from "./endpoints/admin/http";

type Args = [Env, ExecutionContext];

export function buildRouter() {
  const router = Router<IRequest, Args>({
    catch: (error: unknown, request: IRequest) => {
      if (error instanceof AdminInputError) return error.response;
      const unavailable = isStoreUnavailable(error);
      console.error(JSON.stringify({ event: unavailable ? "store_unavailable" : "unhandled_error", path: new URL(request.url).pathname, error: String(error) }));
      if (!unavailable) return json({ error: { code: 9999, message: "系统内部错误,请稍后重试" } }, 500);
      const response = adminError("outcomeUnknown");
      response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
      return response;
    },
  });

  for (const endpoint of partnerEndpoints) {
    for (const path of endpoint.paths) {
      router.all(`/${path}`, (request, env, ctx) => servePartner(endpoint, request, env, ctx));
    }
  }
  // Documentation (issue 10): the legacy help pages, OpenAPI and its page; case-insensitive like the partner paths.
  router
    .get("/help", (request) => helpIndex(request))
    .get("/help/api/:id", (request) => helpApi(request))
    .get("/help/resourcemodel", (request) => helpResourceModel(request))
    .get("/openapi.json", () => openApiJson())
    .get("/docs", () => docsPage());
  makeCaseInsensitive(router.routes);

  const admin = (handler: AdminHandler) => (request: IRequest, env: Env, ctx: ExecutionContext) =>
    requireAdmin(request, env) ?? handler(request, env, ctx);
  router
    .get("/admin/dashboard", admin(getDashboard))
    .get("/admin/customers", admin(listCustomersHandler))
    .put("/admin/customers/:dwid", admin(putCustomer))
    .get("/admin/customers/:dwid", admin(getCustomerHandler))
    .post("/admin/customers/:dwid/deposits", admin(postDeposit))
    .get("/admin/customers/:dwid/account", admin(getAccount))
    .get("/admin/customers/:dwid/ledger", admin(getLedger))
    .get("/admin/customers/:dwid/statement", admin(getStatement))
    .get("/admin/customers/:dwid/orders", admin(listCustomerOrders))
    .post("/admin/customers/:dwid/callback-secret", admin(rotateCallbackSecret))
    .get("/admin/products", admin(listProductsHandler))
    .put("/admin/products/:productid", admin(putProduct))
    .get("/admin/products/:productid", admin(getProductHandler))
    .put("/admin/products/:productid/calendar/:day", admin(putCalendarDay))
    .get("/admin/products/:productid/calendar", admin(getCalendarMonth))
    .put("/admin/products/:productid/calendar", admin(putCalendarRange))
    .get("/admin/orders", admin(listOrdersHandler))
    .get("/admin/orders/:orderid", admin(getOrderHandler))
    .post("/admin/orders/:orderid/cancel", admin(cancelOrderHandler))
    .post("/admin/orders/:orderid/refunds", admin(postOrderRefund))
    .get("/admin/refunds", admin(listRefundsHandler))
    .get("/admin/bills", admin(listBillsHandler))
    .get("/admin/gates", admin(listGatesHandler))
    .put("/admin/gates/:gateid", admin(putGateHandler))
    .post("/admin/gates/:gateid/token", admin(rotateGateTokenHandler))
    .get("/admin/checkins", admin(getCheckinsHandler))
    .get("/admin/tickets", admin(searchTicketsHandler))
    .get("/admin/notifications", admin(listNotificationsHandler))
    .get("/admin/notifications/:id", admin(getNotificationHandler))
    .post("/admin/notifications/:id/retry", admin(retryNotificationHandler))
    .get("/health", () => json({ ok: true }));

  router.all("*", (request: IRequest) => notRoutable(router.routes, request));
  return router;
}

/** itty-router has no case-insensitive option; its compiled route regexes take the `i` flag. */
function makeCaseInsensitive(routes: RouteEntry[]): void {
  for (const route of routes) route[1] = new RegExp(route[1].source, "i");
}

function notRoutable(routes: RouteEntry[], request: IRequest): Response {
  const path = new URL(request.url).pathname;
  const methods = routes.filter(([method, regex, , pattern]) => pattern !== "*" && regex.test(path)).map(([m]) => m);
  if (methods.length > 0) {
    const response = adminError("methodNotAllowed");
    response.headers.set("allow", [...new Set(methods)].join(", "));
    return response;
  }
  return adminError("notFound");
}
