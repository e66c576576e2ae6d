import { database } from "../lib/db/connection";
import { eventually, expiredCopyOf, harness } from "./support/harness";

const h = harness({ env: { PRESENCE_GRACE_SECONDS: "1" } });

const statusOf = async (id: string) => (await database()("users").where({ id }).first())!.status as string;

describe("socket connections", () => {
  it("accepts the access token in auth.token, with or without Bearer", async () => {
    const agent = await h.as("agent");
    const bare = await h.socket({ token: agent.token });
    expect(bare.connected).toBe(true);
    const prefixed = await h.socket({ token: `Bearer ${agent.token}` });
    expect(prefixed.connected).toBe(true);
  });

  it("refuses a missing, invalid or expired token with the error format", async () => {
    await expect(h.socket({})).rejects.toMatchObject({ data: { detail: { code: "TOKEN_MISSING" } } });
    await expect(h.socket({ token: "Bearer nope" })).rejects.toMatchObject({ data: { detail: { code: "TOKEN_INVALID" } } });
    const agent = await h.as("agent");
    const expired = expiredCopyOf(agent.token);
    await expect(h.socket({ token: expired })).rejects.toMatchObject({ data: { detail: { code: "TOKEN_EXPIRED" } } });
  });

  it("offers no generic action call over the socket", async () => {
    const admin = await h.admin();
    const socket = await h.socket({ token: admin.token });
    const answer = await socket.timeout(2_000).emitWithAck("call", "users.list", {});
    expect(answer).toMatchObject({ detail: { code: "NOT_FOUND" } });
  });

  it("tells every socket to catch up when another node running services dies or stops", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    const heard: unknown[] = [];
    socket.on("catch_up", (payload: unknown) => heard.push(payload));
    // A stopped node may have had events routed to it after its gateway closed; a dead one never sent some.
    // An operator's REPL (a node with no service of the engine) leaving is nothing to catch up on.
    await h.broker.broadcastLocal("$node.disconnected", { node: { id: "repl-node", services: [{ name: "$node" }] }, unexpected: false });
    await h.broker.broadcastLocal("$node.disconnected", {
      node: { id: "stopped-node", services: [{ name: "$node" }, { name: "messages" }] },
      unexpected: false,
    });
    await h.broker.broadcastLocal("$node.disconnected", { node: { id: "dead-node", services: [{ name: "whatsapp-sessions" }] }, unexpected: true });
    await eventually(() => heard.length === 2);
    expect(heard).toEqual([{ reason: "node_lost" }, { reason: "node_lost" }]);
    // A node whose numbers' leases lapsed is lost too, even before the cluster declares it gone.
    await h.broker.broadcastLocal("whatsapp.holder_lost", { node_id: "hung-node" });
    await eventually(() => heard.length === 3);
  });

  it("refuses the token of an ended session", async () => {
    const agent = await h.as("agent");
    await agent.post("/api/auth/logout");
    await expect(h.socket({ token: agent.token })).rejects.toMatchObject({ data: { detail: { code: "SESSION_REVOKED" } } });
  });

  it("joins the user's room, so events for the user reach it", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    const received = new Promise((resolve) => socket.once("catch_up", resolve));
    await eventually(async () => (await h.broker.call<string[], { room: string }>("api.getClients", { room: `user:${agent.user.id}` })).length === 1);
    await h.broker.call("api.broadcast", { event: "catch_up", args: [{ reason: "node_lost" }], rooms: [`user:${agent.user.id}`] });
    await expect(received).resolves.toEqual({ reason: "node_lost" });
  });

  it("is disconnected when its session is revoked by logout", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    const revoked = new Promise((resolve) => socket.once("session_revoked", resolve));
    const closed = new Promise((resolve) => socket.once("disconnect", resolve));
    await agent.post("/api/auth/logout");
    await expect(revoked).resolves.toEqual({ reason: "session_ended" });
    await closed;
    expect(socket.connected).toBe(false);
  });

  it("is disconnected when the user is deleted", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    const closed = new Promise((resolve) => socket.once("disconnect", resolve));
    await (await h.admin()).delete(`/api/users/${agent.user.id}`);
    await closed;
  });
});

describe("presence", () => {
  it("marks the user online on connect and offline after the last socket leaves", async () => {
    const agent = await h.as("agent");
    expect(await statusOf(agent.user.id)).toBe("offline");
    const first = await h.socket({ token: agent.token });
    const second = await h.socket({ token: agent.token });
    await eventually(async () => (await statusOf(agent.user.id)) === "online");

    first.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await statusOf(agent.user.id)).toBe("online");

    second.disconnect();
    await eventually(async () => (await statusOf(agent.user.id)) === "offline");
  });

  it("does not lose a reconnect within the grace period", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    await eventually(async () => (await statusOf(agent.user.id)) === "online");
    socket.disconnect();
    await h.socket({ token: agent.token });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await statusOf(agent.user.id)).toBe("online");
  });

  it("keeps an away user away when they connect", async () => {
    const agent = await h.as("agent");
    await agent.put(`/api/users/${agent.user.id}/status`, { status: "away" });
    await h.socket({ token: agent.token });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf(agent.user.id)).toBe("away");
  });
});
