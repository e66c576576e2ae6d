// The users list's query, and what the page's forms share.
import { useQuery } from "@tanstack/react-query";
import type { Role, UserStatus } from "../../api/types";
import { useApi } from "../../auth/context";

export const USERS_QUERY = ["users"] as const;
export const USERS_PER_PAGE = 20;
export const ROLES = ["admin", "supervisor", "agent"] as const satisfies readonly Role[];
/** The engine's rule for passwords (docs/api.md, Users), checked here first to spare a round trip. */
export const MIN_PASSWORD = 8;
export const STATUSES = ["online", "away", "offline"] as const satisfies readonly UserStatus[];

export interface UserFilters {
  search: string;
  role: Role | "";
  status: UserStatus | "";
}

export function useUsers(page: number, filters: UserFilters) {
  const api = useApi();
  const query = {
    page,
    limit: USERS_PER_PAGE,
    search: filters.search.trim() || undefined,
    role: filters.role || undefined,
    status: filters.status || undefined,
  };
  return useQuery({
    queryKey: [...USERS_QUERY, query],
    queryFn: ({ signal }) => api.get("/api/users", { query, signal }),
    // Keeps the rows on screen while the next page or filter loads.
    placeholderData: (previous) => previous,
  });
}
