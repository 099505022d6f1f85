/**
 * What travels on the notification queue: only the outbox id. The consumer
 * reads everything else from D1 at delivery time, so a message is tiny, a
 * duplicate is harmless (same id, same row), and a message never carries
 * ticket codes or secrets through the queue.
 */
import { OUTBOX_ID_MAX_CHARS } from "../domain/notifications";

/** Queue names as wrangler.toml declares them. */
export const NOTIFY_QUEUE_NAME = "scenic-notifications";
export const NOTIFY_DEAD_LETTER_QUEUE_NAME = "scenic-notifications-dlq";

export interface NotificationMessage {
  v: 1;
  outboxId: string;
}

export const notificationMessage = (outboxId: string): NotificationMessage => ({ v: 1, outboxId });

/** The outbox id of a received body, or null when the body is not one of ours. */
export function outboxIdOf(body: unknown): string | null {
  const message = body as Partial<NotificationMessage> | null;
  if (!message || typeof message !== "object" || message.v !== 1) return null;
  const id = message.outboxId;
  return typeof id === "string" && id.length > 0 && id.length <= OUTBOX_ID_MAX_CHARS ? id : null;
}
