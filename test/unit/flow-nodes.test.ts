// Every node type: its configuration checks, and what it does when run, through
// a host that records the effects (no broker, no database).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { validateGraph, type FlowGraph } from "../../lib/flows/graph";
import { guardedRequest } from "../../lib/flows/http";
import { isPrivateAddress } from "../../lib/net/guarded-fetch";
import type { FlowEffects, FlowInput } from "../../lib/flows/node-type";
import { NODE_TYPES } from "../../lib/flows/registry";
import { deliverInput, deliverTimer, startFlow, type FlowHost, type FlowState, type LoadedFlow } from "../../lib/flows/runtime";
import { parseNumber } from "../../lib/flows/nodes/ask_number";
import { parseDate } from "../../lib/flows/nodes/ask_date";
import { compare } from "../../lib/flows/nodes/kit/compare";
import { matchesKeyword } from "../../lib/flows/triggers";

type Effect = [string, unknown];

let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end();
      return;
    }
    const status = req.url === "/fail" ? 500 : 200;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ ok: status === 200, path: req.url, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Runs a linear flow made of `nodes` (start → each in turn), feeding `replies`. */
async function run(
  nodes: Array<{ id?: string; type: string; data?: Record<string, unknown> }>,
  options: { replies?: string[]; inputs?: FlowInput[]; edges?: FlowGraph["edges"]; flows?: Record<string, LoadedFlow>; random?: number } = {},
) {
  const effects: Effect[] = [];
  const timers: Array<{ token: string; seconds: number; reason: string }> = [];
  const record = (name: string) => async (value?: unknown) => void effects.push([name, value]);
  const graphNodes = [
    { id: "start", type: "start", data: {} },
    ...nodes.map((node, i) => ({ id: node.id ?? `n${i}`, type: node.type, data: node.data ?? {} })),
  ];
  const edges = options.edges ?? graphNodes.slice(1).map((node, i) => ({ id: `e${i}`, source: graphNodes[i]!.id, target: node.id }));
  const { graph } = validateGraph({ nodes: graphNodes, edges });
  const flow: LoadedFlow = { flow_id: "f1", flow_version_id: "v1", graph };
  const versions: Record<string, LoadedFlow> = { v1: flow, ...Object.fromEntries(Object.values(options.flows ?? {}).map((f) => [f.flow_version_id, f])) };
  const fx: FlowEffects = {
    send: record("send"),
    handoff: record("handoff"),
    addTags: record("addTags"),
    removeTags: record("removeTags"),
    updateContact: record("updateContact"),
    setPriority: record("setPriority"),
    addNote: record("addNote"),
    setCsat: record("setCsat"),
    resolve: record("resolve"),
    http: (request) => guardedRequest(request, ["127.0.0.1"]),
    odoo: async (action) => {
      throw new Error(`odoo.${action} is not available`);
    },
    queueCalendar: async (queueId) => (queueId === "00000000-0000-4000-8000-000000000001" ? { schedule: null, timezone: "UTC", holidays: [] } : undefined),
  };
  const host: FlowHost = {
    effects: fx,
    contact: { name: "Juan", phone_number: "+525511112222", email: null, company: null },
    conversationId: "c1",
    now: () => new Date("2026-11-27T12:00:00Z"),
    random: () => options.random ?? 0.5,
    stepLimit: 50,
    loadFlow: async (id) => options.flows?.[id],
    loadVersion: async (id) => versions[id],
    armTimer: async (token, seconds, reason) => void timers.push({ token, seconds, reason }),
    disarmTimer: async () => undefined,
    persist: async () => undefined,
  };
  let counter = 0;
  const text = (value: string): FlowInput => ({ message_id: `m${++counter}`, type: "text", text: value, metadata: {}, media_url: null });
  let state: FlowState = await startFlow(host, flow, text("Hola"));
  for (const input of [...(options.replies ?? []).map(text), ...(options.inputs ?? [])]) state = await deliverInput(host, state, input);
  const sends = () =>
    effects.filter(([name]) => name === "send").map(([, value]) => value as { type: string; content: string; metadata: Record<string, unknown>; key: string });
  return { state, effects, timers, sends, host, fire: async () => (state = await deliverTimer(host, state, timers.at(-1)!.token)) };
}

