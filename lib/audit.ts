import { database } from "./db/connection";

export interface AuditRecord {
  actorUserId: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  data?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

export async function recordAudit(entry: AuditRecord): Promise<void> {
  await database()("audit_log").insert({
    actor_user_id: entry.actorUserId,
    action: entry.action,
    resource_type: entry.resourceType ?? null,
    resource_id: entry.resourceId ?? null,
    data: entry.data ?? {},
    ip: entry.ip ?? null,
    request_id: entry.requestId ?? null,
  });
}
