// A customer's text cannot freeze a node through a flow's pattern: the
// `matches` operator answers in linear time, and patterns it could not run are
// refused when the flow is saved.
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
let admin: Client;

const patternFlow = (pattern: string) => ({
  nodes: [
    { id: "start", type: "start", data: {} },
    { id: "check", type: "condition", data: { rules: [{ left: "{{message.text}}", op: "matches", right: pattern }] } },
    { id: "yes", type: "send_text", data: { text: "coincide" } },
    { id: "no", type: "send_text", data: { text: "no coincide" } },
  ],
  edges: [
    { source: "start", target: "check" },
    { source: "check", sourceHandle: "true", target: "yes" },
    { source: "check", sourceHandle: "false", target: "no" },
  ],
});

beforeAll(async () => {
  admin = await h.admin();
});

it("answers a catastrophic-backtracking pattern at once and keeps /api/health fast", async () => {
  const accountId = await connectedAccount(admin, "Patrones");
  const flow = await admin.post("/api/flows", {
    name: "Patrón",
    trigger_type: "default",
    whatsapp_account_id: accountId,
    is_active: true,
    nodes: patternFlow("^(a+)+$"),
  });
  expect(flow.status).toBe(201);
  // A backtracking engine would take about a day on this text.
  await customerWrites(admin, accountId, "+525512340001", `${"a".repeat(45)}!`);
  const started = performance.now();
  expect((await h.request("GET", "/api/health")).status).toBe(200);
  expect(performance.now() - started).toBeLessThan(50);
  const replies = async () =>
    ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=%2B525512340001`)).body as Array<{ content: string }>).map((m) => m.content);
  expect(await eventually(async () => (await replies()).length > 0 && replies())).toEqual(["no coincide"]);
});

it("refuses at save time a pattern it could not run, naming the field", async () => {
  for (const [pattern, message] of [
    ["x".repeat(201), /at most 200 characters/],
    ["(?<=a)b", /not a valid regular expression/],
    ["[a-z]{1,1000}", /too complex/],
  ] as const) {
    const res = await admin.post("/api/flows", { name: "Malo", trigger_type: "default", nodes: patternFlow(pattern) });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "nodes[1].data.rules[0].right", message: expect.stringMatching(message) });
  }
});
