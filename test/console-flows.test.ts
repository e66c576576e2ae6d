// The console's flow builder (/flows) in Chromium against a real engine: an
// admin creates a flow, drops nodes from the palette onto the canvas, connects
// them by dragging handle to handle, fills their forms, saves and sees the
// engine's refusal on the node and field it names, fixes it, activates the
// flow and chats with it in the sandbox, which lights up the path taken; the
// API then holds exactly the document drawn.
// Screenshots: test-results/console/flows-*.png.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Locator, Page } from "playwright-core";
import { exitsOf, locateProblem, pathOf, toCanvas, toDocument, type FlowDocument, type NodeType } from "../web/src/pages/flows/model";
import { initialConfig, newItem, propertiesOf } from "../web/src/pages/flows/schema";
import { describeInBrowser, launchChromium, shot, watchProblems } from "./support/browser";
import { ADMIN, harness } from "./support/harness";

const ROOT = path.join(__dirname, "..");

// A page load drops the socket for a moment: with the harness's grace of 0 the engine would mark the user offline meanwhile.
const h = harness({ env: { PRESENCE_GRACE_SECONDS: "30" } });

describe("the builder's plain functions", () => {
  const doc: FlowDocument = {
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: {} },
      { id: "menu", type: "ask_buttons", position: { x: 0, y: 100 }, data: { text: "?", variable: "v", buttons: [{ id: "a", text: "A" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "menu" },
      { id: "e2", source: "menu", target: "start", sourceHandle: "a" },
    ],
    viewport: { x: 5, y: 6, zoom: 0.5 },
  };

  it("turn a document into the canvas and back unchanged (the default exit is `next` on the canvas, absent in the document)", () => {
    const canvas = toCanvas(doc);
    expect(canvas.edges.map((edge) => edge.sourceHandle)).toEqual(["next", "a"]);
    expect(canvas.nodes[0]!.deletable).toBe(false);
    expect(toDocument(canvas)).toEqual(doc);
  });

  it("give a node one exit per option of its configuration, wherever the options are nested", () => {
    const type = (handles: string[]) => ({ type: "t", category: "questions", description: "", schema: {}, handles }) satisfies NodeType;
    expect(exitsOf(type(["<button id>", "invalid", "timeout"]), { buttons: [{ id: "yes" }, { id: "no" }] })).toEqual(["yes", "no", "invalid", "timeout"]);
    expect(exitsOf(type(["<row id>"]), { sections: [{ title: "S", rows: [{ id: "r1" }] }, { rows: [{ id: "r2" }] }] })).toEqual(["r1", "r2"]);
    expect(exitsOf(undefined, {})).toEqual(["next"]);
  });

  it("place a save's error on the node (and field) or the edge it names, by position in the document sent", () => {
    expect(locateProblem("nodes[1].data.buttons[0].text", "m", doc)).toEqual({ message: "m", nodeId: "menu", field: "buttons[0].text" });
    expect(locateProblem("edges[1].sourceHandle", "m", doc)).toEqual({ message: "m", edgeId: "e2" });
    expect(locateProblem("trigger_value", "m", doc)).toEqual({ message: "m", flowField: "trigger_value" });
    expect(locateProblem("nodes", "m", doc)).toEqual({ message: "m", flowField: undefined });
  });

  it("follow a sandbox trace along the edges it took", () => {
    const trace = [
      { node_id: "start", type: "start", handle: "next" },
      { node_id: "menu", type: "ask_buttons", handle: null },
    ];
    const path = pathOf(trace, toCanvas(doc).edges);
    expect([[...path.nodes], [...path.edges]]).toEqual([["start", "menu"], ["e1"]]);
  });

  it("read a node type's JSON Schema into form fields, with an id for each new option", () => {
    const schema = {
      type: "object",
      properties: {
        text: { type: "string", maxLength: 4096, "x-template": true },
        queue_id: { type: "string", format: "uuid" },
        scale: { enum: [5, 10] },
        buttons: {
          type: "array",
          maxItems: 3,
          items: { type: "object", properties: { id: { type: "string" }, text: { type: "string" } }, required: ["id", "text"] },
        },
        headers: { type: "object" },
      },
      required: ["text", "scale", "buttons"],
    };
    expect(propertiesOf(schema).map((property) => [property.name, property.required, property.spec.kind])).toEqual([
      ["text", true, "text"],
      ["queue_id", false, "reference"],
      ["scale", true, "enum"],
      ["buttons", true, "list"],
      ["headers", false, "json"],
    ]);
    expect(initialConfig(schema)).toEqual({ scale: 5, buttons: [{ id: "option_1" }] });
    const button = propertiesOf(schema)[3]!.spec;
    expect(button.kind === "list" && newItem(button.item, [{ id: "option_2" }])).toEqual({ id: "option_3" });
  });
});

describeInBrowser("test/console-flows.test.ts")("the flow builder in Chromium", () => {
  let browser: Browser;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    // Cheap when web/ is unchanged since the last build.
    await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  /** Presses the mouse on `from` and lets go on `to` in small steps, as a hand would (React Flow follows pointer moves). */
  async function drag(page: Page, from: Locator, to: Locator | { x: number; y: number }): Promise<void> {
    await from.scrollIntoViewIfNeeded();
    const centre = async (locator: Locator) => {
      const box = (await locator.boundingBox())!;
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    const [start, target] = [await centre(from), "x" in to ? to : await centre(to)];
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(target.x, target.y, { steps: 12 });
    await page.mouse.up();
  }

  /** An exit of a node (a handle below it) dragged onto the entry of another. */
  const connect = (page: Page, source: string, exit: string, target: string) =>
    drag(page, node(page, source).locator(`.react-flow__handle.source[data-handleid="${exit}"]`), node(page, target).locator(".react-flow__handle.target"));

  it("builds, fixes, saves, activates and tries a flow: start → ask with buttons → send text / transfer to a queue", async () => {
    const admin = await h.admin();
    const queue = (await admin.post("/api/queues", { name: "Ventas" })).body as { id: string };

    const context = await browser.newContext({ locale: "en-US", baseURL: h.baseUrl, viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // The refused save is a failed resource, which the watch leaves out.
      watchProblems(page, pageProblems);
      await page.goto("/flows");
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByRole("textbox", { name: "Password" }).fill(ADMIN.password);
      await page.keyboard.press("Enter");
      await page.getByText("No flows yet.").waitFor();

      // Create: name and a keyword trigger, by keyboard.
      await page.getByRole("button", { name: "New flow" }).click();
      await page.getByRole("textbox", { name: "Name" }).fill("Menú");
      await page.getByRole("combobox", { name: "Trigger" }).click();
      await page.getByRole("option", { name: "Keyword" }).click();
      await page.getByRole("textbox", { name: "Keywords" }).fill("menu, ~precio");
      await page.getByRole("button", { name: "Create" }).click();
      await node(page, "start").waitFor();

      // Nodes from the palette: dropped where they are let go.
      const canvas = (await page.getByRole("application", { name: "Flow canvas" }).boundingBox())!;
      const at = (x: number, y: number) => ({ x: canvas.x + x, y: canvas.y + y });
      await drag(page, page.getByRole("button", { name: "Add a ask_buttons node" }), at(150, 250));
      await node(page, "ask_buttons_1").waitFor();
      await drag(page, page.getByRole("button", { name: "Add a send_text node" }), at(20, 470));
      await drag(page, page.getByRole("button", { name: "Add a transfer_to_queue node" }), at(290, 470));
      await node(page, "transfer_to_queue_1").waitFor();

      // The question's form: its text and variable; a second button next to the one a new node starts with.
      await node(page, "ask_buttons_1").click();
      const form = page.getByRole("region", { name: "Settings of node ask_buttons_1" });
      await form.getByRole("textbox", { name: "text", exact: true }).first().fill("What do you need?");
      await form.getByRole("textbox", { name: "variable", exact: true }).fill("menu");
      await form.getByRole("button", { name: "Add to buttons" }).click();
      await form.getByRole("textbox", { name: "text", exact: true }).nth(1).fill("Sales");
      // One exit per button, named by its id: they follow the form.
      await node(page, "ask_buttons_1").locator('.react-flow__handle.source[data-handleid="option_2"]').waitFor();

      await node(page, "send_text_1").click();
      await page
        .getByRole("region", { name: "Settings of node send_text_1" })
        .getByRole("textbox", { name: "text", exact: true })
        .fill("See you soon, {{contact.name}}!");
      await node(page, "transfer_to_queue_1").click();
      const transfer = page.getByRole("region", { name: "Settings of node transfer_to_queue_1" });
      await transfer.getByRole("combobox", { name: "queue_id" }).click();
      await page.getByRole("option", { name: "Ventas" }).click();

      await connect(page, "start", "next", "ask_buttons_1");
      await connect(page, "ask_buttons_1", "option_1", "transfer_to_queue_1");
      await connect(page, "ask_buttons_1", "option_2", "send_text_1");
      // Attached rather than visible: a straight vertical edge has no width, which counts as hidden.
      await page.locator(".react-flow__edge").nth(2).waitFor({ state: "attached" });

      // The second button has no text: the engine refuses the save, and says so on the node and on the field.
      await page.getByRole("button", { name: "Save" }).click();
      await node(page, "ask_buttons_1").locator("[role=alert]").waitFor();
      expect(await node(page, "ask_buttons_1").locator("[data-failed]").count()).toBe(1);
      const field = form.getByRole("textbox", { name: "text", exact: true }).nth(2);
      expect(await field.getAttribute("aria-invalid")).toBe("true");
      await shot(page, "flows-validation-error");
      await field.fill("Support");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("Version 2").waitFor();
      expect(await page.locator("[data-failed]").count()).toBe(0);

      // Switched on at once on the engine (PUT /toggle), not with the next save.
      await page.getByRole("switch", { name: "Active" }).click();
      await page.getByRole("switch", { name: "Active", checked: true }).waitFor();
      await shot(page, "flows-editor");

      // The sandbox: the first message, then a button of the answer; the path lights up.
      await page.getByRole("tab", { name: "Test" }).click();
      await page.getByRole("textbox", { name: "First message" }).fill("menu");
      await page.keyboard.press("Enter");
      await page.getByRole("log", { name: "Conversation" }).getByText("What do you need?").waitFor();
      await page.getByRole("button", { name: "Support" }).click();
      await page.getByText("See you soon, !").waitFor();
      await page.locator('[data-status="completed"]').waitFor();
      expect(await page.locator("[data-visited]").count()).toBe(3);
      expect(await page.locator(".react-flow__edge.animated").count()).toBe(2);
      await shot(page, "flows-sandbox");
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }

    // The engine holds the flow as drawn.
    const list = (await admin.get("/api/flows")).body as { items: { id: string; name: string }[] };
    const saved = (await admin.get(`/api/flows/${list.items.find((flow) => flow.name === "Menú")!.id}`)).body;
    expect(saved).toMatchObject({ trigger_type: "keyword", trigger_value: "menu,~precio", is_active: true, version: 2 });
    const byId = Object.fromEntries((saved.nodes.nodes as { id: string }[]).map((one) => [one.id, one]));
    expect(byId).toEqual({
      start: { id: "start", type: "start", position: { x: 0, y: 0 }, data: {} },
      ask_buttons_1: {
        id: "ask_buttons_1",
        type: "ask_buttons",
        position: expect.any(Object),
        data: {
          text: "What do you need?",
          variable: "menu",
          buttons: [
            { id: "option_1", text: "Sales" },
            { id: "option_2", text: "Support" },
          ],
        },
      },
      send_text_1: { id: "send_text_1", type: "send_text", position: expect.any(Object), data: { text: "See you soon, {{contact.name}}!" } },
      transfer_to_queue_1: { id: "transfer_to_queue_1", type: "transfer_to_queue", position: expect.any(Object), data: { queue_id: queue.id } },
    });
    const edges = (saved.nodes.edges as { source: string; target: string; sourceHandle: string | null }[]).map(({ source, sourceHandle, target }) => [
      source,
      sourceHandle,
      target,
    ]);
    expect(edges.sort()).toEqual([
      ["ask_buttons_1", "option_1", "transfer_to_queue_1"],
      ["ask_buttons_1", "option_2", "send_text_1"],
      ["start", null, "ask_buttons_1"],
    ]);
    expect(saved.nodes.viewport).toEqual({ x: expect.any(Number), y: expect.any(Number), zoom: expect.any(Number) });
  }, 90_000);
});
