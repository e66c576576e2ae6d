// A second node joins while conversations are talking to a flow: ownership of
// some conversations moves between nodes mid-stream, and still every message is
// answered exactly once.
import { database } from "../lib/db/connection";
import { eventually, harness } from "./support/harness";
import { connectedAccount } from "./support/inbox";

const h = harness({ cluster: true, env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });

it("answers every message exactly once while the ring of actor nodes changes", async () => {
  const admin = await h.admin();
  const accountId = await connectedAccount(admin, "Anillo");
  const flow = await admin.post("/api/flows", {
    name: "Eco",
    trigger_type: "default",
    is_active: true,
    nodes: {
      nodes: [
        { id: "start", type: "start", data: {} },
        { id: "echo", type: "send_text", data: { text: "Eco {{message.text}}" } },
        { id: "ask", type: "ask_text", data: { text: "¿Algo más?", variable: "t" } },
      ],
      edges: [
        { source: "start", target: "echo" },
        { source: "echo", target: "ask" },
        { source: "ask", target: "echo" },
      ],
    },
  });
  expect(flow.status).toBe(201);
  const contacts = Array.from({ length: 12 }, (_, i) => `+5255660${String(i).padStart(5, "0")}`);
  const texts: string[] = [];
  const send = async (round: number) => {
    await Promise.all(
      contacts.map(async (from, c) => {
        const text = `r${round}c${c}`;
        texts.push(text);
        const res = await admin.post(`/api/simulator/accounts/${accountId}/inbound`, { from, type: "text", text });
        expect(res.status).toBe(200);
      }),
    );
  };
  await send(0);
  await send(1);
  // A second node with conversation actors joins: about half the conversations move to it.
  const joining = h.startNode("second", ["conversation-actors"]);
  for (let round = 2; round < 6; round += 1) await send(round);
  await joining;
  for (let round = 6; round < 8; round += 1) await send(round);

  const echoes = async () =>
    (await database()("messages").where({ whatsapp_account_id: accountId, direction: "outbound" }).where("content", "like", "Eco %").select("content")).map(
      (row) => (row.content ?? "").slice(4),
    );
  await eventually(async () => (await echoes()).length >= texts.length, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const answered = await echoes();
  expect(answered.sort()).toEqual([...texts].sort());
}, 40_000);
