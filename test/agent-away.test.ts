// AGENT_AWAY_POLICY=requeue: an agent who goes away and does not come back in
// time loses the conversations in which the customer waits for their reply.
import { eventually, harness } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";

const h = harness({ env: { AGENT_AWAY_POLICY: "requeue", AGENT_AWAY_GRACE_SECONDS: "1", TIMER_POLL_INTERVAL_MS: "100", WHATSAPP_SEND_INTERVAL_MS: "0" } });

it("returns to the queue, in their place, the conversations awaiting the agent's reply; keeps those awaiting the customer", async () => {
  const admin = await h.admin();
  const accountId = await connectedAccount(admin);
  const queue = (await admin.post("/api/queues", { name: "Soporte", assignment_method: "manual" })).body.id;
  const agent = await h.as("agent");
  await admin.post(`/api/queues/${queue}/agents`, { user_id: agent.user.id });
  const [awaitingAgent, awaitingCustomer] = [await customerWrites(admin, accountId, "+525577700001"), await customerWrites(admin, accountId, "+525577700002")];
  for (const id of [awaitingAgent, awaitingCustomer]) {
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });
    await admin.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id });
  }
  await agent.post(`/api/conversations/${awaitingCustomer}/messages`, { type: "text", content: "¿Me confirmas tu pedido?" });
  const queuedAt = (await admin.get(`/api/conversations/${awaitingAgent}`)).body.queued_at;

  // Away and back within the grace period: nothing moves.
  await admin.put(`/api/users/${agent.user.id}/status`, { status: "away" });
  await admin.put(`/api/users/${agent.user.id}/status`, { status: "online" });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect((await admin.get(`/api/conversations/${awaitingAgent}`)).body.status).toBe("active");

  await admin.put(`/api/users/${agent.user.id}/status`, { status: "offline" });
  await eventually(async () => (await admin.get(`/api/conversations/${awaitingAgent}`)).body.status === "waiting", 5000);
  const requeued = (await admin.get(`/api/conversations/${awaitingAgent}`)).body;
  expect(requeued).toMatchObject({ assigned_to: null, queue: { id: queue }, queued_at: queuedAt });
  expect((await admin.get(`/api/conversations/${awaitingCustomer}`)).body).toMatchObject({ status: "active", assigned_to: { id: agent.user.id } });
  const history = (await admin.get(`/api/conversations/${awaitingAgent}/events`)).body.items;
  expect(history.at(-1)).toMatchObject({
    kind: "unassigned",
    from_status: "active",
    to_status: "waiting",
    actor: null,
    data: { reason: "agent_away", user_id: agent.user.id },
  });
});
