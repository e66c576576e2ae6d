// By default an unhandled promise rejection ends a Node process. One missed
// `.catch` on a fire-and-forget promise must not stop a node that holds
// WhatsApp sessions and conversations: it is logged loudly, with a running
// count, and the node goes on.

import { processMetrics } from "./metrics";

interface ErrorLog {
  error(...args: unknown[]): void;
}

let unhandled = 0;
let installed = false;

/** Installs the process's unhandled-rejection handler (once per process, whatever the number of brokers). */
export function guardProcess(log: ErrorLog): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason: unknown) => {
    unhandled += 1;
    processMetrics.count("unhandledRejections");
    log.error(`Unhandled promise rejection #${unhandled} — a bug, please report it; the node keeps running:`, reason);
  });
}

/** Unhandled rejections seen by this process so far. */
export const unhandledRejections = (): number => unhandled;
