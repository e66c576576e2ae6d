// Writes the console's types of the engine's public contract into a folder:
// rest.gen.ts from an OpenAPI document (GET /api/openapi.json) and
// socket.gen.ts from an AsyncAPI document (GET /api/asyncapi.json).
// test/console.test.ts generates both from what the engine serves and fails when
// the files in web/src/api differ (UPDATE_WEB_TYPES=1 rewrites them).
// Usage: node web/scripts/contract-types.mjs openapi.json asyncapi.json out-dir
import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const [openapiFile, asyncapiFile, outDir] = process.argv.slice(2);
const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const header = (source) => `// Generated from ${source} by web/scripts/contract-types.mjs (UPDATE_WEB_TYPES=1 npx jest test/console.test.ts); do not edit.\n`;

const rest = astToString(await openapiTS(read(openapiFile), { rootTypes: false }));

// The event payloads become the schemas of a document of their own, so the same generator types them.
const asyncapi = read(asyncapiFile);
const messages = asyncapi.components.messages;
const ref = (pointer) => pointer.$ref.split("/").pop();
const serverEvents = [];
const clientEvents = [];
for (const operation of Object.values(asyncapi.operations)) {
  const message = ref(operation.messages[0]);
  if (operation.action === "receive") serverEvents.push(message);
  else clientEvents.push({ name: messages[message].name, payload: message, ack: ref(operation.reply.messages[0]) });
}
const schemas = Object.fromEntries(Object.entries(messages).map(([key, message]) => [key, message.payload]));
const payloads = astToString(
  await openapiTS({ openapi: "3.1.0", info: { title: "events", version: asyncapi.info.version }, paths: {}, components: { schemas } }, { rootTypes: false }),
);
const listing = [
  "/** What the server emits: each event's payload. */",
  `export interface ServerEvents {\n${serverEvents.map((name) => `    ${name}: components["schemas"]["${name}"];`).join("\n")}\n}`,
  "/** What a client emits: each event's payload and the acknowledgement it gets. */",
  `export interface ClientEvents {\n${clientEvents
    .map((event) => `    ${event.name}: { payload: components["schemas"]["${event.payload}"]; ack: components["schemas"]["${event.ack}"] };`)
    .join("\n")}\n}`,
  "",
].join("\n");

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, "rest.gen.ts"), header("GET /api/openapi.json") + rest);
fs.writeFileSync(path.join(outDir, "socket.gen.ts"), header("GET /api/asyncapi.json") + payloads + listing);
