// Customers writing in through the simulator, and an agent answering over
// REST. Both behave as their real counterparts do while the engine fails:
// WhatsApp delivers a message again until it is acknowledged (same WhatsApp
// id, so a redelivery is a no-op for the engine), and an agent's client retries
// a send with the same idempotency key. Every message carries a token of its
// own, so what the engine stored and answered can be matched to what was sent.
import { explain, success, type Balancer, type Outcome } from "./http";
import { sleep } from "./processes";

export interface Customer {
  accountId: string;
  phone: string;
  conversationId: string;
  /** Taken by the agent: the flow must stay out of it. */
  agent: boolean;
}

interface Attempted {
  token: string;
  phase: string;
  firstTry: number;
  attempts: number;
  acknowledgedAt?: number;
  /** Refused as bad input (400/422): a fault of the suite or of the engine, never retried. */
  refused?: string;
  /** Still not acknowledged at the deadline: the last answer. */
  gaveUp?: string;
}

export interface Delivery extends Attempted {
  customer: Customer;
  waMessageId: string;
  /** The conversation was the bot's when the message was written (not yet taken by the agent). */
  expectsBotReply: boolean;
}

export interface AgentSend extends Attempted {
  conversationId: string;
  content: string;
}

export const botReplyTo = (token: string): string => `Eco ${token}`;
export const agentContent = (token: string): string => `Agente ${token}`;

/** Retries `attempt` until it succeeds, is refused as bad input, or `deadlineMs` after the first try; records the outcome on `record`. */
async function untilAcknowledged<T>(record: Attempted, deadlineMs: number, attempt: () => Promise<Outcome<T>>): Promise<Outcome<T> | undefined> {
  let pause = 250;
  for (;;) {
    record.attempts += 1;
    const outcome = await attempt();
    if (outcome.ok && success(outcome.status)) {
      record.acknowledgedAt = Date.now();
      return outcome;
    }
    if (outcome.ok && (outcome.status === 400 || outcome.status === 422)) {
      record.refused = explain(outcome);
      return undefined;
    }
    if (Date.now() - record.firstTry > deadlineMs) {
      record.gaveUp = explain(outcome);
      return undefined;
    }
    await sleep(pause);
    pause = Math.min(pause * 1.5, 2_000);
  }
}

/** Keeps track of deliveries still being retried, so the run can wait for all of them. */
class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  add(work: Promise<unknown>): void {
    this.pending.add(work);
    // Its failure is recorded by whoever started it; here it only leaves the pending set.
    work.finally(() => this.pending.delete(work)).catch(() => undefined);
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

export class CustomerTraffic {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new InFlight();
  private turn = 0;

  constructor(
    private readonly lb: Balancer,
    private readonly adminToken: () => string,
    private readonly customers: Customer[],
    private readonly runTag: string,
    private readonly deadlineMs: number,
  ) {}

  /**
   * `count` messages at about `perSecond`, `together` at a time to the same
   * conversation (so several messages of one conversation are in flight at
   * once), conversations in turn. Resolves when the last one has been sent
   * for the first time; `drain` waits for their acknowledgements.
   */
  async burst(phase: string, count: number, perSecond: number, together: number): Promise<void> {
    for (let sent = 0; sent < count; sent += together) {
      const customer = this.customers[this.turn % this.customers.length]!;
      this.turn += 1;
      for (let i = 0; i < Math.min(together, count - sent); i += 1) this.inFlight.add(this.deliver(this.newDelivery(phase, customer)));
      await sleep((1000 * together) / perSecond);
    }
  }

  /** One message, outside any burst (setup). Resolves once acknowledged. */
  async single(phase: string, customer: Customer): Promise<Delivery> {
    const delivery = this.newDelivery(phase, customer);
    await this.deliver(delivery);
    return delivery;
  }

  drain(): Promise<void> {
    return this.inFlight.drain();
  }

  private newDelivery(phase: string, customer: Customer): Delivery {
    const seq = String(this.deliveries.length + 1).padStart(5, "0");
    const delivery: Delivery = {
      token: `m${seq}`,
      phase,
      customer,
      waMessageId: `FAULT${this.runTag}M${seq}`,
      expectsBotReply: !customer.agent,
      firstTry: Date.now(),
      attempts: 0,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { customer } = delivery;
    const body = { from: customer.phone, type: "text", text: delivery.token, wa_message_id: delivery.waMessageId };
    await untilAcknowledged(delivery, this.deadlineMs, () =>
      this.lb.request("customer message (simulator inbound)", "POST", `/api/simulator/accounts/${customer.accountId}/inbound`, {
        token: this.adminToken(),
        body,
      }),
    );
  }
}

export class AgentTraffic {
  readonly sends: AgentSend[] = [];
  private readonly inFlight = new InFlight();
  private turn = 0;

  constructor(
    private readonly lb: Balancer,
    private readonly agentToken: () => string,
    private readonly conversationIds: string[],
    private readonly deadlineMs: number,
  ) {}

  /** `count` agent messages, one every `everyMs`, to the agent's conversations in turn. */
  async burst(phase: string, count: number, everyMs: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const conversationId = this.conversationIds[this.turn % this.conversationIds.length]!;
      this.turn += 1;
      const token = `a${String(this.sends.length + 1).padStart(5, "0")}`;
      const send: AgentSend = { token, phase, conversationId, content: agentContent(token), firstTry: Date.now(), attempts: 0 };
      this.sends.push(send);
      this.inFlight.add(this.send(send));
      await sleep(everyMs);
    }
  }

  drain(): Promise<void> {
    return this.inFlight.drain();
  }

  private async send(send: AgentSend): Promise<void> {
    // The idempotency key makes a retry after a lost answer the same message, as the API promises.
    const body = { type: "text", content: send.content, idempotency_key: `fault-${send.token}` };
    await untilAcknowledged(send, this.deadlineMs, () =>
      this.lb.request("agent message (REST)", "POST", `/api/conversations/${send.conversationId}/messages`, { token: this.agentToken(), body }),
    );
  }
}