describe("every node type", () => {
  it("has a module with fields, exits and an executor; the catalogue lists 41", () => {
    expect(NODE_TYPES).toHaveLength(41);
    expect(new Set(NODE_TYPES.map((node) => node.type)).size).toBe(41);
  });

  it("refuses a configuration without its required fields, naming the field", () => {
    for (const node of NODE_TYPES) {
      const required = Object.entries(node.fields)
        .filter(([, field]) => field.required)
        .map(([name]) => name);
      if (required.length === 0) continue;
      const graph = {
        nodes: [
          { id: "start", type: "start", data: {} },
          { id: "x", type: node.type, data: {} },
        ],
        edges: [],
      };
      expect(() => validateGraph(graph)).toThrow(expect.objectContaining({ data: expect.objectContaining({ field: `nodes[1].data.${required[0]}` }) }));
    }
  });
});

describe("message nodes", () => {
  it("send text, media, location and contact cards, each with its own idempotency key", async () => {
    const { sends } = await run([
      { type: "send_text", data: { text: "Hola {{contact.name}}" } },
      { type: "send_image", data: { url: "https://x.test/a.jpg", caption: "Foto" } },
      { type: "send_video", data: { url: "https://x.test/a.mp4" } },
      { type: "send_audio", data: { url: "https://x.test/a.ogg" } },
      { type: "send_document", data: { url: "https://x.test/a.pdf", filename: "factura.pdf" } },
      { type: "send_sticker", data: { url: "https://x.test/a.webp" } },
      { type: "send_location", data: { latitude: 19.43, longitude: -99.13, name: "Zócalo" } },
      { type: "send_contact", data: { name: "Ventas", phone: "+525500000000" } },
    ]);
    expect(sends().map((s) => s.type)).toEqual(["text", "image", "video", "audio", "document", "sticker", "location", "contact"]);
    expect(sends()[0]!.content).toBe("Hola Juan");
    expect(sends()[1]).toMatchObject({ content: "Foto", metadata: { media_url: "https://x.test/a.jpg" } });
    expect(sends()[4]!.metadata).toMatchObject({ filename: "factura.pdf" });
    expect(new Set(sends().map((s) => s.key)).size).toBe(8);
    expect(() =>
      validateGraph({
        nodes: [
          { id: "start", type: "start" },
          { id: "i", type: "send_image", data: { url: "ftp://x" } },
        ],
        edges: [],
      }),
    ).toThrow(expect.objectContaining({ data: expect.objectContaining({ field: "nodes[1].data.url" }) }));
  });
});

