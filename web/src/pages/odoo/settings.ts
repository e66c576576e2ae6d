import { useQuery } from "@tanstack/react-query";
import type { components } from "../../api/rest.gen";
import { useApi } from "../../auth/context";

export type OdooSettings = components["schemas"]["OdooSettings"];
export const ODOO_SETTINGS_QUERY = ["odoo-settings"] as const;

export function useOdooSettings() {
  const api = useApi();
  return useQuery({ queryKey: ODOO_SETTINGS_QUERY, queryFn: ({ signal }) => api.get("/api/odoo/settings", { signal }) });
}
