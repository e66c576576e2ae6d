// State that outlives the component but not the session: kept in the query
// cache (which the app clears at sign-out) under `key`, never fetched — a
// resync's refetch of every query leaves it alone. For what only this tab knows:
// what the socket told (quota warnings), what the user typed on a simulator.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

export function useTabState<T>(key: readonly unknown[], initial: T): [T, (update: (current: T) => T) => void] {
  const queryClient = useQueryClient();
  const { data } = useQuery<T>({ queryKey: key, queryFn: () => initial, enabled: false, initialData: initial, staleTime: Infinity });
  const update = useCallback(
    (change: (current: T) => T) => queryClient.setQueryData<T>(key, (current) => change(current ?? initial)),
    [queryClient, key, initial],
  );
  return [data ?? initial, update];
}
