// The session and the API client for components: useSessionState() re-renders on sign in, refresh and sign out.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { ApiClient } from "../api/client";
import type { Session, SessionState } from "./session";

interface Auth {
  session: Session;
  api: ApiClient;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ session, api, children }: Auth & { children: ReactNode }) {
  return <AuthContext.Provider value={{ session, api }}>{children}</AuthContext.Provider>;
}

function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("used outside AuthProvider");
  return auth;
}

export const useSession = (): Session => useAuth().session;
export const useApi = (): ApiClient => useAuth().api;

export function useSessionState(): SessionState {
  const session = useSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user (as the login answered; GET /api/auth/me has the rest). Only inside the signed-in part of the app. */
export function useSignedIn(): Extract<SessionState, { status: "signed_in" }> {
  const state = useSessionState();
  if (state.status !== "signed_in") throw new Error("useSignedIn while not signed in");
  return state;
}
