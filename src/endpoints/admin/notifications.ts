/**
 * /admin/notifications: the outbox as operators see it (issue 6). The
 * operators' console is built against exactly these shapes:
 *   GET  /admin/notifications?status=&limit=&cursor=  → {items: [notification], nextCursor}
 *   GET  /admin/notifications/{id}                    → notification + {deliveries: [per channel]}
 *   POST /admin/notifications/{id}/retry              → {id, status}  (404 unknown, 409 already sent)
 */
import { clockOf } from "../../clock";
import { getOutbox, listOutbox, requeue, type Delivery, type OutboxEntry } from "../../db/outbox";
import { OUTBOX_ID_MAX_CHARS } from "../../domain/notifications";
import { sendMessages } from "../../queue/producer";
import { NotificationListQuery } from "../../schemas/admin";
import { adminError, isoTime, json, param, validate, type AdminHandler } from "./http";

function notificationJson(n: OutboxEntry) {
  return {
    id: n.id,
    kind: n.kind,
    dwid: n.dwid,
    targetId: n.targetId,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: isoTime(n.createdAtMs),
    updatedAt: isoTime(n.updatedAtMs),
  };
}

function deliveryJson(d: Delivery) {
  return { channel: d.channel, status: d.status, attempts: d.attempts, target: d.target, lastError: d.lastError, updatedAt: isoTime(d.updatedAtMs), sentAt: isoTime(d.sentAtMs) };
}

function idParam(request: Parameters<AdminHandler>[0]): string | Response {
  const id = param(request, "id");
  return id.length >= 1 && id.length <= OUTBOX_ID_MAX_CHARS ? id : adminError("adminInvalid", `id 长度必须是1到${OUTBOX_ID_MAX_CHARS}`, "id");
}

export const listNotificationsHandler: AdminHandler = async (request, env) => {
  const query = validate(NotificationListQuery, request.query);
  const page = await listOutbox(env.DB, { status: query.status, limit: query.limit, cursor: query.cursor });
  return json({ items: page.items.map(notificationJson), nextCursor: page.nextCursor });
};

export const getNotificationHandler: AdminHandler = async (request, env) => {
  const id = idParam(request);
  if (id instanceof Response) return id;
  const found = await getOutbox(env.DB, id);
  if (!found) return adminError("notificationNotFound");
  return json({ ...notificationJson(found.entry), deliveries: found.deliveries.map(deliveryJson) });
};

/** Re-enqueues a notification in any state but 'sent'; channels already done are not repeated. */
export const retryNotificationHandler: AdminHandler = async (request, env) => {
  const id = idParam(request);
  if (id instanceof Response) return id;
  const found = await getOutbox(env.DB, id);
  if (!found) return adminError("notificationNotFound");
  if (found.entry.status === "sent") return adminError("notificationAlreadySent");
  // The message first, then the row's state: a message is never lost behind a row that says 'enqueued'.
  await sendMessages(env, [id]);
  const status = await requeue(env.DB, id, clockOf(env).nowMs());
  return json({ id, status });
};
