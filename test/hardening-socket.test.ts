// Socket.IO: a payload no handler may walk is refused like a REST body, and a
// socket does not outlive the access token it connected with.
import { harness, tokenExpiringIn } from "./support/harness";

const h = harness();

describe("client event payloads", () => {
  it("refuses a deeply nested payload in the error format and stays up", async () => {
    const admin = await h.admin();
    const socket = await h.socket({ token: admin.token });
    // Written as a raw Socket.IO packet (event with acknowledgement 99; the engine adds its own message prefix): the client library itself cannot encode it.
    const deep = `${"[".repeat(5_000)}"x"${"]".repeat(5_000)}`;
    const engine = socket.io.engine;
    const answer = new Promise<unknown>((resolve) => {
      engine.on("packet", (packet: { type: string; data?: unknown }) => {
        if (packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("399")) resolve(JSON.parse(packet.data.slice(3))[0]);
      });
    });
    engine.write(`299["join_conversation",{"conversation_id":${deep}}]`);
    expect(await answer).toMatchObject({ ok: false, detail: { code: "VALIDATION_ERROR", field: expect.stringMatching(/^conversation_id\[0\]/) } });
    expect(socket.connected).toBe(true);
    expect((await h.request("GET", "/api/health")).status).toBe(200);
  });

  it("refuses NUL characters in payload keys", async () => {
    const admin = await h.admin();
    const socket = await h.socket({ token: admin.token });
    const answer = await socket.timeout(2_000).emitWithAck("typing", { "conversation_id\u0000": "x" });
    expect(answer).toMatchObject({ ok: false, detail: { code: "VALIDATION_ERROR" } });
  });
});

describe("token expiry", () => {
  it("tells the socket its token expired and disconnects it", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: tokenExpiringIn(agent.token, 2) });
    const told = new Promise((resolve) => socket.once("token_expired", resolve));
    const closed = new Promise((resolve) => socket.once("disconnect", resolve));
    await expect(told).resolves.toEqual({ reason: "token_expired" });
    await closed;
    expect(socket.connected).toBe(false);
    // The same token is refused by REST too.
    expect((await h.request("GET", "/api/auth/me", { token: tokenExpiringIn(agent.token, -1) })).status).toBe(401);
  });
});
