// An in-process WhatsApp for development, tests, demos and benchmarks. It
// speaks the provider port exactly as the Baileys adapter does: QR codes that
// rotate, a pairing kept in the same auth-state table (so another node can
// resume it), the 515 restart right after pairing, and disconnects with the
// same reasons. What it cannot do by itself (a phone scanning the code, the
// network dropping) is driven through its control methods.
import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { Conflict } from "../errors";
import { bufferJsonCodec, loadAuthState, wipeAuthState } from "./auth-state";
import type { CloseReason, ProviderConnection, ProviderListener, WhatsAppProvider } from "./provider";

export interface SimulatorOptions {
  /** How often the QR code rotates while nobody scans it. */
  qrIntervalMs: number;
}

interface Pairing {
  simulator: true;
  phoneNumber: string;
  jid: string;
  lid: string;
}

const isPairing = (creds: unknown): creds is Pairing => (creds as Partial<Pairing> | undefined)?.simulator === true;

class SimulatedConnection implements ProviderConnection {
  private qrTimer: NodeJS.Timeout | undefined;
  private qrCount = 0;
  closed = false;

  constructor(
    readonly accountId: string,
    private readonly listener: ProviderListener,
    private readonly onEnd: (connection: SimulatedConnection) => void,
    private readonly forget: () => Promise<void>,
  ) {}

  get showingQr(): boolean {
    return this.qrTimer !== undefined;
  }

  showQr(intervalMs: number): void {
    const emit = () => {
      this.qrCount += 1;
      this.emit({ kind: "qr", qr: `charla-simulator:${this.accountId}:${this.qrCount}:${randomBytes(8).toString("hex")}` });
    };
    emit();
    this.qrTimer = setInterval(emit, intervalMs);
    this.qrTimer.unref();
  }

  open(pairing: Pairing): void {
    this.stopQr();
    this.emit({ kind: "open", phoneNumber: pairing.phoneNumber, jid: pairing.jid, lid: pairing.lid });
  }

  /** The connection ends from WhatsApp's side. */
  drop(reason: CloseReason): void {
    this.end();
    this.emit({ kind: "close", reason });
  }

  async close(): Promise<void> {
    this.end();
  }

  async logout(): Promise<void> {
    this.end();
    await this.forget();
  }

  private emit(update: Parameters<ProviderListener["connection"]>[0]): void {
    // Delivered asynchronously, as a socket would.
    setImmediate(() => this.listener.connection(update));
  }

  private stopQr(): void {
    if (this.qrTimer) clearInterval(this.qrTimer);
    this.qrTimer = undefined;
  }

  private end(): void {
    this.stopQr();
    if (!this.closed) {
      this.closed = true;
      this.onEnd(this);
    }
  }
}

export type SimulatedDisconnect = "connection_lost" | "logged_out" | "banned";

export class SimulatorProvider implements WhatsAppProvider {
  readonly name = "simulator" as const;
  private readonly live = new Map<string, SimulatedConnection>();

  constructor(
    private readonly knex: Knex,
    private readonly options: SimulatorOptions,
  ) {}

  async connect(accountId: string, listener: ProviderListener): Promise<ProviderConnection> {
    const { creds } = await loadAuthState(this.knex, accountId, bufferJsonCodec);
    void this.live.get(accountId)?.close();
    const connection = new SimulatedConnection(
      accountId,
      listener,
      (ended) => {
        if (this.live.get(accountId) === ended) this.live.delete(accountId);
      },
      () => wipeAuthState(this.knex, accountId),
    );
    this.live.set(accountId, connection);
    if (isPairing(creds)) connection.open(creds);
    else connection.showQr(this.options.qrIntervalMs);
    return connection;
  }

  /** A phone scans the QR code: the account is paired, and (as on WhatsApp Web) the socket restarts. */
  async scan(accountId: string, phoneNumber: string): Promise<void> {
    const connection = this.live.get(accountId);
    if (!connection?.showingQr) throw new Conflict(undefined, "The account is not showing a QR code", "NOT_WAITING_FOR_SCAN");
    const digits = phoneNumber.replace(/\D/g, "");
    const pairing: Pairing = {
      simulator: true,
      phoneNumber: `+${digits}`,
      jid: `${digits}@s.whatsapp.net`,
      lid: `${BigInt(`0x${randomBytes(6).toString("hex")}`)}@lid`,
    };
    const { saveCreds } = await loadAuthState(this.knex, accountId, bufferJsonCodec);
    await saveCreds(pairing);
    connection.drop("restart_required");
  }

  /** WhatsApp ends the connection: the network drops, the phone logs the device out, or the number is banned. */
  async disconnect(accountId: string, reason: SimulatedDisconnect): Promise<void> {
    const connection = this.live.get(accountId);
    if (!connection) throw new Conflict(undefined, "The account has no open connection", "NOT_CONNECTED");
    if (reason === "logged_out") await wipeAuthState(this.knex, accountId);
    connection.drop(reason);
  }
}
