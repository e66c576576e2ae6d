// What the flow pages read from the engine, with their cache keys.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../auth/context";
import type { Reference } from "./schema";

export const FLOWS_QUERY = ["flows"] as const;
export const flowQuery = (id: string) => ["flows", id] as const;
/** The most a list answers in one page (lib/pagination.ts): enough for pickers and for the flows of one installation. */
const PAGE = 100;

export function useFlows() {
  const api = useApi();
  return useQuery({ queryKey: FLOWS_QUERY, queryFn: ({ signal }) => api.get("/api/flows", { query: { limit: PAGE }, signal }) });
}

export function useFlow(id: string) {
  const api = useApi();
  return useQuery({ queryKey: flowQuery(id), queryFn: ({ signal }) => api.get("/api/flows/{id}", { path: { id }, signal }) });
}

export function useNodeTypes() {
  const api = useApi();
  // A fixed catalogue for the engine's version: read once.
  return useQuery({ queryKey: ["flows", "node-types"], queryFn: ({ signal }) => api.get("/api/flows/node-types", { signal }), staleTime: Infinity });
}

/** The choices of a reference field (a queue, a flow, a user) as select options. */
export function useReferenceOptions(resource: Reference) {
  const api = useApi();
  return useQuery({
    queryKey: ["flows", "reference", resource],
    queryFn: async ({ signal }) => {
      const input = { query: { limit: PAGE }, signal };
      switch (resource) {
        case "queues":
          return (await api.get("/api/queues", input)).items.map((queue) => ({ value: queue.id, label: queue.name }));
        case "flows":
          return (await api.get("/api/flows", input)).items.map((flow) => ({ value: flow.id, label: flow.name }));
        case "users":
          return (await api.get("/api/users", input)).items.map((user) => ({ value: user.id, label: `${user.name} (${user.email})` }));
      }
    },
  });
}
