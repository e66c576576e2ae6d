// kill -9 of the node running a flow, in the middle of a node: another node
// takes the conversation over and finishes the flow; nothing is lost, nothing
// is sent twice.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { database } from "../lib/db/connection";
import { ownerOf } from "../lib/flows/owner";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";

const h = harness({
  cluster: true,
  env: { WHATSAPP_SEND_INTERVAL_MS: "0", HEARTBEAT_INTERVAL_SECONDS: "1", HEARTBEAT_TIMEOUT_SECONDS: "3", FLOW_HTTP_ALLOW_HOSTS: "127.0.0.1" },
});
const CHILD = `${h.database.name}-child`;
let child: ChildProcess;
let slow: http.Server;
let slowUrl: string;
let requests = 0;

beforeAll(async () => {
  if (!fs.existsSync(path.join(__dirname, "..", "dist", "moleculer.config.js")))
    throw new Error("The build is missing: run `npm run build` (npm test does it first)");
  // An API that takes its time: the flow is inside this node when its process dies.
  slow = http.createServer((_req, res) => {
    requests += 1;
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'), 1500);
  });
  await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/lento`;
  child = fork(path.join(__dirname, "support", "child-node.js"), [], {
    env: { ...process.env, CHILD_NODE_ID: CHILD, CHILD_SERVICES: "conversation-actors" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`child node exited with ${code}`)));
  });
});

afterAll(async () => {
  child.kill("SIGKILL");
  await new Promise((resolve) => slow.close(resolve));
});

it("finishes on another node a flow whose node was killed mid-step, sending each message once", async () => {
  const admin: Client = await h.admin();
  const accountId = await connectedAccount(admin);
  const flow = await admin.post("/api/flows", {
    name: "Lento",
    trigger_type: "keyword",
    trigger_value: "pedido",
    is_active: true,
    nodes: {
      nodes: [
        { id: "start", type: "start", data: {} },
        { id: "one", type: "send_text", data: { text: "Consultando tu pedido…" } },
        { id: "api", type: "http_request", data: { method: "GET", url: slowUrl, save_to: "r" } },
        { id: "two", type: "send_text", data: { text: "Listo: {{vars.r.body.ok}}" } },
      ],
      edges: [
        { source: "start", target: "one" },
        { source: "one", target: "api" },
        { source: "api", sourceHandle: "success", target: "two" },
      ],
    },
  });
  expect(flow.status).toBe(201);
  await eventually(() =>
    h.broker.registry
      .getServiceList({ onlyAvailable: true })
      .some((s) => s.name === "conversation-actors" && (s as unknown as { nodeID: string }).nodeID === CHILD),
  );

  // A customer whose conversation the child node owns.
  let phone = "";
  let conversationId: string;
  for (let i = 0; ; i += 1) {
    phone = `+52558880${String(i).padStart(4, "0")}`;
    conversationId = await customerWrites(admin, accountId, phone, "hola");
    if (ownerOf(conversationId, [h.broker.nodeID, CHILD].sort()) === CHILD) break;
  }
  const sent = async () =>
    ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(phone)}`)).body as Array<{ content: string }>).map(
      (m) => m.content,
    );
  await customerWrites(admin, accountId, phone, "pedido");
  await eventually(async () => (await sent()).length === 1 && requests === 1, 5000);
  child.kill("SIGKILL");

  await eventually(async () => (await sent()).length === 2, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await sent()).toEqual(["Consultando tu pedido…", "Listo: true"]);
  expect(requests).toBe(2);
  const row = await database()("conversation_actor_snapshots").where({ conversation_id: conversationId }).first();
  expect(row).toMatchObject({ owner_node: h.broker.nodeID, snapshot: expect.objectContaining({ value: "completed" }) });
}, 40_000);
