// Hosts the connection actors of the WhatsApp accounts this node owns.
//
// Every node runs a host. On each tick a host takes the lease of any account
// that should be connected and has no owner, starts its actor, and renews the
// leases it holds; an account whose lease it loses (or that should no longer be
// connected) it lets go. So each account has exactly one live socket in the
// cluster, and when a node dies its accounts move to the others within one
// lease period, resuming from the auth state in PostgreSQL.
import type { Knex } from "knex";
import { createActor, type Actor } from "xstate";
import { statusOf, whatsappAccountMachine } from "./account.machine";
import type { LeaseStore } from "../leases";
import { ACCOUNT_STATUSES, type AccountStatus, type ProviderName } from "../models/whatsapp";
import { NO_METRICS, type Metrics } from "../metrics";
import { wipeAuthState } from "./auth-state";
import { reconnectDelay } from "./backoff";
import type { InboundMessage } from "./inbound";
import { InboundRetry } from "./inbound-retry";
import type { OutgoingMessage } from "./outbound";

import { Batcher } from "../db/batcher";
import type { ProviderConnection, QuotaWarning, Receipt, WhatsAppProvider } from "./provider";
import type { MessageAudience } from "../contract/events";

export interface SessionHostSettings {
  nodeId: string;
  leaseTtlMs: number;
  maxQrCodes: number;
  maxReconnectAttempts: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Pause between two sends on one account (jittered ±30 %): WhatsApp bans numbers that fire like bots. */
  sendIntervalMs: number;
  /** How many nodes, this one included, host WhatsApp sessions now (default 1): each holds a fair share of the numbers. */
  peers?: () => number;
  /** Whether a node is in the cluster and hosts sessions now (default: no node but this one is known). */
  alive?: (nodeId: string) => boolean;
}

/** An account a node holds, as `whatsapp-sessions.held` tells it. */
export interface HeldAccount {
  account_id: string;
  status: AccountStatus;
  reason: string | null;
}

export interface StatusChange {
  accountId: string;
  status: AccountStatus;
  reason: string | null;
}

/**
 * The numbers' send queue, given by the host's owner (the messages table is
 * the queue: lib/inbox/outbound.ts), as the inbound side's store is.
 */
export interface SendQueue {
  /** The next messages to send on each account, oldest first. */
  next(accountIds: string[], limit: number): Promise<Map<string, OutgoingMessage[]>>;
  /** Records sends; who may see each message and its status, by message id. */
  markSent(sends: Array<{ id: string; wa_message_id: string }>): Promise<Map<string, MessageAudience>>;
  markFailed(messageId: string, reason: string): Promise<void>;
  /** Messages waiting to be sent, by account (only asked while metrics are on). */
  depth(accountIds: string[]): Promise<Map<string, number>>;
}

export interface SessionHostEvents {
  status(change: StatusChange): void;
  /** A new QR code (the provider's string) to show for pairing. */
  qr(accountId: string, qr: string): void;
  /** Messages that arrived on an account; resolves once they are stored. */
  inbound(accountId: string, messages: InboundMessage[]): Promise<void>;
  /** Delivery news about sent messages; resolves once recorded. */
  receipts(accountId: string, receipts: Receipt[]): Promise<void>;
  /** WhatsApp warns about the account's quota of new chats. */
  quota(accountId: string, warning: QuotaWarning): void;
  /** A queued message left (or could not leave) through WhatsApp; who may see it, when the record of the send tells. */
  sent(accountId: string, messageId: string, status: "sent" | "failed", audience?: MessageAudience): void;
  /** A line about the host's work; `accountId` when it is about one account. */
  log(level: "info" | "warn" | "error", message: string, err?: unknown, accountId?: string): void;
  /**
   * This node took numbers whose holder let their leases lapse while the cluster still counts it alive: it
   * died (or hangs), and work it did last may never have been announced. Told once per holder and round.
   */
  holderLost?(nodeId: string): void;
}

type AccountActor = Actor<typeof whatsappAccountMachine>;

