// The queues' data, shared by the list and a queue's tabs. No socket event
// carries queue figures (the AsyncAPI document has none), so the figures are
// asked again when a conversation moves (useLiveQueueFigures) and every few
// seconds while the tab is visible (presence changes have no event either).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "../../api/rest.gen";
import { useApi, useSignedIn } from "../../auth/context";
import { useMe } from "../../auth/me";
import { useSocketEvent } from "../../realtime/socket";

export type Queue = components["schemas"]["Queue"];
export type QueuePage = components["schemas"]["QueuePage"];
export type QueueMember = components["schemas"]["QueueAgent"];
export type QueueStats = components["schemas"]["QueueStats"];

/** TanStack Query pauses the interval while the tab is hidden. */
const FIGURES_EVERY_MS = 10_000;
export const PAGE_SIZE = 100;

export const queueKeys = {
  all: ["queues"] as const,
  lists: ["queues", "list"] as const,
  list: (page: number) => ["queues", "list", page] as const,
  one: (id: string) => ["queues", "one", id] as const,
  stats: (id: string) => ["queues", "stats", id] as const,
};

export function useQueueList(page: number) {
  const api = useApi();
  return useQuery({
    queryKey: queueKeys.list(page),
    queryFn: ({ signal }) => api.get("/api/queues", { query: { page, limit: PAGE_SIZE }, signal }),
    refetchInterval: FIGURES_EVERY_MS,
  });
}

export function useQueue(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: queueKeys.one(id),
    queryFn: ({ signal }) => api.get("/api/queues/{id}", { path: { id }, signal }),
    refetchInterval: FIGURES_EVERY_MS,
  });
}

/** A queue's figures for today; `enabled` only for those who may read them (admins, the queue's supervisors). */
export function useQueueStats(id: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: queueKeys.stats(id),
    queryFn: ({ signal }) => api.get("/api/queues/{id}/stats", { path: { id }, signal }),
    enabled,
    refetchInterval: FIGURES_EVERY_MS,
  });
}

/** Asks every shown queue figure again when a conversation changes state, queue or agent. */
export function useLiveQueueFigures(): void {
  const queryClient = useQueryClient();
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ["queues", "stats"] }).catch(reportError);
  };
  useSocketEvent("conversation_updated", refresh);
  useSocketEvent("conversation_assigned", refresh);
}

/** What the signed-in user may do with a queue (docs/permissions.md). */
export function useQueueRights(queue: Pick<Queue, "agents"> | undefined) {
  const { role } = useMe();
  const { id: myId } = useSignedIn().user;
  const supervises = role === "supervisor" && !!queue?.agents.some((member) => member.user_id === myId && member.is_supervisor);
  return {
    /** Change and delete the queue itself. */
    configure: role === "admin",
    /** Add and remove its members, read its figures. */
    manage: role === "admin" || supervises,
    /** Grant supervision, change other supervisors. */
    grantSupervision: role === "admin",
    myId,
  };
}
