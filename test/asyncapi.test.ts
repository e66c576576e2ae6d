// GET /api/asyncapi.json: a valid AsyncAPI 3.0 document of every Socket.IO
// event, the same declarations the gateway emits through (and the test
// harness checks every socket event of the suite against it).
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { CLIENT_EVENTS, SOCKET_EVENTS } from "../lib/contract/events";
import { harness } from "./support/harness";

// The official JSON Schema of AsyncAPI 3.0.0, as the AsyncAPI initiative publishes it.
const { schemas } = require("@asyncapi/specs") as { schemas: Record<string, object> };

const h = harness();
const ROOT = path.join(__dirname, "..");

type Doc = {
  asyncapi: string;
  channels: { socket: { messages: Record<string, { $ref: string }> } };
  operations: Record<string, { action: string; messages: Array<{ $ref: string }> }>;
  components: { messages: Record<string, { name: string; payload: object }> };
};

describe("the AsyncAPI document", () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await h.request<Doc>("GET", "/api/asyncapi.json");
    expect(res.status).toBe(200);
    doc = res.body;
  });

  it("is valid AsyncAPI 3.0", () => {
    // The schema carries its own copy of the draft-07 meta-schema: Ajv's would clash with it.
    const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(schemas["3.0.0"]!);
    const valid = validate(doc);
    expect(valid ? [] : validate.errors?.slice(0, 5)).toEqual([]);
    expect(doc.asyncapi).toBe("3.0.0");
  });

  it("has every event the server emits and every one a client sends, each with its payload schema", () => {
    for (const name of Object.keys(SOCKET_EVENTS)) {
      expect([name, doc.components.messages[name]?.payload]).toEqual([name, expect.objectContaining({ type: "object" })]);
      expect(doc.operations[`hear_${name}`]).toMatchObject({ action: "receive" });
    }
    for (const name of Object.keys(CLIENT_EVENTS)) {
      expect(doc.operations[`send_${name}`]).toMatchObject({ action: "send", reply: expect.any(Object) });
      expect(doc.components.messages[`${name}_ack`]).toBeDefined();
    }
    // The seed's events, with their payloads.
    expect(doc.components.messages.new_message!.payload).toMatchObject({ required: ["conversation_id", "message"] });
    expect(doc.components.messages.message_status!.payload).toMatchObject({ properties: { status: { enum: expect.arrayContaining(["delivered", "read"]) } } });
  });

  it("declares only events the gateway emits, and docs/api.md names each of them", () => {
    const sources = ["mixins", "services", "lib"].flatMap((dir) => filesIn(path.join(ROOT, dir))).map((file) => fs.readFileSync(file, "utf8"));
    const emitted = new Set(sources.flatMap((source) => [...source.matchAll(/toSockets\([^;]*?, "(\w+)", /g)].map((match) => match[1])));
    expect([...emitted].sort()).toEqual(Object.keys(SOCKET_EVENTS).sort());
    const api = fs.readFileSync(path.join(ROOT, "docs", "api.md"), "utf8");
    for (const name of [...Object.keys(SOCKET_EVENTS), ...Object.keys(CLIENT_EVENTS)]) expect([name, api.includes(`\`${name}\``)]).toEqual([name, true]);
    expect(api).toContain("/api/asyncapi.json");
  });
});

function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesIn(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}
