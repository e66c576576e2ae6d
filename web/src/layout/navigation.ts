// The console's pages and who sees them (docs/permissions.md: admins configure,
// supervisors read configuration and manage their queues, agents work the
// conversations of their queues). `api` is the part of the API the page is built on.
import type { Role } from "../api/types";
import type { MessageKey } from "../i18n";

export interface Page {
  path: string;
  label: MessageKey;
  roles: readonly Role[];
  api: string;
  /** Shown only where the engine's WhatsApp simulator is on (useSimulatorAvailable). */
  simulator?: true;
}

const EVERYONE = ["admin", "supervisor", "agent"] as const;
const MANAGERS = ["admin", "supervisor"] as const;

export const PAGES: readonly Page[] = [
  { path: "/inbox", label: "nav.inbox", roles: EVERYONE, api: "/api/conversations" },
  { path: "/whatsapp", label: "nav.whatsapp", roles: MANAGERS, api: "/api/whatsapp/accounts" },
  { path: "/queues", label: "nav.queues", roles: MANAGERS, api: "/api/queues" },
  { path: "/flows", label: "nav.flows", roles: MANAGERS, api: "/api/flows" },
  { path: "/users", label: "nav.users", roles: MANAGERS, api: "/api/users" },
  { path: "/quick-replies", label: "nav.quickReplies", roles: EVERYONE, api: "/api/quick-replies" },
  { path: "/odoo", label: "nav.odoo", roles: ["admin"], api: "/api/odoo" },
  { path: "/simulator", label: "nav.simulator", roles: ["admin"], api: "/api/simulator", simulator: true },
];

export const HOME = "/inbox";
