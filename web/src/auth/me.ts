import { useQuery } from "@tanstack/react-query";
import type { Role, User } from "../api/types";
import { useApi, useSignedIn } from "./context";

export const ME_QUERY = ["me"] as const;

/**
 * The signed-in user as GET /api/auth/me tells it (with their status), and
 * their role: the engine applies a role change at once, so pages decide on this
 * one; until it is read, the login's.
 */
export function useMe(): { me: User | undefined; role: Role } {
  const api = useApi();
  const { user } = useSignedIn();
  const { data } = useQuery({ queryKey: ME_QUERY, queryFn: ({ signal }) => api.get("/api/auth/me", { signal }) });
  return { me: data, role: data?.role ?? user.role };
}
