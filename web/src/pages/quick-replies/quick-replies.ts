// The quick replies' queries, and who may change which reply (docs/permissions.md:
// admins any; supervisors the global ones and those of queues they supervise; agents none).
import { useQuery } from "@tanstack/react-query";
import type { components } from "../../api/rest.gen";
import { useApi } from "../../auth/context";
import { useMe } from "../../auth/me";

export type QuickReply = components["schemas"]["QuickReply"];
export type Queue = components["schemas"]["Queue"];

export const QUICK_REPLIES_QUERY = ["quick-replies"] as const;
export const QUICK_REPLIES_PER_PAGE = 20;
/** The API's largest page: an installation's queues fit in it. */
const QUEUES_LIMIT = 100;

export function useQuickReplies(page: number, search: string, queueId: string) {
  const api = useApi();
  const query = { page, limit: QUICK_REPLIES_PER_PAGE, search: search.trim() || undefined, queue_id: queueId || undefined };
  return useQuery({
    queryKey: [...QUICK_REPLIES_QUERY, query],
    queryFn: ({ signal }) => api.get("/api/quick-replies", { query, signal }),
    placeholderData: (previous) => previous,
  });
}

/** The queues, to name each reply's queue and to know which ones the user supervises. */
export function useQueues() {
  const api = useApi();
  return useQuery({
    queryKey: ["queues", { limit: QUEUES_LIMIT }],
    queryFn: ({ signal }) => api.get("/api/queues", { query: { limit: QUEUES_LIMIT }, signal }),
  });
}

/** Whether the user may create, change and delete replies of a queue (`null`: the global ones). */
export function useReplyPermission(): (queueId: string | null) => boolean {
  const { me, role } = useMe();
  const queues = useQueues();
  return (queueId) => {
    if (role === "admin") return true;
    if (role !== "supervisor") return false;
    if (queueId === null) return true;
    const queue = queues.data?.items.find((item) => item.id === queueId);
    return !!queue?.agents.some((agent) => agent.user_id === me?.id && agent.is_supervisor);
  };
}
