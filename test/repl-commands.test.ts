// The operator's REPL commands (lib/repl-commands.ts): the rows of `accounts`,
// `queues` and `timers` (lib/operator-views.ts), and what each command prints.
import { database } from "../lib/db/connection";
import { accountsView, queuesView, timersView } from "../lib/operator-views";
import { replCommands } from "../lib/repl-commands";
import { scheduleTimer } from "../lib/timers";
import { harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

// The poller's first look comes a minute after the start: a timer due in the past stays late while this file runs.
const h = harness({ env: { TIMER_POLL_INTERVAL_MS: "60000" } });
let admin: Client;
let accountId: string;
let conversationId: string;

beforeAll(async () => {
  admin = await h.admin();
});

/** Runs a REPL command as the prompt would, and gives back what it printed: its tables and its lines. */
async function run(name: string, options: Record<string, string> = {}): Promise<{ tables: unknown[]; lines: string[] }> {
  const command = replCommands.find((candidate) => candidate.command === name);
  if (!command) throw new Error(`no REPL command ${name}`);
  const table = jest.spyOn(console, "table").mockImplementation(() => undefined);
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await command.action(h.broker, { options });
    return { tables: table.mock.calls.map((call) => call[0]), lines: log.mock.calls.map((call) => String(call[0])) };
  } finally {
    table.mockRestore();
    log.mockRestore();
  }
}

describe("with nothing to show", () => {
  it("each command says so in one line", async () => {
    expect(await run("accounts")).toEqual({ tables: [], lines: ["No WhatsApp account exists."] });
    expect(await run("queues")).toEqual({ tables: [], lines: ["No queue exists."] });
    expect(await run("timers")).toEqual({ tables: [], lines: ["No timer is late or due in the next 5 minute(s)."] });
  });

  it("refuses an option that is not a positive number, in one line", async () => {
    expect(await run("timers", { within: "soon" })).toEqual({
      tables: [],
      lines: ['Could not read the timers: --within must be a positive number, not "soon"'],
    });
  });
});

describe("accounts", () => {
  it("shows a connected number held by this node, with its live status and its send queue", async () => {
    accountId = await connectedAccount(admin);
    const expected = {
      id: accountId,
      name: "Ventas",
      phone: "+525500000100",
      status: "connected",
      live: "connected",
      reason: null,
      wanted: true,
      holder: h.broker.nodeID,
      send_queue: 0,
    };
    expect(await accountsView(h.broker, database())).toEqual({ accounts: [expected], silentNodes: [] });
    // Nothing is an alert: the table alone.
    expect(await run("accounts")).toEqual({ tables: [[expected]], lines: [] });
  });
});

describe("queues", () => {
  it("counts the waiting and the active conversations and the agents online", async () => {
    const online = await h.as("agent", "Olga");
    const offline = await h.as("agent", "Otto");
    await admin.put(`/api/users/${online.user.id}/status`, { status: "online" });
    // Manual assignment: the waiting conversation stays waiting.
    const queueId = await queueWith([{ id: online.user.id }, { id: offline.user.id }], "Soporte");
    const waiting = await customerWrites(admin, accountId, "+525511100001");
    const assigned = await customerWrites(admin, accountId, "+525511100002");
    for (const id of [waiting, assigned]) expect((await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queueId })).status).toBe(200);
    expect((await admin.post(`/api/conversations/${assigned}/assign`, { user_id: online.user.id })).status).toBe(200);

    const expected = { id: queueId, name: "Soporte", open: true, waiting: 1, active: 1, agents_online: 1, agents: 2 };
    expect(await queuesView(database())).toEqual([expected]);
    expect(await run("queues")).toEqual({ tables: [[expected]], lines: [] });
  });
});

describe("timers", () => {
  it("shows a late timer as late, first, and one due soon; not one due later", async () => {
    conversationId = await customerWrites(admin, accountId, "+525511100003");
    const now = Date.now();
    await scheduleTimer(database(), { kind: "sla.first_response.breach", dueAt: new Date(now - 90_000), conversationId });
    await scheduleTimer(database(), { kind: "sla.first_response.warning", dueAt: new Date(now + 120_000), conversationId });
    await scheduleTimer(database(), { kind: "sla.resolution.breach", dueAt: new Date(now + 86_400_000), conversationId });

    const target = `conversation ${conversationId}`;
    const late = { kind: "sla.first_response.breach", target, due_at: new Date(now - 90_000), late: true, claimed_by: null };
    const soon = { kind: "sla.first_response.warning", target, due_at: new Date(now + 120_000), late: false, claimed_by: null };
    const rows = await timersView(database(), 300, 20);
    expect(rows).toEqual([
      { ...late, due_in_seconds: expect.any(Number) },
      { ...soon, due_in_seconds: expect.any(Number) },
    ]);
    // The database's clock against this process's: within a few seconds.
    expect(Math.abs(rows[0]!.due_in_seconds + 90)).toBeLessThanOrEqual(5);
    expect(Math.abs(rows[1]!.due_in_seconds - 120)).toBeLessThanOrEqual(5);

    const printed = await run("timers");
    expect(printed.tables).toEqual([[expect.objectContaining(late), expect.objectContaining(soon)]]);
    expect(printed.lines).toEqual(["1 late: due and not fired."]);
    // Late ones come first, and a cut list says so.
    const first = await run("timers", { limit: "1" });
    expect(first.tables).toEqual([[expect.objectContaining(late)]]);
    expect(first.lines).toEqual(["1 late: due and not fired.", "Showing the first 1; --limit shows more."]);
    const later = await run("timers", { within: "2880" });
    expect(later.tables).toEqual([[expect.objectContaining(late), expect.objectContaining(soon), expect.objectContaining({ kind: "sla.resolution.breach" })]]);
  });
});

describe("an account no node holds", () => {
  it("shows no holder, the replies piling up, and raises the alert", async () => {
    // The only node hosting WhatsApp sessions stops hosting them: it lets its number go.
    await h.broker.destroyService(h.broker.getLocalService("whatsapp-sessions"));
    await h.broker.call("whatsapp.send", { conversation_id: conversationId, type: "text", content: "¿Sigues ahí?", sender_type: "system" });
    const { accounts } = await accountsView(h.broker, database());
    expect(accounts).toEqual([expect.objectContaining({ id: accountId, wanted: true, holder: null, live: null, send_queue: 1 })]);
    const printed = await run("accounts");
    expect(printed.tables).toEqual([[expect.objectContaining({ id: accountId, holder: null })]]);
    expect(printed.lines).toEqual(["ALERT: 1 account(s) should be connected and no node holds them: Ventas"]);
  });
});