describe("question nodes", () => {
  const ask = (type: string, data: Record<string, unknown> = {}) => [
    { id: "q", type, data: { text: "¿?", variable: "v", ...data } },
    { id: "ok", type: "send_text", data: { text: "={{vars.v}}" } },
  ];

  it.each([
    ["ask_text", {}, ["  hola  "], "hola"],
    ["ask_number", { min: 1, max: 10 }, ["abc", "20", "7,5"], 7.5],
    ["ask_number", { integer: true }, ["1.234"], 1234],
    ["ask_email", {}, ["no", "Ana@Example.COM"], "ana@example.com"],
    ["ask_phone", { default_country: "MX" }, ["55 1234 5678"], "+525512345678"],
    ["ask_date", {}, ["31/02/2026", "15/03/2026"], "2026-03-15"],
    ["ask_rating", { scale: 5 }, ["9", "⭐⭐⭐⭐"], 4],
  ])("%s stores a valid answer after retrying invalid ones", async (type, data, replies, stored) => {
    const { state, sends, effects } = await run(ask(type, data), { replies });
    expect(state.vars.v).toEqual(stored);
    expect(state.status).toBe("completed");
    expect(sends().filter((s) => s.content.startsWith("No entendí")).length).toBe(replies.length - 1);
    if (type === "ask_rating") expect(effects).toContainEqual(["setCsat", 4]);
  });

  it("leaves by invalid after max_retries, and by timeout when silence lasts", async () => {
    const invalid = await run([{ id: "q", type: "ask_email", data: { text: "¿Email?", variable: "v", max_retries: 1 } }], {
      replies: ["x", "y"],
      edges: [{ id: "e0", source: "start", target: "q" }],
    });
    expect(invalid.state.trace.at(-1)).toEqual({ node_id: "q", type: "ask_email", handle: "invalid" });
    const slow = await run(
      [
        { id: "q", type: "ask_text", data: { text: "¿Nombre?", variable: "v", timeout_seconds: 5 } },
        { id: "late", type: "send_text", data: { text: "¿Sigues ahí?" } },
      ],
      {
        edges: [
          { id: "e0", source: "start", target: "q" },
          { id: "e1", source: "q", sourceHandle: "timeout", target: "late" },
        ],
      },
    );
    expect(slow.timers).toEqual([{ token: expect.any(String), seconds: 5, reason: "timeout" }]);
    await slow.fire();
    expect(slow.sends().at(-1)!.content).toBe("¿Sigues ahí?");
  });

  it("ask_buttons and ask_list take the id, the title or the number, and leave by the option", async () => {
    const buttons = {
      type: "ask_buttons",
      data: {
        text: "¿Qué?",
        variable: "v",
        buttons: [
          { id: "ventas", text: "Ventas" },
          { id: "soporte", text: "Soporte" },
        ],
      },
    };
    const pressed = await run([{ id: "q", ...buttons }], {
      inputs: [{ message_id: "b", type: "button_reply", text: "Soporte", metadata: { button_id: "soporte" }, media_url: null }],
    });
    expect(pressed.state.trace.at(-1)).toMatchObject({ handle: "soporte" });
    expect(pressed.sends()[0]).toMatchObject({ type: "buttons", metadata: { buttons: buttons.data.buttons } });
    expect((await run([{ id: "q", ...buttons }], { replies: ["1"] })).state.vars.v).toBe("ventas");
    const list = {
      type: "ask_list",
      data: {
        text: "Elige",
        variable: "v",
        button_text: "Ver",
        sections: [
          {
            title: "P",
            rows: [
              { id: "laptop", title: "Laptops" },
              { id: "tel", title: "Teléfonos" },
            ],
          },
        ],
      },
    };
    expect((await run([{ id: "q", ...list }], { replies: ["telefonos"] })).state.vars.v).toBe("tel");
    expect(() =>
      validateGraph({
        nodes: [
          { id: "start", type: "start" },
          { id: "q", ...list, data: { ...list.data, sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: "x" })) }] } },
        ],
        edges: [],
      }),
    ).toThrow(expect.objectContaining({ data: expect.objectContaining({ field: "nodes[1].data.sections[0].rows" }) }));
  });

  it("ask_media and ask_location accept only their kind", async () => {
    const media = await run(ask("ask_media", { accept: ["image"] }), {
      inputs: [
        { message_id: "a", type: "audio", text: null, metadata: {}, media_url: "/api/media/a" },
        { message_id: "i", type: "image", text: null, metadata: {}, media_url: "/api/media/i" },
      ],
    });
    expect(media.state.vars.v).toEqual({ message_id: "i", type: "image", url: "/api/media/i" });
    const place = await run(ask("ask_location"), {
      inputs: [{ message_id: "l", type: "location", text: "Casa", metadata: { latitude: 1, longitude: 2 }, media_url: null }],
    });
    expect(place.state.vars.v).toEqual({ latitude: 1, longitude: 2, name: "Casa" });
  });
});

