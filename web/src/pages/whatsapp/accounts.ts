// The WhatsApp numbers in the query cache, kept live by the socket: `qr_code`
// brings each new code, `connection_status` each change of state, and
// `whatsapp_quota` WhatsApp's warnings (which no REST answer carries, so they
// are kept apart, for as long as the tab is signed in).
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { ServerEvents } from "../../api/socket.gen";
import type { Account, AccountPage } from "../../api/types";
import { useApi } from "../../auth/context";
import { useTabState } from "../../hooks/useTabState";
import { useSocketEvent } from "../../realtime/socket";

export const ACCOUNTS_QUERY = ["whatsapp-accounts"] as const;
const QUOTA_QUERY = ["whatsapp-quota"] as const;
const NO_QUOTAS: Record<string, Quota> = {};
/** Numbers are few: one page of the API's largest size holds them in practice; more pages are still reachable. */
export const ACCOUNTS_PER_PAGE = 100;

export type Quota = ServerEvents["whatsapp_quota"];

export function useAccounts(page = 1) {
  const api = useApi();
  return useQuery({
    queryKey: [...ACCOUNTS_QUERY, page],
    queryFn: ({ signal }) => api.get("/api/whatsapp/accounts", { query: { page, limit: ACCOUNTS_PER_PAGE }, signal }),
  });
}

/**
 * Changes one account wherever a cached page holds it. A list read under way
 * may have been answered before this news and would undo it when it lands:
 * that read is started again, so what it brings is at least as new.
 */
function patchAccount(queryClient: QueryClient, id: string, patch: (account: Account) => Account): void {
  queryClient.setQueriesData<AccountPage>({ queryKey: ACCOUNTS_QUERY }, (page) =>
    page ? { ...page, items: page.items.map((account) => (account.id === id ? patch(account) : account)) } : page,
  );
  if (queryClient.isFetching({ queryKey: ACCOUNTS_QUERY }))
    queryClient.invalidateQueries({ queryKey: ACCOUNTS_QUERY }, { cancelRefetch: true }).catch(reportError);
}

/** Applies the socket's news about numbers to the cache while mounted. */
export function useAccountEvents(): void {
  const queryClient = useQueryClient();
  useSocketEvent("qr_code", ({ account_id, qr_code }) => patchAccount(queryClient, account_id, (account) => ({ ...account, status: "qr", qr_code })));
  useSocketEvent("connection_status", ({ account_id, status, reason }) => {
    patchAccount(queryClient, account_id, (account) => ({
      ...account,
      status,
      status_reason: reason,
      qr_code: status === "qr" ? account.qr_code : null,
    }));
    // Pairing tells the phone number, and a number unknown here (created elsewhere) needs the list: read it again.
    if (status === "connected") queryClient.invalidateQueries({ queryKey: ACCOUNTS_QUERY }).catch(reportError);
  });
  const [, setQuotas] = useTabState(QUOTA_QUERY, NO_QUOTAS);
  useSocketEvent("whatsapp_quota", (quota) => setQuotas((all) => ({ ...all, [quota.account_id]: quota })));
}

/** The last quota warning of each number, as the socket told it (nothing is read from the engine). */
export function useQuotas(): Record<string, Quota> {
  return useTabState(QUOTA_QUERY, NO_QUOTAS)[0];
}

/** Disconnects or reconnects a number; the list is read again after (the socket tells the states that follow). */
export function useAccountCommand(id: string, command: "disconnect" | "reconnect") {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(command === "disconnect" ? "/api/whatsapp/accounts/{id}/disconnect" : "/api/whatsapp/accounts/{id}/reconnect", { path: { id } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ACCOUNTS_QUERY }),
  });
}
