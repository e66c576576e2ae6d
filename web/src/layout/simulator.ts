// Whether the engine's WhatsApp simulator is on (SIMULATOR_ENABLED), told by the
// public API alone: the simulator's routes answer 404 for every account while it
// is off, and for a simulator account they answer otherwise while it is on. With
// no simulator number there is nothing to drive, and the page stays hidden; the
// WhatsApp numbers page creates one (POST /api/whatsapp/accounts, provider
// "simulator", refused on `provider` while the simulator is off).
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../api/http";
import { useApi } from "../auth/context";
import type { Role } from "../api/types";

export function useSimulatorAvailable(role: Role): boolean {
  const api = useApi();
  const { data } = useQuery({
    queryKey: ["simulator-available"],
    enabled: role === "admin",
    staleTime: 60_000,
    queryFn: async () => {
      const accounts = await api.get("/api/whatsapp/accounts", { query: { limit: 100 } });
      const simulated = accounts.items.find((account) => account.provider === "simulator");
      if (!simulated) return false;
      try {
        await api.get("/api/simulator/accounts/{id}/outbound", { path: { id: simulated.id } });
        return true;
      } catch (err) {
        // 404: off. Any other refusal (409 SESSION_MOVED while the number changes node) comes from a simulator that is on.
        if (err instanceof ApiError && err.status !== 0 && err.status < 500) return err.status !== 404;
        throw err;
      }
    },
  });
  return data ?? false;
}
