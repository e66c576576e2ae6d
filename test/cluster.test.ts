// Two nodes over the Redis transporter: a full node and a gateway-only node.
import { database } from "../lib/db/connection";
import Redis from "ioredis";
import { eventually, harness, REDIS_URL, type Node } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";

const h = harness({
  cluster: true,
  env: { PRESENCE_GRACE_SECONDS: "1", LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "4", WHATSAPP_LEASE_TTL_MS: "1500" },
});
let gateway: Node;
let worker: Node;

beforeAll(async () => {
  gateway = await h.startNode("gateway", ["api"]);
  worker = await h.startNode("worker", ["whatsapp-sessions"]);
});

const statusOf = async (id: string) => (await database()("users").where({ id }).first())!.status as string;

describe("a cluster of two nodes", () => {
  it("serves the API from the gateway-only node through the other node's services", async () => {
    const admin = await h.admin();
    const res = await h.request("GET", `${gateway.baseUrl}/api/users`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.total).toBeGreaterThan(0);
  });

  it("disconnects a socket on one node when its session ends through the other", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token }, gateway.baseUrl);
    const closed = new Promise((resolve) => socket.once("disconnect", resolve));
    expect((await agent.post("/api/auth/logout")).status).toBe(204);
    await closed;
  });

  it("keeps a user online while a socket remains on any node", async () => {
    const agent = await h.as("agent");
    const onMain = await h.socket({ token: agent.token });
    const onGateway = await h.socket({ token: agent.token }, gateway.baseUrl);
    await eventually(async () => (await statusOf(agent.user.id)) === "online");
    onMain.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(await statusOf(agent.user.id)).toBe("online");
    onGateway.disconnect();
    await eventually(async () => (await statusOf(agent.user.id)) === "offline");
  });

  it("counts login attempts across nodes", async () => {
    const agent = await h.as("agent");
    const attempt = (url: string) => h.request("POST", `${url}/api/auth/login`, { body: { email: agent.user.email, password: "wrong" } });
    for (const url of [h.baseUrl, gateway.baseUrl, h.baseUrl, gateway.baseUrl]) expect((await attempt(url)).status).toBe(401);
    expect((await attempt(h.baseUrl)).status).toBe(429);
    expect((await attempt(gateway.baseUrl)).status).toBe(429);
  });

  it("brings inbox news caused on one node to a socket on the other, once", async () => {
    const admin = await h.admin();
    const accountId = await connectedAccount(admin, "Cluster");
    const socket = await h.socket({ token: admin.token }, gateway.baseUrl);
    const heard: string[] = [];
    socket.on("new_message", (payload: { message: { content: string } }) => heard.push(payload.message.content));
    const id = await customerWrites(admin, accountId, "+525512349999", "uno");
    await admin.post(`/api/conversations/${id}/notes`, { content: "dos" });
    await eventually(() => heard.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(heard).toEqual(["uno", "dos"]);
    await admin.post(`/api/whatsapp/accounts/${accountId}/disconnect`);
  });

  it("connects each WhatsApp account on one node only, and another node takes it over, paired, when the owner stops", async () => {
    const admin = await h.admin();
    const created = await h.request("POST", `${gateway.baseUrl}/api/whatsapp/accounts`, {
      token: admin.token,
      body: { name: "Ventas", provider: "simulator" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const row = () => database()("whatsapp_accounts").where({ id }).first();
    await eventually(async () => (await row())!.status === "qr");

    const redis = new Redis(REDIS_URL);
    const leaseOwner = () => redis.get(`${h.redisPrefix}whatsapp:lease:${id}`);
    expect(await leaseOwner()).toBe((await row())!.owner_node);

    // Calls for the account are routed to its owner, whichever node they arrive on.
    const scan = await h.request("POST", `${gateway.baseUrl}/api/simulator/accounts/${id}/scan`, {
      token: admin.token,
      body: { phone_number: "+525511112222" },
    });
    expect(scan.status).toBe(200);
    await eventually(async () => (await row())!.status === "connected");

    const owner = (await row())!.owner_node as string;
    const [ownerNode, otherNode] = owner === h.broker.nodeID ? [h.broker, worker.broker] : [worker.broker, h.broker];
    await ownerNode.destroyService(ownerNode.getLocalService("whatsapp-sessions"));
    await eventually(async () => {
      const current = await row();
      return current!.owner_node === otherNode.nodeID && current!.status === "connected";
    });
    expect(await leaseOwner()).toBe(otherNode.nodeID);
    await redis.quit();
  });

  it("reports the gateway-only node ready through the other node's database service", async () => {
    const ready = await h.request("GET", `${gateway.baseUrl}/api/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ routes: "ok", database: "ok", redis: "ok" });
  });
});