interface Session {
  actor: AccountActor;
  connection?: ProviderConnection;
  /** Bumped on every new connection, so late events of an old socket are ignored. */
  generation: number;
  retryTimer?: NodeJS.Timeout;
  qr: string | null;
  status: AccountStatus;
  reason: string | null;
  /** Database writes of this account, kept in order. */
  writes: Promise<unknown>;
  /** The send queue is being worked on. */
  draining: boolean;
  /** Messages were queued while it was: the queue is read again before the work stops. */
  queuedMeanwhile?: boolean;
  /** The connection being opened, until the provider hands it over. */
  opening?: Promise<ProviderConnection | undefined>;
  /** An opening connection a logout has claimed: it is logged out, not just closed. */
  loggingOut?: Promise<ProviderConnection | undefined>;
}

// Where an account's actor ends, the account stops wanting a connection until an operator asks again.
const TERMINAL: ReadonlySet<AccountStatus> = new Set(["disconnected", "logged_out", "banned"]);

// Queued messages read at once by a sending loop: one round trip for many sends in a burst.
const SEND_BATCH = 20;
const leaseKey = (accountId: string) => `whatsapp:lease:${accountId}`;

export class SessionHost {
  private readonly sessions = new Map<string, Session>();
  private ticking: Promise<void> | undefined;
  private renewing: Promise<void> | undefined;
  private stopped = false;
  /** Accounts this node left to others (it holds its share, or another live node holds them): since when they have been free. */
  private readonly freeSince = new Map<string, number>();
  // Closures, so they read the constructor's parameters when called.
  private readonly inbound = new InboundRetry(
    (accountId, messages) => this.events.inbound(accountId, messages),
    (level, message, err) => this.events.log(level, message, err),
  );
  // The queues of all this node's numbers are read together, and their sends recorded together.
  private readonly queueHeads = new Batcher<string, OutgoingMessage[]>(
    async (accountIds) => {
      const heads = await this.sendQueue.next([...new Set(accountIds)], SEND_BATCH);
      return accountIds.map((id) => ({ value: heads.get(id) ?? [] }));
    },
    { maxBatch: 200 },
  );
  private readonly sendRecords = new Batcher<{ id: string; wa_message_id: string }, MessageAudience | undefined>(
    async (sends) => {
      const audiences = await this.sendQueue.markSent(sends);
      return sends.map((send) => ({ value: audiences.get(send.id) }));
    },
    { maxBatch: 200 },
  );

