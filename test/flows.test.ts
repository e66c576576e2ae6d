// /api/flows: versions, validation with paths, duplicate, toggle, the catalogue and the sandbox.
import { database } from "../lib/db/connection";
import { harness, type Client } from "./support/harness";
import { queueWith } from "./support/inbox";
import { loopFlow, menuFlow } from "./fixtures/flows";

const h = harness();
let admin: Client;
let queueId: string;

beforeAll(async () => {
  admin = await h.admin();
  queueId = await queueWith([]);
});

const create = (body: Record<string, unknown>) =>
  admin.post("/api/flows", { name: "Bienvenida", trigger_type: "welcome", trigger_value: null, nodes: menuFlow(queueId), ...body });

describe("flows over REST", () => {
  it("creates a flow, and versions it only when its graph changes", async () => {
    const res = await create({ description: "Flujo de bienvenida para nuevos contactos", is_active: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Bienvenida",
      trigger_type: "welcome",
      is_active: true,
      version: 1,
      warnings: [],
      nodes: { nodes: expect.any(Array), edges: expect.any(Array) },
    });
    const id = res.body.id;
    expect((await admin.put(`/api/flows/${id}`, { nodes: menuFlow(queueId) })).body.version).toBe(1);
    const changed = menuFlow(queueId);
    changed.nodes[1]!.data = { text: "¡Buenas!" };
    const v2 = await admin.put(`/api/flows/${id}`, { nodes: changed, name: "Bienvenida 2" });
    expect(v2.body).toMatchObject({ version: 2, name: "Bienvenida 2" });
    const versions = await database()("flow_versions").where({ flow_id: id }).orderBy("version");
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    await expect(
      database()("flow_versions")
        .where({ id: versions[0]!.id })
        .update({ graph: { nodes: [], edges: [] } }),
    ).rejects.toThrow(/immutable/);
  });

  it("duplicates as an inactive copy, and toggles", async () => {
    const original = (await create({ name: "Ventas", is_active: true })).body;
    const copy = await admin.post(`/api/flows/${original.id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ name: "Ventas (copia)", is_active: false, version: 1, nodes: original.nodes });
    expect((await admin.put(`/api/flows/${copy.body.id}/toggle`)).body.is_active).toBe(true);
    expect((await admin.put(`/api/flows/${copy.body.id}/toggle`)).body.is_active).toBe(false);
  });

  it("answers 422 with the path of what is wrong in the graph", async () => {
    const graph = () => menuFlow(queueId) as { nodes: Array<Record<string, any>>; edges: Array<Record<string, any>> };
    const cases: Array<[(g: ReturnType<typeof graph>) => void, string]> = [
      [(g) => (g.nodes[1]!.type = "send_fax"), "nodes[1].type"],
      [(g) => (g.nodes[1]!.data = {}), "nodes[1].data.text"],
      [(g) => (g.nodes[2]!.data.buttons = [1, 2, 3, 4].map((i) => ({ id: `b${i}`, text: "B" }))), "nodes[2].data.buttons"],
      [
        (g) =>
          (g.nodes[2]!.data.buttons = [
            { id: "a", text: "A" },
            { id: "a", text: "B" },
          ]),
        "nodes[2].data.buttons",
      ],
      [(g) => (g.nodes[3]!.data.queue_id = "cola"), "nodes[3].data.queue_id"],
      [(g) => (g.edges[0]!.target = "nowhere"), "edges[0].target"],
      [(g) => (g.edges[2]!.sourceHandle = "compras"), "edges[2].sourceHandle"],
      [(g) => g.edges.push({ id: "e9", source: "hello", target: "name" }), "edges[5].sourceHandle"],
      [(g) => g.nodes.push({ id: "start2", type: "start", data: {} }), "nodes"],
      [(g) => (g.nodes[4]!.id = "hello"), "nodes[4].id"],
    ];
    for (const [breakIt, field] of cases) {
      const g = graph();
      breakIt(g);
      const res = await create({ nodes: g });
      expect([res.status, res.body.detail?.field]).toEqual([422, field]);
    }
    const keyword = await create({ trigger_type: "keyword", trigger_value: " , " });
    expect([keyword.status, keyword.body.detail.field]).toEqual([422, "trigger_value"]);
    const orphan = menuFlow(queueId);
    orphan.edges = orphan.edges.filter((edge) => edge.id !== "e5");
    expect((await create({ nodes: orphan })).body.warnings).toEqual(['nodes[5] ("thanks") cannot be reached from start']);
  });

  it("lets only admins and supervisors read and edit flows; everyone signed in reads the catalogue", async () => {
    const agent = await h.as("agent");
    const supervisor = await h.as("supervisor");
    expect((await agent.post("/api/flows", { name: "x", trigger_type: "manual", nodes: loopFlow() })).status).toBe(403);
    const created = await supervisor.post("/api/flows", { name: "x", trigger_type: "manual", nodes: loopFlow() });
    expect(created.status).toBe(201);
    expect((await h.request("GET", "/api/flows")).status).toBe(401);
    // Flows are configuration: their nodes may hold secrets (http_request headers), so agents do not read them.
    for (const url of ["/api/flows", `/api/flows/${created.body.id}`]) {
      const res = await agent.get(url);
      expect([url, res.status, res.body.detail?.code]).toEqual([url, 403, "FORBIDDEN"]);
      expect([url, (await supervisor.get(url)).status]).toEqual([url, 200]);
    }
    const types = await agent.get("/api/flows/node-types");
    expect(types.status).toBe(200);
    expect(types.body.items).toHaveLength(41);
    expect(types.body.items.find((t: { type: string }) => t.type === "ask_buttons")).toMatchObject({
      category: "questions",
      handles: ["<button id>", "invalid", "timeout"],
      schema: { type: "object", required: expect.arrayContaining(["text", "variable", "buttons"]) },
    });
  });
});

describe("the flow sandbox", () => {
  it("returns the transcript, variables and trace of flows.md", async () => {
    const flow = (await create({ name: "Menú", trigger_type: "manual" })).body;
    const res = await admin.post(`/api/flows/${flow.id}/test`, { phone_number: "+525551234567", initial_message: "Hola", replies: ["quién sabe", "2", "Ana"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "completed", variables: { menu: "soporte", nombre: "Ana" } });
    expect(res.body.transcript.map((t: { direction: string; content: string }) => `${t.direction}: ${t.content}`)).toEqual([
      "in: Hola",
      "out: ¡Hola !",
      "out: ¿Qué necesitas?",
      "in: quién sabe",
      "out: No entendí tu respuesta. ¿Puedes intentarlo de nuevo?",
      "in: 2",
      "out: ¿Cómo te llamas?",
      "in: Ana",
      "out: Gracias, Ana.",
    ]);
    expect(res.body.trace).toEqual([
      { node_id: "start", type: "start", handle: "next" },
      { node_id: "hello", type: "send_text", handle: "next" },
      { node_id: "menu", type: "ask_buttons", handle: null },
      { node_id: "menu", type: "ask_buttons", handle: "soporte" },
      { node_id: "name", type: "ask_text", handle: null },
      { node_id: "name", type: "ask_text", handle: "next" },
      { node_id: "thanks", type: "send_text", handle: "next" },
    ]);
    const handoff = await admin.post(`/api/flows/${flow.id}/test`, { phone_number: "+525551234567", initial_message: "Hola", replies: ["Ventas"] });
    expect(handoff.body.status).toBe("handoff");
    const waiting = await admin.post(`/api/flows/${flow.id}/test`, { phone_number: "+525551234567", initial_message: "Hola" });
    expect(waiting.body.status).toBe("waiting_input");
  });

  it("stops a two-node loop at the step limit", async () => {
    const flow = (await admin.post("/api/flows", { name: "Bucle", trigger_type: "manual", nodes: loopFlow() })).body;
    const res = await admin.post(`/api/flows/${flow.id}/test`, { phone_number: "+525551234567", initial_message: "Hola" });
    expect(res.body).toMatchObject({ status: "error", error: expect.stringContaining("Step limit of 50") });
    expect(res.body.trace).toHaveLength(50);
  });
});
