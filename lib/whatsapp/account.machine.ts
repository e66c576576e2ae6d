// The life of one WhatsApp account's connection. Data only: every effect
// (open a socket, publish a QR, schedule a retry…) is named here and supplied
// by the service that hosts the actor.
import { assign, setup } from "xstate";
import type { AccountStatus } from "../models/whatsapp";
import type { CloseReason } from "./provider";

export interface AccountContext {
  accountId: string;
  /** QR codes shown since the connection attempt began. */
  qrCount: number;
  maxQrCodes: number;
  /** Failed connection attempts in a row (reset by a successful open). */
  failures: number;
  maxFailures: number;
  /** Why the account is in its state, when that needs saying (status_reason). */
  reason: string | null;
  phoneNumber: string | null;
  jid: string | null;
  lid: string | null;
}

export type AccountEvent =
  | { type: "CONNECT" } // start, or an operator's reconnect
  | { type: "QR"; qr: string }
  | { type: "OPEN"; phoneNumber: string; jid: string; lid: string | null }
  | { type: "CLOSED"; reason: CloseReason; detail?: string }
  | { type: "RETRY" } // the backoff delay has passed
  | { type: "LOGOUT" } // an operator disconnects the number (logs it out of WhatsApp)
  | { type: "STOP" }; // this node lets go of the account (shutdown, lease lost); pairing kept

export type AccountInput = Pick<AccountContext, "accountId" | "maxQrCodes" | "maxFailures">;

const isReason =
  (reason: CloseReason) =>
  ({ event }: { event: AccountEvent }) =>
    event.type === "CLOSED" && event.reason === reason;

export const whatsappAccountMachine = setup({
  types: {} as { context: AccountContext; events: AccountEvent; input: AccountInput },
  actions: {
    openConnection: () => {},
    closeConnection: () => {},
    logoutConnection: () => {},
    wipeAuth: () => {},
    publishQr: (_, _params: { qr: string }) => {},
    scheduleRetry: (_, _params: { failures: number }) => {},
    cancelRetry: () => {},
  },
  guards: {
    restartRequired: isReason("restart_required"),
    loggedOut: ({ event }) => event.type === "CLOSED" && (event.reason === "logged_out" || event.reason === "multidevice_mismatch"),
    banned: isReason("banned"),
    tooManyFailures: ({ context }) => context.failures + 1 >= context.maxFailures,
    qrLimitReached: ({ context }) => context.qrCount >= context.maxQrCodes,
  },
}).createMachine({
  id: "whatsappAccount",
  initial: "disconnected",
  context: ({ input }) => ({
    ...input,
    qrCount: 0,
    failures: 0,
    reason: null,
    phoneNumber: null,
    jid: null,
    lid: null,
  }),
  on: {
    STOP: { target: ".disconnected", actions: ["cancelRetry", "closeConnection", assign({ reason: "stopped" })] },
  },
  states: {
    disconnected: {
      on: { CONNECT: { target: "live", actions: assign({ failures: 0, reason: null }) } },
    },
    // A socket is open or opening; its children are the statuses connecting, qr and connected.
    live: {
      initial: "connecting",
      on: {
        OPEN: {
          target: ".connected",
          actions: assign(({ event }) => ({ phoneNumber: event.phoneNumber, jid: event.jid, lid: event.lid })),
        },
        LOGOUT: { target: "disconnected", actions: ["logoutConnection", assign({ reason: "logged_out_by_operator" })] },
        CLOSED: [
          // Normal right after pairing: a new socket at once, same credentials.
          { guard: "restartRequired", target: ".connecting", reenter: true },
          { guard: "loggedOut", target: "logged_out", actions: assign({ reason: ({ event }) => event.reason }) },
          { guard: "banned", target: "banned", actions: assign({ reason: "banned" }) },
          // The circuit breaker: after too many failures in a row, stop and say so.
          {
            guard: "tooManyFailures",
            target: "disconnected",
            actions: assign({ failures: ({ context }) => context.failures + 1, reason: "too_many_failures" }),
          },
          {
            target: "reconnecting",
            actions: assign({ failures: ({ context }) => context.failures + 1, reason: ({ event }) => event.reason }),
          },
        ],
      },
      states: {
        connecting: {
          entry: [assign({ qrCount: 0 }), "openConnection"],
          on: {
            QR: {
              target: "qr",
              actions: [assign({ qrCount: 1 }), { type: "publishQr", params: ({ event }) => ({ qr: event.qr }) }],
            },
          },
        },
        qr: {
          on: {
            QR: [
              // Nobody is scanning: stop instead of rotating codes forever.
              {
                guard: "qrLimitReached",
                target: "#whatsappAccount.disconnected",
                actions: ["closeConnection", assign({ reason: "qr_not_scanned" })],
              },
              {
                actions: [assign({ qrCount: ({ context }) => context.qrCount + 1 }), { type: "publishQr", params: ({ event }) => ({ qr: event.qr }) }],
              },
            ],
          },
        },
        connected: {
          entry: assign({ failures: 0, reason: null }),
        },
      },
    },
    reconnecting: {
      entry: { type: "scheduleRetry", params: ({ context }) => ({ failures: context.failures }) },
      on: {
        RETRY: "live",
        CONNECT: { target: "live", actions: ["cancelRetry", assign({ failures: 0 })] },
        LOGOUT: { target: "disconnected", actions: ["cancelRetry", "wipeAuth", assign({ reason: "logged_out_by_operator" })] },
      },
    },
    logged_out: {
      entry: "wipeAuth",
      on: { CONNECT: { target: "live", actions: assign({ failures: 0, reason: null }) } },
    },
    banned: {
      on: { CONNECT: { target: "live", actions: assign({ failures: 0, reason: null }) } },
    },
  },
});

/** The account's status as the API shows it: the state, or the live child state. */
export function statusOf(value: unknown): AccountStatus {
  if (typeof value === "string") return value as AccountStatus;
  return (value as { live: AccountStatus }).live;
}
