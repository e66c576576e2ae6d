// What watches the cluster while the faults happen:
// - socket clients, as the inbox app would run them: connected to one node,
//   moving to another when theirs goes away, catching up after a reconnection;
// - an observer node in the test process, joined over the transporter, which
//   asks every engine node each second which WhatsApp numbers it has a live
//   connection for (two at once is the failure WhatsApp punishes), collects
//   what each node's simulator sent, and notes when the cluster saw a node leave.
import { ServiceBroker, type Context } from "moleculer";
import { io, type Socket } from "socket.io-client";
import { success, type Balancer } from "./http";
import { sleep, type EngineNode } from "./processes";

// ---------------------------------------------------------------------------------------------- socket clients

/**
 * How a client gets what it did not hear live. A strategy adds the ids it
 * recovers with `watcher.recovered(id)`, and hands any background work to
 * `watcher.track` so the checks wait for it. `afterReconnect` runs each time
 * the socket connects again; `onEvent` sees every socket event as it arrives
 * (where a strategy can notice a gap in a sequence, or a server's request to
 * resync). A new mechanism of the engine is a new strategy here, chosen with
 * SOCKET_CATCH_UP.
 */
export interface CatchUp {
  /** Before the first connection: where a strategy that reads "since" takes its starting point. */
  beforeConnect?(watcher: SocketWatcher, token: string): Promise<void>;
  afterReconnect(watcher: SocketWatcher, token: string): Promise<void>;
  onEvent?(watcher: SocketWatcher, event: string, payload: unknown, token: string): void;
}

/** Live events only. */
export const noCatchUp: CatchUp = { afterReconnect: async () => undefined };

interface Page<T> {
  items: T[];
}

/** The catch-up docs/api.md documents ("After a reconnection"): list the conversations, then each one's newest messages, merged by id. */
export function restCatchUp(lb: Balancer): CatchUp {
  const get = async <T>(path: string, token: string): Promise<T> => {
    const outcome = await lb.request<T>("socket catch-up (REST)", "GET", path, { token });
    if (!outcome.ok) throw new Error(`GET ${path}: ${outcome.error}`);
    if (!success(outcome.status)) throw new Error(`GET ${path}: ${outcome.status}`);
    return outcome.body;
  };
  return {
    async afterReconnect(watcher, token) {
      const conversations: string[] = [];
      for (let page = 1; ; page += 1) {
        const { items } = await get<Page<{ id: string }>>(`/api/conversations?limit=100&page=${page}`, token);
        conversations.push(...items.map((item) => item.id));
        if (items.length < 100) break;
      }
      for (const id of conversations) {
        const { items } = await get<Page<{ id: string }>>(`/api/conversations/${id}/messages?limit=200`, token);
        for (const message of items) watcher.recovered(message.id);
      }
    },
  };
}

interface ChangesPage {
  items: Array<{ type: string; message?: { id: string } }>;
  cursor: string;
  has_more: boolean;
}

/**
 * The client algorithm of docs/api.md ("Catching up after a reconnect"): a
 * cursor taken before connecting; on every reconnection and on the server's
 * `catch_up`, GET /api/changes since the cursor while has_more, keeping the
 * last answer's cursor. Catch-ups of one client run one after the other.
 */
export function changesCatchUp(lb: Balancer): CatchUp {
  const cursors = new WeakMap<SocketWatcher, string>();
  const chains = new WeakMap<SocketWatcher, Promise<void>>();
  const get = async (path: string, token: string): Promise<ChangesPage> => {
    const outcome = await lb.request<ChangesPage>("socket catch-up (GET /api/changes)", "GET", path, { token });
    if (!outcome.ok) throw new Error(`GET ${path}: ${outcome.error}`);
    if (!success(outcome.status)) throw new Error(`GET ${path}: ${outcome.status}`);
    return outcome.body;
  };
  const drain = async (watcher: SocketWatcher, token: string): Promise<void> => {
    for (;;) {
      const since = cursors.get(watcher);
      const page = await get(`/api/changes?limit=500${since ? `&since=${encodeURIComponent(since)}` : ""}`, token);
      for (const item of page.items) if (item.type === "message" && item.message) watcher.recovered(item.message.id);
      cursors.set(watcher, page.cursor);
      if (!page.has_more) return;
    }
  };
  const serialised = (watcher: SocketWatcher, token: string): Promise<void> => {
    const next = (chains.get(watcher) ?? Promise.resolve()).catch(() => undefined).then(() => drain(watcher, token));
    chains.set(watcher, next);
    return next;
  };
  return {
    beforeConnect: (watcher, token) => serialised(watcher, token),
    afterReconnect: (watcher, token) => serialised(watcher, token),
    onEvent(watcher, event, _payload, token) {
      if (event === "catch_up") watcher.track(watcher.catchUpNow(() => serialised(watcher, token)));
    },
  };
}

interface NewMessageEvent {
  conversation_id: string;
  message: { id: string };
}

const CATCH_UP_DEADLINE_MS = 60_000;

