// The screen of each page of the navigation, by its path; a page not listed
// here shows ComingSoon. Each page is loaded when first opened, so the sign-in
// screen does not wait for the flow canvas or the inbox.
import { lazy, type ComponentType, type LazyExoticComponent } from "react";

// A page adds its line to PAGE_VIEWS: `"/inbox": lazyPage(() => import("./inbox/InboxPage").then((m) => m.InboxPage)),`
export const lazyPage = (load: () => Promise<ComponentType>): LazyExoticComponent<ComponentType> => lazy(() => load().then((view) => ({ default: view })));

export const PAGE_VIEWS: Partial<Record<string, LazyExoticComponent<ComponentType>>> = {
  "/inbox": lazyPage(() => import("./inbox/InboxPage").then((m) => m.InboxPage)),
  "/queues": lazyPage(() => import("./queues/QueuesPage").then((m) => m.QueuesPage)),
  "/flows": lazyPage(() => import("./flows/FlowsPage").then((m) => m.FlowsPage)),
  "/whatsapp": lazyPage(() => import("./whatsapp/WhatsAppPage").then((m) => m.WhatsAppPage)),
  "/users": lazyPage(() => import("./users/UsersPage").then((m) => m.UsersPage)),
  "/quick-replies": lazyPage(() => import("./quick-replies/QuickRepliesPage").then((m) => m.QuickRepliesPage)),
  "/odoo": lazyPage(() => import("./odoo/OdooPage").then((m) => m.OdooPage)),
  "/simulator": lazyPage(() => import("./simulator/SimulatorPage").then((m) => m.SimulatorPage)),
};