describe("logic nodes", () => {
  it("condition, switch and set_variable", async () => {
    const { state } = await run(
      [
        { id: "set", type: "set_variable", data: { variable: "total", value: "42" } },
        {
          id: "cond",
          type: "condition",
          data: {
            match: "all",
            rules: [
              { left: "{{vars.total}}", op: "gt", right: "40" },
              { left: "{{contact.name}}", op: "starts_with", right: "ju" },
            ],
          },
        },
        {
          id: "sw",
          type: "switch",
          data: {
            value: "{{message.text}}",
            cases: [
              { id: "bye", op: "equals", value: "adiós" },
              { id: "hi", op: "matches", value: "^hol" },
            ],
          },
        },
      ],
      {
        edges: [
          { id: "a", source: "start", target: "set" },
          { id: "b", source: "set", target: "cond" },
          { id: "c", source: "cond", sourceHandle: "true", target: "sw" },
        ],
      },
    );
    expect(state.vars.total).toBe(42);
    expect(state.trace.map((t) => t.handle)).toEqual(["next", "next", "true", "hi"]);
  });

  it("wait arms a durable timer and goes on when it fires", async () => {
    const flow = await run([
      { type: "wait", data: { seconds: 90 } },
      { type: "send_text", data: { text: "ya" } },
    ]);
    expect(flow.state.status).toBe("waiting_timer");
    expect(flow.timers).toEqual([{ token: expect.any(String), seconds: 90, reason: "wait" }]);
    await flow.fire();
    expect(flow.sends().map((s) => s.content)).toEqual(["ya"]);
  });

  it("business_hours by a queue or its own schedule; ab_split by weight; go_to_flow; end", async () => {
    const open = await run([{ type: "business_hours", data: { queue_id: "00000000-0000-4000-8000-000000000001" } }]);
    expect(open.state.trace.at(-1)!.handle).toBe("open");
    const closed = await run([{ type: "business_hours", data: { schedule: { saturday: { start: "09:00", end: "10:00" } }, timezone: "UTC" } }]);
    expect(closed.state.trace.at(-1)!.handle).toBe("closed");
    expect(() =>
      validateGraph({
        nodes: [
          { id: "start", type: "start" },
          { id: "b", type: "business_hours", data: {} },
        ],
        edges: [],
      }),
    ).toThrow(expect.objectContaining({ data: expect.objectContaining({ field: "nodes[1].data.queue_id" }) }));
    const split = {
      type: "ab_split",
      data: {
        branches: [
          { id: "a", weight: 1 },
          { id: "b", weight: 3 },
        ],
      },
    };
    expect((await run([split], { random: 0.1 })).state.trace.at(-1)!.handle).toBe("a");
    expect((await run([split], { random: 0.9 })).state.trace.at(-1)!.handle).toBe("b");
    const other: LoadedFlow = {
      flow_id: "f2",
      flow_version_id: "v2",
      graph: validateGraph({
        nodes: [
          { id: "start", type: "start" },
          { id: "t", type: "send_text", data: { text: "otro flujo" } },
        ],
        edges: [{ source: "start", target: "t" }],
      }).graph,
    };
    const jumped = await run([{ type: "go_to_flow", data: { flow_id: "00000000-0000-4000-8000-0000000000f2" } }], {
      flows: { "00000000-0000-4000-8000-0000000000f2": other },
    });
    expect(jumped.sends().map((s) => s.content)).toEqual(["otro flujo"]);
    expect(jumped.state.flow_version_id).toBe("v2");
    const ended = await run([{ type: "end", data: { resolve: true } }]);
    expect(ended.effects).toEqual([["resolve", null]]);
    expect(ended.state.status).toBe("completed");
  });
});