export class SocketWatcher {
  /** Ids of the messages heard as `new_message`. */
  readonly live = new Set<string>();
  /** Ids the catch-up strategy recovered. */
  readonly caughtUp = new Set<string>();
  disconnects = 0;
  catchUpFailures = 0;
  private socket?: Socket;
  private closed = false;
  private readonly work = new Set<Promise<unknown>>();

  constructor(
    readonly name: string,
    private readonly token: () => string,
    private readonly home: EngineNode,
    private readonly nodes: () => EngineNode[],
    private readonly catchUp: CatchUp,
  ) {}

  holds(messageId: string): boolean {
    return this.live.has(messageId) || this.caughtUp.has(messageId);
  }

  recovered(messageId: string): void {
    this.caughtUp.add(messageId);
  }

  /** Background work (a reconnection, a catch-up) that `settled` waits for. */
  track(work: Promise<unknown>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work)).catch(() => undefined);
  }

  async connect(): Promise<void> {
    await this.catchUp.beforeConnect?.(this, this.token());
    if (!(await this.tryConnect())) throw new Error(`socket client ${this.name} could not connect to any node`);
  }

  /** Runs a catch-up the server asked for, retried like one after a reconnection. */
  catchUpNow(run: () => Promise<void>): Promise<void> {
    return this.retryCatchUp(run);
  }

  /** Waits for reconnections and catch-ups under way (each bounded: it ends once a node is up, or gives up at its deadline). */
  async settled(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  /** Its own node first, as a sticky load balancer would, else any node that is up. */
  private candidates(): EngineNode[] {
    const up = this.nodes().filter((node) => node.state === "up");
    return [...up.filter((node) => node === this.home), ...up.filter((node) => node !== this.home)];
  }

  private async tryConnect(): Promise<boolean> {
    for (const node of this.candidates()) {
      const token = this.token();
      const socket = io(node.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true, timeout: 3_000 });
      // Listening before the connection completes: an event right after connecting is not missed.
      socket.on("new_message", (event: NewMessageEvent) => this.live.add(event.message.id));
      socket.onAny((event: string, payload: unknown) => this.catchUp.onEvent?.(this, event, payload, token));
      const connected = await new Promise<boolean>((resolve) => {
        socket.once("connect", () => resolve(true));
        socket.once("connect_error", () => resolve(false));
      });
      if (!connected) {
        socket.close();
        continue;
      }
      socket.on("disconnect", () => this.onDisconnect(socket));
      this.socket = socket;
      return true;
    }
    return false;
  }

  private onDisconnect(socket: Socket): void {
    if (this.closed || socket !== this.socket) return;
    this.disconnects += 1;
    this.track(this.reconnect());
  }

  private async reconnect(): Promise<void> {
    while (!this.closed) {
      if (await this.tryConnect()) {
        await this.runCatchUp();
        return;
      }
      await sleep(500);
    }
  }

  private runCatchUp(): Promise<void> {
    return this.retryCatchUp(() => this.catchUp.afterReconnect(this, this.token()));
  }

  private async retryCatchUp(run: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + CATCH_UP_DEADLINE_MS;
    for (;;) {
      try {
        await run();
        return;
      } catch {
        if (this.closed || Date.now() > deadline) {
          this.catchUpFailures += 1;
          return;
        }
        await sleep(1_000);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------- observer node

export interface Overlap {
  at: number;
  phase: string;
  accountId: string;
  nodes: string[];
}

/** A sample in which every running node answered and none had the number connected. */
export interface Gap {
  at: number;
  phase: string;
  accountId: string;
}

export interface StatusChange {
  at: number;
  phase: string;
  node: string;
  accountId: string;
  status: string;
  reason: string | null;
}

/** What a node's simulator says it sent (whatsapp-sessions.simulatorOutbound). */
export interface SimulatedSend {
  node: string;
  accountId: string;
  waMessageId: string;
  content: string | null;
  sentAt: string;
}

export interface ObserverSettings {
  redisPort: number;
  namespace: string;
  nodeId: string;
  heartbeatIntervalSeconds: number;
  heartbeatTimeoutSeconds: number;
}

const SAMPLE_EVERY_MS = 1_000;
const COLLECT_SENDS_EVERY = 3;

export class Observer {
  phase = "setup";
  samples = 0;
  readonly overlaps: Overlap[] = [];
  readonly gaps: Gap[] = [];
  readonly statusChanges: StatusChange[] = [];
  /** When the cluster (as this observer saw it) noticed each node id leave. */
  readonly departures = new Map<string, number>();
  /** Keyed by node, WhatsApp id and time: the same message sent twice counts twice. */
  readonly sends = new Map<string, SimulatedSend>();
  private readonly broker: ServiceBroker;
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private stopping = false;

  constructor(
    settings: ObserverSettings,
    private readonly nodes: () => EngineNode[],
    private readonly accounts: () => string[],
  ) {
    this.broker = new ServiceBroker({
      namespace: settings.namespace,
      nodeID: settings.nodeId,
      transporter: {
        type: "Redis",
        options: {
          host: "127.0.0.1",
          port: settings.redisPort,
          // moleculer's Redis transporter opens a new publishing client each time its subscriber reconnects and
          // never closes the old one (one leaks per Redis restart); once the observer stops, every client gives up
          // reconnecting, or a leaked one would keep the test process alive for ever.
          retryStrategy: (attempt: number) => (this.stopping ? null : Math.min(attempt * 50, 2_000)),
        },
      },
      serializer: "JSON",
      heartbeatInterval: settings.heartbeatIntervalSeconds,
      heartbeatTimeout: settings.heartbeatTimeoutSeconds,
      logger: false,
      // The test process decides when it ends; the broker must not exit it on signals.
      skipProcessEventRegistration: true,
    });
    // The service's handlers run with the service as `this`; they report to this observer.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const observer = this;
    this.broker.createService({
      name: "fault-observer",
      events: {
        "whatsapp.status"(ctx: Context<{ account_id: string; status: string; reason: string | null }>) {
          const node = ctx.nodeID ?? "?";
          observer.statusChanges.push({
            at: Date.now(),
            phase: observer.phase,
            node,
            accountId: ctx.params.account_id,
            status: ctx.params.status,
            reason: ctx.params.reason,
          });
          // The moment a node connects a number is when a former holder that has not let go yet can be caught.
          if (ctx.params.status === "connected") observer.othersHolding(ctx.params.account_id, node).catch(() => undefined);
        },
        "$node.disconnected"(ctx: Context<{ node: { id: string } }>) {
          observer.departures.set(ctx.params.node.id, Date.now());
        },
      },
    });
  }

  async start(): Promise<void> {
    await this.broker.start();
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    }, SAMPLE_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.sampling;
    await this.broker.stop();
  }

  /** Asks every node whether it has a live connection for the number `holder` announced connected: two at once is an overlap. */
  async othersHolding(accountId: string, holder: string): Promise<void> {
    if (this.stopping) return;
    const running = this.nodes().filter((node) => node.running);
    const holding = await Promise.all(
      running.map(async (node) => ((await this.stateOn(node.nodeId, accountId).catch(() => undefined))?.status === "connected" ? node.nodeId : undefined)),
    );
    const holders = holding.filter((node): node is string => node !== undefined);
    // The announcing node must still hold it too: a late event from a former holder proves nothing.
    if (holders.length > 1 && holders.includes(holder)) this.overlaps.push({ at: Date.now(), phase: this.phase, accountId, nodes: holders.sort() });
  }

  private stateOn(nodeId: string, accountId: string): Promise<{ status: string } | undefined> {
    return this.broker.call<{ status: string }, { account_id: string }>(
      "whatsapp-sessions.state",
      { account_id: accountId },
      { nodeID: nodeId, timeout: 2_000 },
    );
  }

  /** Which node has a live WhatsApp connection for which number, right now; and, every few samples, what each simulator sent. */
  private async sample(): Promise<void> {
    this.samples += 1;
    const nodes = this.nodes().filter((node) => node.running);
    const accounts = this.accounts();
    const connectedOn = new Map<string, string[]>();
    let unanswered = 0;
    await Promise.all(
      nodes.flatMap((node) =>
        accounts.map(async (accountId) => {
          const state = await this.stateOn(node.nodeId, accountId).catch((err: unknown) => {
            // SESSION_MOVED: the node answered that it holds no session for the number.
            if ((err as { type?: string }).type !== "SESSION_MOVED") unanswered += 1;
            return undefined;
          });
          if (state?.status === "connected") connectedOn.set(accountId, [...(connectedOn.get(accountId) ?? []), node.nodeId]);
        }),
      ),
    );
    for (const [accountId, holders] of connectedOn) {
      if (holders.length > 1) this.overlaps.push({ at: Date.now(), phase: this.phase, accountId, nodes: holders.sort() });
    }
    // Only a sample where every node answered can say a number was connected nowhere.
    if (unanswered === 0 && nodes.length) {
      for (const accountId of accounts) if (!connectedOn.has(accountId)) this.gaps.push({ at: Date.now(), phase: this.phase, accountId });
    }
    if (this.samples % COLLECT_SENDS_EVERY === 0) await this.collectSends();
  }

  /** Simulator records live in each node's memory (lost with it): gathered often, kept here. */
  async collectSends(): Promise<void> {
    const nodes = this.nodes().filter((node) => node.running);
    await Promise.all(
      nodes.flatMap((node) =>
        this.accounts().map(async (accountId) => {
          const records = await this.broker
            .call<Array<{ wa_message_id: string; content: string | null; sent_at: string }>, { account_id: string }>(
              "whatsapp-sessions.simulatorOutbound",
              { account_id: accountId },
              { nodeID: node.nodeId, timeout: 2_000 },
            )
            .catch(() => []);
          for (const record of records) {
            const key = `${node.nodeId}|${record.wa_message_id}|${record.sent_at}`;
            this.sends.set(key, { node: node.nodeId, accountId, waMessageId: record.wa_message_id, content: record.content, sentAt: record.sent_at });
          }
        }),
      ),
    );
  }
}
