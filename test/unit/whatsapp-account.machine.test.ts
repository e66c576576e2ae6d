import { createActor } from "xstate";
import { statusOf, whatsappAccountMachine, type AccountEvent } from "../../lib/whatsapp/account.machine";

function start(maxQrCodes = 3, maxFailures = 3) {
  const effects: string[] = [];
  const record = (name: string) => () => void effects.push(name);
  const machine = whatsappAccountMachine.provide({
    actions: {
      openConnection: record("open"),
      closeConnection: record("close"),
      logoutConnection: record("logout"),
      wipeAuth: record("wipe"),
      publishQr: (_, params) => void effects.push(`qr:${params.qr}`),
      scheduleRetry: (_, params) => void effects.push(`retry:${params.failures}`),
      cancelRetry: record("cancel"),
    },
  });
  const actor = createActor(machine, { input: { accountId: "a1", maxQrCodes, maxFailures } }).start();
  const send = (...events: AccountEvent[]) => events.forEach((event) => actor.send(event));
  const status = () => statusOf(actor.getSnapshot().value);
  const context = () => actor.getSnapshot().context;
  return { actor, send, status, context, effects };
}

const open = { type: "OPEN", phoneNumber: "+525551234567", jid: "525551234567@s.whatsapp.net", lid: "123@lid" } as const;

describe("WhatsApp account machine", () => {
  it("pairs: connecting → qr → (515) connecting → connected", () => {
    const m = start();
    expect(m.status()).toBe("disconnected");
    m.send({ type: "CONNECT" });
    expect(m.status()).toBe("connecting");
    m.send({ type: "QR", qr: "q1" }, { type: "QR", qr: "q2" });
    expect(m.status()).toBe("qr");
    m.send({ type: "CLOSED", reason: "restart_required" });
    expect(m.status()).toBe("connecting");
    m.send(open);
    expect(m.status()).toBe("connected");
    expect(m.context()).toMatchObject({ phoneNumber: "+525551234567", lid: "123@lid", failures: 0, reason: null });
    expect(m.effects).toEqual(["open", "qr:q1", "qr:q2", "open"]);
  });

  it("stops after a bounded number of unscanned QR codes", () => {
    const m = start(2);
    m.send({ type: "CONNECT" }, { type: "QR", qr: "q1" }, { type: "QR", qr: "q2" }, { type: "QR", qr: "q3" });
    expect(m.status()).toBe("disconnected");
    expect(m.context().reason).toBe("qr_not_scanned");
    expect(m.effects).toEqual(["open", "qr:q1", "qr:q2", "close"]);
  });

  it("retries lost connections with backoff and opens the circuit after too many failures", () => {
    const m = start(3, 3);
    m.send({ type: "CONNECT" }, open, { type: "CLOSED", reason: "connection_lost" });
    expect(m.status()).toBe("reconnecting");
    m.send({ type: "RETRY" }, { type: "CLOSED", reason: "connection_lost" }, { type: "RETRY" });
    m.send({ type: "CLOSED", reason: "connection_lost" });
    expect(m.status()).toBe("disconnected");
    expect(m.context()).toMatchObject({ failures: 3, reason: "too_many_failures" });
    expect(m.effects.filter((e) => e.startsWith("retry"))).toEqual(["retry:1", "retry:2"]);
  });

  it("forgets failures once connected again", () => {
    const m = start(3, 3);
    m.send({ type: "CONNECT" }, { type: "CLOSED", reason: "connection_lost" }, { type: "RETRY" }, open);
    expect(m.context().failures).toBe(0);
  });

  it("never reconnects after WhatsApp logs the device out, and wipes the auth", () => {
    const m = start();
    m.send({ type: "CONNECT" }, open, { type: "CLOSED", reason: "logged_out" });
    expect(m.status()).toBe("logged_out");
    expect(m.effects).toContain("wipe");
    expect(m.effects.filter((e) => e.startsWith("retry"))).toEqual([]);
    m.send({ type: "CONNECT" });
    expect(m.status()).toBe("connecting");
  });

  it("treats a multi-device mismatch as a logout (pair again)", () => {
    const m = start();
    m.send({ type: "CONNECT" }, open, { type: "CLOSED", reason: "multidevice_mismatch" });
    expect(m.status()).toBe("logged_out");
  });

  it("stops for good when banned", () => {
    const m = start();
    m.send({ type: "CONNECT" }, open, { type: "CLOSED", reason: "banned" });
    expect(m.status()).toBe("banned");
    m.send({ type: "RETRY" });
    expect(m.status()).toBe("banned");
  });

  it("logs out on an operator's request, from any state", () => {
    const connected = start();
    connected.send({ type: "CONNECT" }, open, { type: "LOGOUT" });
    expect(connected.status()).toBe("disconnected");
    expect(connected.effects).toContain("logout");
    expect(connected.context().reason).toBe("logged_out_by_operator");

    const waiting = start();
    waiting.send({ type: "CONNECT" }, { type: "CLOSED", reason: "connection_lost" }, { type: "LOGOUT" });
    expect(waiting.status()).toBe("disconnected");
    expect(waiting.effects).toEqual(expect.arrayContaining(["cancel", "wipe"]));
  });

  it("lets go of the account on STOP, keeping the pairing", () => {
    const m = start();
    m.send({ type: "CONNECT" }, open, { type: "STOP" });
    expect(m.status()).toBe("disconnected");
    expect(m.effects).toContain("close");
    expect(m.effects).not.toContain("wipe");
  });
});