describe("people and CRM nodes", () => {
  it("hand off, tag, update the contact, prioritise, note and resolve", async () => {
    const { effects, state } = await run([
      { type: "add_tags", data: { tags: ["lead", "{{message.text}}"] } },
      { type: "remove_tags", data: { tags: ["frío"] } },
      { type: "update_contact", data: { email: "", company: "ACME", metadata: { origen: "bot" } } },
      { type: "set_priority", data: { priority: "high" } },
      { type: "add_note", data: { text: "Cliente {{contact.name}}" } },
      { type: "transfer_to_queue", data: { queue_id: "00000000-0000-4000-8000-000000000001", message: "Te paso" } },
    ]);
    expect(effects).toEqual([
      ["addTags", ["lead", "Hola"]],
      ["removeTags", ["frío"]],
      ["updateContact", { company: "ACME", metadata: { origen: "bot" } }],
      ["setPriority", "high"],
      ["addNote", "Cliente Juan"],
      ["send", expect.objectContaining({ content: "Te paso" })],
      ["handoff", { queueId: "00000000-0000-4000-8000-000000000001" }],
    ]);
    expect(state.status).toBe("handoff");
    expect((await run([{ type: "assign_agent", data: { user_id: "00000000-0000-4000-8000-0000000000aa" } }])).effects).toEqual([
      ["handoff", { userId: "00000000-0000-4000-8000-0000000000aa" }],
    ]);
    expect((await run([{ type: "resolve_conversation", data: { note: "listo" } }])).effects).toEqual([["resolve", "listo"]]);
  });

  it("http_request stores the answer, leaves by success or error, and refuses private addresses", async () => {
    const ok = await run([
      { type: "http_request", data: { method: "POST", url: `${baseUrl}/pedidos/{{contact.name}}`, body: { nombre: "{{contact.name}}" }, save_to: "r" } },
    ]);
    expect(ok.state.vars.r).toEqual({ status: 200, body: { ok: true, path: "/pedidos/Juan", method: "POST" } });
    expect(ok.state.trace.at(-1)!.handle).toBe("success");
    const failed = await run([{ type: "http_request", data: { method: "GET", url: `${baseUrl}/fail`, save_to: "r" } }]);
    expect(failed.state.trace.at(-1)!.handle).toBe("error");
    const redirected = await run([{ type: "http_request", data: { method: "GET", url: `${baseUrl}/redirect`, save_to: "r" } }]);
    expect(redirected.state.vars.r).toMatchObject({ error: expect.stringContaining("private or local") });
    await expect(guardedRequest({ method: "GET", url: baseUrl, headers: {}, body: null, timeoutMs: 1000 }, [])).rejects.toThrow(/private or local/);
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "::ffff:10.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::7f00:1",
    ])
      expect(isPrivateAddress(address)).toBe(true);
    // The same loopback written as an IPv4-mapped IPv6 literal, and a name that resolves to it.
    await expect(
      guardedRequest({ method: "GET", url: baseUrl.replace("127.0.0.1", "[::ffff:127.0.0.1]"), headers: {}, body: null, timeoutMs: 1000 }, []),
    ).rejects.toThrow(/private or local/);
    await expect(
      guardedRequest({ method: "GET", url: baseUrl.replace("127.0.0.1", "localhost"), headers: {}, body: null, timeoutMs: 1000 }, []),
    ).rejects.toThrow(/private or local/);
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
  });
});

describe("Odoo nodes without the Odoo service", () => {
  it.each([
    ["odoo_find_partner", { by: "phone", save_to: "p" }],
    ["odoo_create_partner", { save_to: "p" }],
    ["odoo_list_orders", { save_to: "p" }],
    ["odoo_check_stock", { product: "LAP-01", save_to: "p" }],
    ["odoo_create_lead", { name: "Lead {{contact.name}}", save_to: "p" }],
  ])("%s fails cleanly through its error exit", async (type, data) => {
    const { state } = await run([{ type, data }]);
    expect(state.trace.at(-1)).toMatchObject({ type, handle: "error" });
    expect(state.vars.p_error).toMatch(/not available/);
  });
});

describe("parsing what people write", () => {
  it("numbers, dates, comparisons and keywords", () => {
    expect([parseNumber("1.234,5"), parseNumber("1,234.5"), parseNumber("$ 20"), parseNumber("veinte")]).toEqual([1234.5, 1234.5, 20, undefined]);
    expect([parseDate("2026-02-29"), parseDate("29/02/2028"), parseDate("1/2/2026")]).toEqual([undefined, "2028-02-29", "2026-02-01"]);
    expect([compare("Ácido", "equals", "acido"), compare("10", "gt", "9"), compare("", "is_empty", ""), compare("x", "matches", "(")]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect([matchesKeyword("Precio", "precio"), matchesKeyword("¿el precio?", "precio"), matchesKeyword("¿el precio?", "~precio")]).toEqual([
      true,
      false,
      true,
    ]);
  });
});