  constructor(
    private readonly knex: Knex,
    private readonly leases: LeaseStore,
    private readonly sendQueue: SendQueue,
    private readonly providers: Partial<Record<ProviderName, WhatsAppProvider>>,
    private readonly settings: SessionHostSettings,
    private readonly events: SessionHostEvents,
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /**
   * Renews this node's leases, then reconciles its sessions with the database.
   * Concurrent calls share one run of each; the renewal never waits for the
   * database, so a reconciliation stuck on an unreachable one cannot let a
   * lease lapse (and the number connect on a second node).
   */
  tick(): Promise<void> {
    const renewal = (this.renewing ??= this.renewLeases().finally(() => (this.renewing = undefined)));
    this.ticking ??= renewal.then(() => this.reconcile()).finally(() => (this.ticking = undefined));
    return Promise.all([renewal, this.ticking]).then(() => undefined);
  }

  owns(accountId: string): boolean {
    return this.sessions.has(accountId);
  }

  snapshot(accountId: string): { status: AccountStatus; reason: string | null; qr: string | null } | undefined {
    const session = this.sessions.get(accountId);
    return session && { status: session.status, reason: session.reason, qr: session.qr };
  }

  /** The accounts this node holds (it renews their leases), with their live status. */
  held(): HeldAccount[] {
    return [...this.sessions].map(([accountId, session]) => ({ account_id: accountId, status: session.status, reason: session.reason }));
  }

  /** An operator asks for a connection now (after a logout, a ban, or during a backoff wait). */
  connect(accountId: string): boolean {
    const session = this.sessions.get(accountId);
    session?.actor.send({ type: "CONNECT" });
    return session !== undefined;
  }

  /** Sends what is queued on an account, if this node holds it and it is connected. */
  kick(accountId: string): void {
    const session = this.sessions.get(accountId);
    if (session) this.inBackground(this.drain(accountId, session), `Sending on ${accountId}`);
  }

  /** Shows "typing…" to a contact, when this node holds the account and it is connected; false otherwise. */
  async typing(accountId: string, to: OutgoingMessage["to"]): Promise<boolean> {
    const session = this.sessions.get(accountId);
    if (session?.status !== "connected" || !session.connection) return false;
    await session.connection.typing(to);
    return true;
  }

  /** An operator logs the number out of WhatsApp. */
  async logout(accountId: string): Promise<void> {
    const session = this.sessions.get(accountId);
    if (!session) {
      await wipeAuthState(this.knex, accountId);
      return;
    }
    session.actor.send({ type: "LOGOUT" });
    await session.writes;
  }

  /** Lets go of every account (node shutdown): sockets close, pairings stay, leases are released for the others. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A tick that fails now must not keep this node from letting go of its accounts.
    await this.ticking?.catch(() => undefined);
    await Promise.all([...this.sessions.keys()].map((accountId) => this.letGo(accountId)));
  }

  /**
   * While this node is alive and connected it keeps its numbers, whatever the database does (every number
   * reconnecting at once is what gets numbers flagged): leases are renewed without asking it anything.
   */
  private async renewLeases(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(
      [...this.sessions.keys()].map(async (accountId) => {
        if (await this.leases.renew(leaseKey(accountId), this.settings.nodeId, this.settings.leaseTtlMs)) return;
        // Another node holds it now: close quietly, the new owner reports its status. Not awaited: letting go
        // writes to the database, and the next renewal must not wait for that.
        this.events.log("warn", "Lost the lease of this WhatsApp account to another node", undefined, accountId);
        this.letGo(accountId, false).catch((err: unknown) => this.events.log("warn", "Could not record letting go of this WhatsApp account", err, accountId));
      }),
    );
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    // Messages queued while no one told us (a lost event) still go out.
    for (const [accountId, session] of this.sessions) this.inBackground(this.drain(accountId, session), `Sending on ${accountId}`);
    const wanted = await this.knex("whatsapp_accounts").select("id", "provider", "owner_node").where("should_connect", true).whereNull("deleted_at");
    const wantedIds = new Set(wanted.map((account) => account.id));

    for (const accountId of [...this.sessions.keys()]) {
      if (wantedIds.has(accountId)) continue;
      // Switched off or deleted: close it here and say so.
      this.events.log("info", "Closing this WhatsApp account: it no longer wants a connection", undefined, accountId);
      await this.letGo(accountId);
    }
    const share = Math.ceil(wanted.length / Math.max(1, this.settings.peers?.() ?? 1));
    await this.handOverExcess(share);
    const stillFree = new Map<string, number>();
    const lostHolders = new Set<string>();
    for (const account of wanted) {
      if (this.stopped || this.sessions.has(account.id)) continue;
      const provider = this.providers[account.provider];
      if (!provider) continue;
      // Holding our share, leave it to a node below its own; held by another live node, leave it to that node,
      // which renews its lease (Redis may have come back empty) — unless it has stayed free for a whole lease.
      const holder = account.owner_node;
      const heldElsewhere = holder !== null && holder !== this.settings.nodeId && (this.settings.alive?.(holder) ?? false);
      if (this.sessions.size >= share || heldElsewhere) {
        if ((await this.leases.owner(leaseKey(account.id))) !== null) continue;
        const since = this.freeSince.get(account.id) ?? Date.now();
        stillFree.set(account.id, since);
        if (Date.now() - since < this.settings.leaseTtlMs) continue;
      }
      if (await this.leases.acquire(leaseKey(account.id), this.settings.nodeId, this.settings.leaseTtlMs)) {
        stillFree.delete(account.id);
        if (holder !== null && holder !== this.settings.nodeId) this.metrics.count("leaseTakeovers");
        if (heldElsewhere) lostHolders.add(holder);
        await this.start(account.id, provider);
      }
    }
    for (const nodeId of lostHolders) this.events.holderLost?.(nodeId);
    await this.measureQueues();
    this.freeSince.clear();
    for (const [id, since] of stillFree) this.freeSince.set(id, since);
  }

  /**
   * A node holding more than its fair share (another node joined, or came back
   * after a restart) lets one number go per round, so that one below its share
   * takes it: numbers spread over the nodes without a storm of reconnections.
   * A number being paired (showing a QR) or still connecting stays put.
   */
  private async handOverExcess(share: number): Promise<void> {
    if (this.sessions.size <= share) return;
    const movable = [...this.sessions].find(([, session]) => session.status !== "qr" && session.status !== "connecting");
    if (!movable) return;
    this.events.log(
      "info",
      `Handing this WhatsApp account to another node: this node holds ${this.sessions.size}, a fair share is ${share}`,
      undefined,
      movable[0],
    );
    await this.letGo(movable[0], false);
  }

  private async start(accountId: string, provider: WhatsAppProvider): Promise<void> {
    // The list this tick works from may be stale: claim the account only if it still wants a connection.
    const claimed = await this.knex("whatsapp_accounts")
      .update({ owner_node: this.settings.nodeId, updated_at: this.knex.fn.now() })
      .where({ id: accountId, should_connect: true })
      .whereNull("deleted_at");
    if (!claimed) {
      await this.leases.release(leaseKey(accountId), this.settings.nodeId);
      return;
    }
    this.events.log("info", `Taking this WhatsApp account (${provider.name})`, undefined, accountId);
    const session: Session = {
      // The machine's effects reach the session through this closure; they only run once the actor starts.
      actor: createActor(
        this.machineFor(accountId, () => session, provider),
        {
          input: { accountId, maxQrCodes: this.settings.maxQrCodes, maxFailures: this.settings.maxReconnectAttempts },
        },
      ),
      generation: 0,
      qr: null,
      status: "disconnected",
      reason: null,
      writes: Promise.resolve(),
      draining: false,
    };
    this.sessions.set(accountId, session);
    session.actor.subscribe((snapshot) => this.onChange(accountId, session, statusOf(snapshot.value), snapshot.context));
    session.actor.start();
    session.actor.send({ type: "CONNECT" });
  }

  private machineFor(accountId: string, session: () => Session, provider: WhatsAppProvider) {
    return whatsappAccountMachine.provide({
      actions: {
        openConnection: () => this.open(accountId, session(), provider),
        closeConnection: () => this.closeConnection(session()),
        logoutConnection: () => {
          // The socket may still be opening: log out whichever connection it turns out to be.
          const connection = session().connection;
          const opening = session().opening;
          session().loggingOut = opening;
          this.closeConnection(session(), false);
          this.enqueue(session(), async () => {
            try {
              await (connection ?? (await opening))?.logout();
            } finally {
              await wipeAuthState(this.knex, accountId);
            }
          });
        },
        wipeAuth: () => this.enqueue(session(), () => wipeAuthState(this.knex, accountId)),
        publishQr: (_, { qr }) => {
          session().qr = qr;
          this.events.qr(accountId, qr);
        },
        scheduleRetry: (_, { failures }) => {
          const reason = session().reason ?? "unknown";
          this.metrics.count("reconnects", { reason });
          const delay = reconnectDelay(failures, { baseMs: this.settings.reconnectBaseMs, capMs: this.settings.reconnectMaxMs });
          this.events.log("warn", `This WhatsApp account reconnects in ${delay} ms (failure ${failures}, ${reason})`, undefined, accountId);
          // Before opening a new socket, make sure the account is still ours: after a 440
          // (connection replaced) or a long outage another node may hold it now.
          const timer = setTimeout(() => {
            this.leases
              .renew(leaseKey(accountId), this.settings.nodeId, this.settings.leaseTtlMs)
              .then((ours) => (ours ? session().actor.send({ type: "RETRY" }) : this.letGo(accountId, false)))
              .catch((err: unknown) => this.events.log("error", "Could not check the lease of this WhatsApp account", err, accountId));
          }, delay);
          timer.unref();
          session().retryTimer = timer;
        },
        cancelRetry: () => {
          clearTimeout(session().retryTimer);
          session().retryTimer = undefined;
        },
      },
    });
  }

  private open(accountId: string, session: Session, provider: WhatsAppProvider): void {
    this.closeConnection(session);
    const generation = ++session.generation;
    const opening = provider
      .connect(accountId, {
        connection: (update) => {
          if (generation !== session.generation) return;
          if (update.kind === "qr") session.actor.send({ type: "QR", qr: update.qr });
          else if (update.kind === "open") session.actor.send({ type: "OPEN", phoneNumber: update.phoneNumber, jid: update.jid, lid: update.lid });
          else session.actor.send({ type: "CLOSED", reason: update.reason, detail: update.detail });
        },
        messages: (messages) => this.inbound.receive(accountId, messages),
        receipts: (receipts) => this.events.receipts(accountId, receipts),
        quota: (warning) => this.events.quota(accountId, warning),
      })
      .then((connection) => {
        // A connection nobody waits for any more is closed — unless a logout claimed it meanwhile.
        if (generation === session.generation) session.connection = connection;
        else if (session.loggingOut !== opening) this.inBackground(connection.close(), `Closing ${accountId}`);
        return connection;
      })
      .catch((err: unknown) => {
        this.events.log("error", "Could not open this WhatsApp account", err, accountId);
        if (generation === session.generation) session.actor.send({ type: "CLOSED", reason: "connection_lost", detail: String(err) });
        return undefined;
      });
    session.opening = opening;
  }

  /** Detaches the current connection (its late events are ignored from now on) and, by default, closes it. */
  private closeConnection(session: Session, close = true): void {
    const connection = session.connection;
    session.connection = undefined;
    session.generation += 1;
    if (close && connection) this.inBackground(connection.close(), "Closing a connection");
  }

  private onChange(
    accountId: string,
    session: Session,
    status: AccountStatus,
    context: { reason: string | null; phoneNumber: string | null; jid: string | null; lid: string | null },
  ): void {
    if (status === session.status && context.reason === session.reason) return;
    session.status = status;
    session.reason = context.reason;
    this.countSessions();
    if (status !== "qr") session.qr = null;
    const connected = status === "connected";
    const ended = TERMINAL.has(status) && context.reason !== "stopped";
    // Announced once stored, so whoever hears the news and reads the account sees the same status.
    this.enqueue(session, async () => {
      await this.knex("whatsapp_accounts")
        .update({
          updated_at: this.knex.fn.now(),
          status,
          status_reason: context.reason,
          ...(connected ? { phone_number: context.phoneNumber, wa_jid: context.jid, wa_lid: context.lid, last_connected_at: new Date() } : {}),
          // An account that ended (logged out, banned, QR not scanned, too many failures) waits for an operator.
          ...(ended ? { should_connect: false } : {}),
        })
        // Only while this node holds it: a former owner's late news must not overwrite the new owner's.
        .where({ id: accountId, owner_node: this.settings.nodeId });
      this.events.status({ accountId, status, reason: context.reason });
    });
    if (connected) this.inBackground(this.drain(accountId, session), `Sending on ${accountId}`);
    // Not from inside the actor's own transition: let go once it has settled.
    if (ended) setImmediate(() => this.inBackground(this.letGo(accountId, false), `Letting ${accountId} go`));
  }

  // One message at a time, oldest first, paced; stops when the queue is empty or the connection is gone.
  // The queue's head is read a batch at a time (only this loop moves pending messages on), and read again
  // only when the batch was full or more was queued meanwhile. Sends made back to back are recorded
  // together; a paced number's each before its pause.
  /** Work nobody waits for: its failure is logged, not lost. */
  private inBackground(work: Promise<unknown>, what: string): void {
    work.catch((err: unknown) => this.events.log("warn", `${what} failed`, err));
  }

  private async drain(accountId: string, session: Session): Promise<void> {
    if (session.status !== "connected") return;
    if (session.draining) {
      session.queuedMeanwhile = true;
      return;
    }
    session.draining = true;
    try {
      for (;;) {
        const connection = session.connection;
        if (session.status !== "connected" || !connection || this.sessions.get(accountId) !== session) return;
        session.queuedMeanwhile = false;
        const batch = await this.queueHeads.submit(accountId);
        const sent: Array<{ id: string; wa_message_id: string }> = [];
        try {
          for (const message of batch) {
            if (session.status !== "connected" || session.connection !== connection) return;
            try {
              const { waMessageId } = await connection.send(message);
              sent.push({ id: message.id, wa_message_id: waMessageId });
              this.metrics.count("outboundMessages", { type: message.type, status: "sent" });
            } catch (err) {
              // A connection that dropped mid-send keeps the message for the next one; anything else is final.
              if (session.status !== "connected" || session.connection !== connection) return;
              await this.sendQueue.markFailed(message.id, err instanceof Error ? err.message : String(err));
              this.metrics.count("outboundMessages", { type: message.type, status: "failed" });
              this.events.sent(accountId, message.id, "failed");
              this.events.log("warn", `Message ${message.id} failed: ${String(err)}`, undefined, accountId);
            }
            const pause = this.settings.sendIntervalMs * (0.7 + Math.random() * 0.6);
            if (pause > 0) {
              await this.recordSent(accountId, sent.splice(0));
              await new Promise((resolve) => setTimeout(resolve, pause));
            }
          }
        } finally {
          // Recorded before the queue is read again: a message sent but still pending would go twice.
          await this.recordSent(accountId, sent.splice(0));
        }
        if (batch.length < SEND_BATCH && !session.queuedMeanwhile) return;
      }
    } catch (err) {
      this.events.log("error", "Sending on this WhatsApp account stopped", err, accountId);
    } finally {
      session.draining = false;
    }
  }

  private async recordSent(accountId: string, sends: Array<{ id: string; wa_message_id: string }>): Promise<void> {
    const audiences = await Promise.all(sends.map((send) => this.sendRecords.submit(send)));
    sends.forEach((send, index) => this.events.sent(accountId, send.id, "sent", audiences[index]));
  }

  private enqueue(session: Session, write: () => PromiseLike<unknown>): void {
    session.writes = session.writes.then(write).catch((err: unknown) => this.events.log("error", "Could not save WhatsApp account state", err));
  }

  private countSessions(): void {
    if (!this.metrics.enabled) return;
    const byState = new Map<AccountStatus, number>(ACCOUNT_STATUSES.map((state) => [state, 0]));
    for (const session of this.sessions.values()) byState.set(session.status, (byState.get(session.status) ?? 0) + 1);
    for (const [state, count] of byState) this.metrics.set("sessions", count, { state });
  }

  // Read once a round, and only when someone is watching: one grouped count over the pending queue's index.
  private async measureQueues(): Promise<void> {
    if (!this.metrics.enabled || this.sessions.size === 0) return;
    const depths = await this.sendQueue.depth([...this.sessions.keys()]);
    for (const [account, depth] of depths) this.metrics.set("sendQueueDepth", depth, { account });
  }

  private async letGo(accountId: string, stopActor = true): Promise<void> {
    const session = this.sessions.get(accountId);
    if (!session) return;
    this.sessions.delete(accountId);
    this.countSessions();
    this.metrics.set("sendQueueDepth", 0, { account: accountId });
    if (stopActor) session.actor.send({ type: "STOP" });
    else this.closeConnection(session);
    if (session.retryTimer) clearTimeout(session.retryTimer);
    session.actor.stop();
    await session.writes;
    await this.knex("whatsapp_accounts")
      .update({ owner_node: null, updated_at: this.knex.fn.now() })
      .where({ id: accountId, owner_node: this.settings.nodeId });
    await this.leases.release(leaseKey(accountId), this.settings.nodeId);
  }
}
