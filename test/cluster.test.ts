// Two nodes over the Redis transporter: a full node and a gateway-only node.
import { database } from "../lib/db/connection";
import { eventually, harness, type Node } from "./support/harness";

const h = harness({ cluster: true, env: { PRESENCE_GRACE_SECONDS: "1", LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "4" } });
let gateway: Node;

beforeAll(async () => {
  gateway = await h.startNode("gateway", ["api"]);
});

const statusOf = async (id: string) => (await database()("users").where({ id }).first()).status as string;

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
    const attempt = (url: string) =>
      h.request("POST", `${url}/api/auth/login`, { body: { email: agent.user.email, password: "wrong" } });
    for (const url of [h.baseUrl, gateway.baseUrl, h.baseUrl, gateway.baseUrl]) expect((await attempt(url)).status).toBe(401);
    expect((await attempt(h.baseUrl)).status).toBe(429);
    expect((await attempt(gateway.baseUrl)).status).toBe(429);
  });

  it("reports the gateway-only node ready through the other node's database service", async () => {
    const ready = await h.request("GET", `${gateway.baseUrl}/api/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ routes: "ok", database: "ok", redis: "ok" });
  });
});
