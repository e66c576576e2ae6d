import { useMe } from "../auth/me";
import { PAGES, type Page } from "./navigation";
import { useSimulatorAvailable } from "./simulator";

/** The pages the signed-in user's role may open (the simulator's only while it is on). */
export function useVisiblePages(): Page[] {
  const { role } = useMe();
  const simulator = useSimulatorAvailable(role);
  return PAGES.filter((page) => page.roles.includes(role) && (!page.simulator || simulator));
}
