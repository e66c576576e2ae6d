// The Socket.IO connection of the signed-in tab (docs/api.md, "Socket.IO"):
// it connects with the session's access token, reconnects with a fresh one
// (after a refresh, or when the engine says the token expired), shows the
// session-ended screen when the engine revokes it, and after every
// (re)connection and every `catch_up` resynchronises: the query cache is
// invalidated and useResync handlers run (the inbox asks GET /api/changes there).
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientEvents, ServerEvents } from "../api/socket.gen";
import { useSession } from "../auth/context";

export type RealtimeStatus = "connecting" | "connected" | "offline";
type ServerEvent = keyof ServerEvents;
/** The events the engine emits, as Socket.IO's typed listeners (the AsyncAPI document's, through socket.gen.ts). */
type Listeners = { [E in ServerEvent]: (payload: ServerEvents[E]) => void };
type Connection = Socket<Listeners>;

interface Realtime {
  socket: Connection;
  status: RealtimeStatus;
  resyncHandlers: Set<() => void>;
}

const RealtimeContext = createContext<Realtime | null>(null);

/** The engine's error format, as a refused handshake carries it in `err.data`. */
const refusalCode = (err: Error): string | undefined => (err as Error & { data?: { detail?: { code?: string } } }).data?.detail?.code;

/** After a refused handshake the client does not retry by itself: this long until the next try. */
const RETRY_MS = 2_000;

/** Mounted for as long as the tab is signed in (App renders it only then). */
export function SocketProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const [resyncHandlers] = useState(() => new Set<() => void>());
  /** The token the current connection was opened with: a newer one means reconnecting. */
  const [connectedWith] = useState(() => ({ token: null as string | null }));
  const [socket] = useState(
    () =>
      // io() knows no event names; the contract's are these.
      io({
        autoConnect: false,
        transports: ["websocket"],
        // Called on every (re)connection attempt, so each one carries the token of that moment.
        auth: (give) => {
          session
            .token()
            .then((token) => {
              connectedWith.token = token;
              give({ token });
            })
            .catch(reportError);
        },
      }) as Connection,
  );

  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    const later = (action: () => void) => {
      clearTimeout(retry);
      retry = setTimeout(action, RETRY_MS);
    };
    const reconnectWithFreshToken = () => {
      const used = connectedWith.token;
      (used ? session.renew(used) : session.token())
        .then((token) => {
          if (token) socket.connect();
        })
        .catch(reportError);
    };
    const resync = () => {
      queryClient.invalidateQueries().catch(reportError);
      for (const handler of resyncHandlers) handler();
    };

    socket.on("connect", () => {
      setStatus("connected");
      resync();
    });
    socket.on("catch_up", resync);
    socket.on("session_revoked", () => session.end());
    socket.on("disconnect", (reason) => {
      setStatus(socket.active ? "connecting" : "offline");
      // The engine closed it: `token_expired` (or a node leaving). Refresh and come back; a revoked session has ended already.
      if (reason === "io server disconnect" && session.getState().status === "signed_in") reconnectWithFreshToken();
    });
    socket.on("connect_error", (err) => {
      setStatus(socket.active ? "connecting" : "offline");
      if (socket.active) return; // a network failure: the client retries by itself
      const code = refusalCode(err);
      if (code === "SESSION_REVOKED" || code === "USER_DISABLED") session.end();
      else if (code === "TOKEN_EXPIRED" || code === "TOKEN_INVALID") reconnectWithFreshToken();
      else later(() => socket.connect());
    });
    // A refreshed token: reconnect with it now, before the old one expires and the engine drops the socket.
    const unsubscribe = session.subscribe(() => {
      const state = session.getState();
      if (state.status === "signed_in" && connectedWith.token && state.token !== connectedWith.token && socket.connected) {
        socket.disconnect().connect();
      }
    });
    socket.connect();
    return () => {
      unsubscribe();
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [socket, session, queryClient, resyncHandlers, connectedWith]);

  return <RealtimeContext.Provider value={{ socket, status, resyncHandlers }}>{children}</RealtimeContext.Provider>;
}

function useRealtime(): Realtime {
  const realtime = useContext(RealtimeContext);
  if (!realtime) throw new Error("used outside SocketProvider");
  return realtime;
}

/** Whether the socket is connected (for an indicator). */
export const useRealtimeStatus = (): RealtimeStatus => useRealtime().status;

/** Runs `handler` on every server event of that name while the component is mounted. */
export function useSocketEvent<E extends ServerEvent>(event: E, handler: (payload: ServerEvents[E]) => void): void {
  const { socket } = useRealtime();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    // One listener for every event, filtered by name: the typed `on` cannot be called with a name that is only known to be some event.
    const listener = (name: string, payload: unknown) => {
      if (name === event) latest.current(payload as ServerEvents[E]);
    };
    socket.onAny(listener);
    return () => {
      socket.offAny(listener);
    };
  }, [socket, event]);
}

/** Runs `handler` after every (re)connection and every `catch_up`: where missed changes are fetched. */
export function useResync(handler: () => void): void {
  const { resyncHandlers } = useRealtime();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const run = () => latest.current();
    resyncHandlers.add(run);
    return () => {
      resyncHandlers.delete(run);
    };
  }, [resyncHandlers]);
}

/** How long a client event waits for its acknowledgement before it counts as refused. */
const ACK_TIMEOUT_MS = 5_000;

/** Sends a client event of the contract (join_conversation, typing, …) and resolves with the engine's acknowledgement. */
export function useSocketEmit(): <E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]["payload"]) => Promise<ClientEvents[E]["ack"]> {
  const { socket } = useRealtime();
  return useCallback(
    <E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]["payload"]) =>
      // The connection is typed with the server's events on both sides; what a client emits is ClientEvents, checked by this signature.
      (socket as unknown as Socket).timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload) as Promise<ClientEvents[E]["ack"]>,
    [socket],
  );
}
