// Messages WhatsApp has delivered to us are ours to keep: WhatsApp will not
// send them again. When they cannot be stored because the database is away,
// they wait here, in order, per account, and are stored again (a stored
// message is recognised, so a retry never doubles one) until the database is
// back. Messages arriving meanwhile queue behind them, so the order holds.
import { isDatabaseUnavailable } from "../db/availability";
import type { InboundMessage } from "./inbound";

type Store = (accountId: string, messages: InboundMessage[]) => Promise<void>;
type Log = (level: "warn" | "error", message: string, err?: unknown) => void;

// A bound on what one account keeps in memory while the database is away.
const MAX_WAITING = 10_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

export class InboundRetry {
  private readonly waiting = new Map<string, InboundMessage[]>();

  constructor(
    private readonly store: Store,
    private readonly log: Log,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Stores the messages now, or, while the database is away, as soon as it is back. */
  async receive(accountId: string, messages: InboundMessage[]): Promise<void> {
    const queue = this.waiting.get(accountId);
    if (queue) {
      this.enqueue(accountId, queue, messages);
      return;
    }
    try {
      await this.store(accountId, messages);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const fresh: InboundMessage[] = [];
      this.waiting.set(accountId, fresh);
      this.enqueue(accountId, fresh, messages);
      this.log("warn", `Incoming messages of ${accountId} wait until the database is back`);
      this.retry(accountId, fresh).catch((failure: unknown) => this.log("error", `Retrying incoming messages of ${accountId} failed`, failure));
    }
  }

  private enqueue(accountId: string, queue: InboundMessage[], messages: InboundMessage[]): void {
    queue.push(...messages);
    if (queue.length > MAX_WAITING) {
      const lost = queue.splice(0, queue.length - MAX_WAITING);
      this.log("error", `${lost.length} incoming message(s) of ${accountId} were dropped: more than ${MAX_WAITING} waited for the database`);
    }
  }

  private async retry(accountId: string, queue: InboundMessage[]): Promise<void> {
    let delay = FIRST_DELAY_MS;
    while (queue.length > 0) {
      await this.sleep(delay);
      const batch = queue.slice();
      try {
        await this.store(accountId, batch);
        queue.splice(0, batch.length);
      } catch (err) {
        if (!isDatabaseUnavailable(err)) {
          // Not the database being away: retrying would not help, and would hold up the account's messages.
          this.log("error", `Could not store ${batch.length} incoming message(s) of ${accountId}`, err);
          queue.splice(0, batch.length);
        }
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      }
    }
    this.waiting.delete(accountId);
  }
}
