// Reads the inbox shares between its parts: queues and team members for filters and actions.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../auth/context";
import { useMe } from "../../auth/me";

/** Every queue (anyone signed in may list them); the API pages at most 100. */
export function useQueues() {
  const api = useApi();
  return useQuery({ queryKey: ["inbox", "queues"], queryFn: ({ signal }) => api.get("/api/queues", { query: { limit: 100 }, signal }), staleTime: 60_000 });
}

/** Whether the signed-in user may assign to others and list the team (supervisors and admins, docs/permissions.md). */
export function useIsManager(): boolean {
  return useMe().role !== "agent";
}

/** Active team members to assign to; only managers may list users, so agents get none. */
export function useTeam() {
  const api = useApi();
  const manager = useIsManager();
  return useQuery({
    queryKey: ["inbox", "team"],
    queryFn: ({ signal }) => api.get("/api/users", { query: { limit: 100 }, signal }),
    enabled: manager,
    staleTime: 60_000,
    select: (page) => page.items.filter((user) => user.is_active && user.role !== "admin"),
  });
}
