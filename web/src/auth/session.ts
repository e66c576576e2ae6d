// The signed-in state of this tab, outside React so the API client and the
// socket share it. The access token lives only in memory; the refresh token is
// kept in sessionStorage, so a reload resumes the session but it never leaves
// the tab:
//  - each refresh retires the token it used, and the engine treats a retired
//    one presented again as theft and ends the whole session. Tabs sharing one
//    refresh token (localStorage) would race each other into that; each tab
//    holding its own session cannot;
//  - closing the tab forgets it, which suits shared computers in a call centre.
// The cost: a new tab signs in on its own.
import { ApiError, send } from "../api/http";
import type { Tokens } from "../api/types";

export type SessionUser = Tokens["user"];

export type SessionState =
  | { status: "starting" }
  | { status: "signed_out" }
  | { status: "signed_in"; user: SessionUser; token: string }
  /** The engine ended the session (logout elsewhere, password change, user disabled, refresh token reused). */
  | { status: "ended" };

const REFRESH_TOKEN_KEY = "charla.refresh_token";
/** Refresh this long before the access token expires (at most half its life), so nothing runs on an expired one. */
const REFRESH_MARGIN_SECONDS = 60;
/** When a refresh could not reach the engine, try again after this long. */
const RETRY_MS = 5_000;

export class Session {
  private state: SessionState = { status: "starting" };
  private expiresAt = 0;
  private refreshAt = 0;
  private refreshing: Promise<string | null> | null = null;
  /** Grows when the tab's session is cleared: an exchange that started before must not sign it back in. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage = sessionStorage) {}

  readonly getState = (): SessionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** At page load: resumes the tab's session with its refresh token, if it has one. */
  async start(): Promise<void> {
    // A hidden tab's timers are throttled: when it shows again, a refresh that is due happens now.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state.status === "signed_in" && Date.now() >= this.refreshAt) this.refresh().catch(reportError);
    });
    if (this.storage.getItem(REFRESH_TOKEN_KEY)) await this.refresh();
    else this.set({ status: "signed_out" });
  }

  async login(email: string, password: string): Promise<void> {
    this.accept((await send("POST", "/api/auth/login", { body: { email, password } })) as Tokens);
  }

  /** Ends the session here first (so the engine's own `session_revoked` is not taken for a revocation), then on the engine. */
  async logout(): Promise<void> {
    const token = this.state.status === "signed_in" ? this.state.token : null;
    this.clear({ status: "signed_out" });
    // Signed out here whatever the engine answers: it may be unreachable, and the tokens are gone from this tab.
    if (token) await send("POST", "/api/auth/logout", { token }).catch(() => undefined);
  }

  /** The engine ended the session: the tab says so and forgets it. */
  end(): void {
    if (this.state.status === "signed_in") this.clear({ status: "ended" });
  }

  /** From the "session ended" screen back to the login form. */
  acknowledgeEnd(): void {
    if (this.state.status === "ended") this.set({ status: "signed_out" });
  }

  /** An access token to send now: waits for a refresh under way, and refreshes one that is (about to be) expired. */
  async token(): Promise<string | null> {
    if (this.refreshing) return this.refreshing;
    if (this.state.status !== "signed_in") return null;
    return Date.now() >= this.expiresAt - 5_000 ? this.refresh() : this.state.token;
  }

  /** The engine refused `used` as expired or invalid: a new token, one refresh however many callers ask. */
  async renew(used: string): Promise<string | null> {
    if (this.refreshing) return this.refreshing;
    if (this.state.status === "signed_in" && this.state.token !== used) return this.state.token;
    return this.refresh();
  }

  /** Exchanges the refresh token for new tokens; one exchange at a time (a second would reuse a retired token). */
  refresh(): Promise<string | null> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<string | null> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      this.clear(this.state.status === "signed_in" ? { status: "ended" } : { status: "signed_out" });
      return null;
    }
    const generation = this.generation;
    try {
      const tokens = (await send("POST", "/api/auth/refresh", { body: { refresh_token: refreshToken } })) as Tokens;
      if (generation !== this.generation) return null;
      this.accept(tokens);
      return tokens.access_token;
    } catch (err) {
      if (generation !== this.generation) return null;
      if (err instanceof ApiError && err.status === 401) {
        // The refresh token is no good any more: a resumed tab just signs in again, a live one was ended.
        this.clear(this.state.status === "signed_in" ? { status: "ended" } : { status: "signed_out" });
        return null;
      }
      // The engine is unreachable or busy: keep the refresh token and try again soon (a reload may, too).
      if (this.state.status === "starting") {
        this.set({ status: "signed_out" });
        return null;
      }
      this.schedule(RETRY_MS);
      return this.state.status === "signed_in" && Date.now() < this.expiresAt ? this.state.token : null;
    }
  }

  private accept(tokens: Tokens): void {
    this.storage.setItem(REFRESH_TOKEN_KEY, tokens.refresh_token);
    this.expiresAt = Date.now() + tokens.expires_in * 1000;
    this.schedule((tokens.expires_in - Math.min(REFRESH_MARGIN_SECONDS, tokens.expires_in / 2)) * 1000);
    this.set({ status: "signed_in", user: tokens.user, token: tokens.access_token });
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.refreshAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.refresh().catch(reportError);
    }, delayMs);
  }

  private clear(next: SessionState): void {
    this.generation += 1;
    clearTimeout(this.timer);
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    this.set(next);
  }

  private set(next: SessionState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
