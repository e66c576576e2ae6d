// The console's acceptance test: one engine (with its WhatsApp simulator) and
// three people in their own browsers. The admin sets everything up through the
// pages — users, the queue "Ventas" and its members, a simulated number linked
// by its QR code, a quick reply, a flow drawn on the canvas (start → "¡Hola!" →
// transfer to Ventas) — then a customer writes from the simulator's phone, the
// flow greets them and hands them off; the agent, waiting on the inbox, takes the
// conversation, answers with the quick reply and resolves it, while the
// supervisor watches the queue's figures move.
// Screenshots: test-results/console/journey-*.png (UPDATE_CONSOLE_SCREENSHOTS=1 also copies them into docs/console/).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { describeInBrowser, launchChromium, shot, watchProblems } from "./support/browser";
import { ADMIN, eventually, harness } from "./support/harness";

const ROOT = path.join(__dirname, "..");

// Messages go out at once (no pacing between sends); a page load drops the socket for a moment, which must not mark anyone offline.
const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0", PRESENCE_GRACE_SECONDS: "30" } });

const AGENT = { name: "Ana Agente", email: "ana@ventas.test", password: "ana-clave-123", role: "Agent" };
const SUPERVISOR = { name: "Sofía Supervisora", email: "sofia@ventas.test", password: "sofia-clave-123", role: "Supervisor" };
const NUMBER = "Línea de ventas";
const CUSTOMER = "Carla Cliente";
const SHORTCUT = "/gracias";
const REPLY_TEMPLATE = "Gracias por escribir, {{contact.name}}. Soy {{agent.name}}, de {{queue.name}}.";
const REPLY = `Gracias por escribir, ${CUSTOMER}. Soy ${AGENT.name}, de Ventas.`;
/** Generous: the machine running this may be busy, and each wait ends as soon as the page shows what it waits for. */
const STEP_MS = 15_000;

describeInBrowser("test/console-journey.test.ts")("the console's journey: set up, a customer writes, the flow hands off, an agent answers", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  // One page per person, each in its own context: their sessions (sessionStorage) never mix.
  let admin: Page;
  let agent: Page;
  let supervisor: Page;

  beforeAll(async () => {
    // Cheap when web/ is unchanged since the last build.
    await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  /** A new browser for `who`, in English (stable names to find things by), signed in on `url`. */
  async function signedIn(who: string, url: string, email: string, password: string): Promise<Page> {
    const context = await browser.newContext({ locale: "en-US", baseURL: h.baseUrl, viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(STEP_MS);
    contexts.push(context);
    const page = await context.newPage();
    watchProblems(page, problems, who);
    await page.goto(url);
    await page.getByRole("heading", { name: "Sign in to Charla" }).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("textbox", { name: "Password" }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    return page;
  }

  const go = async (page: Page, link: string, heading = link) => {
    await page.getByRole("navigation").getByRole("link", { name: link }).click();
    await page.getByRole("heading", { name: heading, level: 2 }).first().waitFor();
  };
  const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  /** Presses the mouse on `from` and lets go on `to` in small steps, as a hand would (React Flow follows pointer moves). */
  async function drag(page: Page, from: Locator, to: Locator | { x: number; y: number }): Promise<void> {
    // The palette scrolls: a type low in it is brought into view first.
    await from.scrollIntoViewIfNeeded();
    const start = (await from.boundingBox())!;
    const center = (box: { x: number; y: number; width: number; height: number }) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
    const target = "x" in to ? to : center((await to.boundingBox())!);
    await page.mouse.move(center(start).x, center(start).y);
    await page.mouse.down();
    await page.mouse.move(target.x, target.y, { steps: 12 });
    await page.mouse.up();
  }

  /**
   * One step of the journey. Each builds on the ones before, so after a failure the rest stop at once; a failing
   * step leaves what every open page showed in test-results/console/journey-failed-<who>.png.
   */
  let failed: string | null = null;
  function step(name: string, run: () => Promise<void>, timeout: number): void {
    it(
      name,
      async () => {
        if (failed) throw new Error(`Not run: step "${failed}" failed.`);
        try {
          await run();
        } catch (err) {
          failed = name;
          for (const [who, page] of Object.entries({ admin, agent, supervisor })) if (page) await shot(page, `journey-failed-${who}`).catch(() => undefined);
          // A page that crashed says why in its own console: that is the first thing to read.
          if (problems.length && err instanceof Error) err.message += `\nWhat the pages reported:\n${problems.join("\n")}`;
          throw err;
        }
      },
      timeout,
    );
  }

  /** A queue figure on the queue's page ("Waiting", "Active", …), as the supervisor reads it. */
  const figure = (name: string, value: number) =>
    supervisor.getByRole("group", { name, exact: true }).getByText(String(value), { exact: true }).waitFor({ timeout: STEP_MS });

  step(
    "1. the admin creates the users, the queue Ventas with its members, a simulated number linked by QR, and a quick reply",
    async () => {
      admin = await signedIn("admin", "/users", ADMIN.email, ADMIN.password);
      await admin.getByRole("heading", { name: "Users", level: 2 }).waitFor();

      for (const person of [AGENT, SUPERVISOR]) {
        await admin.getByRole("button", { name: "New user" }).click();
        const dialog = admin.getByRole("dialog", { name: "New user" });
        await dialog.getByRole("textbox", { name: "Email" }).fill(person.email);
        await dialog.getByRole("textbox", { name: "Name" }).fill(person.name);
        await dialog.getByRole("combobox", { name: "Role" }).selectOption({ label: person.role });
        await dialog.getByRole("textbox", { name: "Password" }).fill(person.password);
        await dialog.getByRole("button", { name: "Create user" }).click();
        await dialog.waitFor({ state: "hidden" });
        await admin.getByRole("cell", { name: person.email }).waitFor();
      }
      await shot(admin, "journey-1-users");

      // The queue: manual assignment, so the conversation waits for the agent to take it and the figures show each stage.
      await go(admin, "Queues");
      await admin.getByRole("link", { name: "New queue" }).click();
      await admin.getByRole("textbox", { name: "Name" }).fill("Ventas");
      await admin.getByRole("combobox", { name: "Assignment" }).click();
      await admin.getByRole("option", { name: "Manual" }).click();
      await admin.getByRole("button", { name: "Create queue" }).click();
      await admin.getByRole("heading", { name: "Ventas" }).waitFor();
      await admin.getByRole("tab", { name: "Members (0)", selected: true }).waitFor();
      for (const [index, person] of [AGENT, SUPERVISOR].entries()) {
        await admin.getByRole("combobox", { name: "User" }).fill(person.name.split(" ")[0]!);
        await admin.getByRole("option", { name: new RegExp(person.name) }).click();
        if (person === SUPERVISOR) await admin.getByRole("checkbox", { name: "Supervisor", exact: true }).check();
        await admin.getByRole("button", { name: "Add", exact: true }).click();
        await admin.getByRole("tab", { name: `Members (${index + 1})` }).waitFor();
      }
      expect(await admin.getByRole("checkbox", { name: `${SUPERVISOR.name} supervises this queue` }).isChecked()).toBe(true);
      expect(await admin.getByRole("checkbox", { name: `${AGENT.name} supervises this queue` }).isChecked()).toBe(false);
      await shot(admin, "journey-1-queue");

      // The number: its QR code shows, the simulator's phone scans it, and the card turns connected without a reload.
      await go(admin, "WhatsApp numbers");
      await admin.getByRole("button", { name: "Add a number" }).click();
      const adding = admin.getByRole("dialog", { name: "Add a number" });
      await adding.getByRole("textbox", { name: "Name" }).fill(NUMBER);
      await adding.getByRole("combobox", { name: "Connects through" }).selectOption({ label: "Simulator" });
      await adding.getByRole("button", { name: "Add a number" }).click();
      await adding.waitFor({ state: "hidden" });
      const card = admin.getByRole("article", { name: NUMBER });
      await card.getByText("Waiting for scan").waitFor();
      await card.getByRole("img", { name: `QR code to link ${NUMBER}` }).waitFor();
      await shot(admin, "journey-1-qr");
      await card.getByRole("button", { name: "Scan with this phone" }).click();
      await card.getByText("Connected", { exact: true }).waitFor();
      await card.getByText("+52 55 1234 5678").or(card.getByText("+525512345678")).first().waitFor();
      await shot(admin, "journey-1-connected");

      // A global quick reply, with values filled in for each conversation.
      await go(admin, "Quick replies");
      await admin.getByRole("button", { name: "New quick reply" }).click();
      const replying = admin.getByRole("dialog", { name: "New quick reply" });
      await replying.getByRole("textbox", { name: "Shortcut" }).fill(SHORTCUT);
      await replying.getByRole("textbox", { name: "Text" }).fill(REPLY_TEMPLATE);
      await replying.getByRole("button", { name: "Create" }).click();
      await replying.waitFor({ state: "hidden" });
      await admin.getByRole("cell", { name: SHORTCUT, exact: true }).waitFor();
      await shot(admin, "journey-1-quick-reply");
    },
    120_000,
  );

  step(
    "2. the admin draws the welcome flow on the canvas (start → send ¡Hola! → transfer to Ventas), saves and activates it",
    async () => {
      await go(admin, "Flows");
      await admin.getByRole("button", { name: "New flow" }).click();
      const creating = admin.getByRole("dialog", { name: "New flow" });
      await creating.getByRole("textbox", { name: "Name" }).fill("Bienvenida");
      await creating.getByRole("combobox", { name: "Trigger" }).click();
      await admin.getByRole("option", { name: "Welcome (first message)" }).click();
      await creating.getByRole("button", { name: "Create" }).click();
      await node(admin, "start").waitFor();

      // Dropped from the palette where they are let go, under the start node.
      const canvas = (await admin.getByRole("application", { name: "Flow canvas" }).boundingBox())!;
      const at = (x: number, y: number) => ({ x: canvas.x + x, y: canvas.y + y });
      await drag(admin, admin.getByRole("button", { name: "Add a send_text node" }), at(100, 260));
      await node(admin, "send_text_1").waitFor();
      await drag(admin, admin.getByRole("button", { name: "Add a transfer_to_queue node" }), at(100, 460));
      await node(admin, "transfer_to_queue_1").waitFor();

      await node(admin, "send_text_1").click();
      await admin.getByRole("region", { name: "Settings of node send_text_1" }).getByRole("textbox", { name: "text", exact: true }).fill("¡Hola!");
      await node(admin, "transfer_to_queue_1").click();
      await admin.getByRole("region", { name: "Settings of node transfer_to_queue_1" }).getByRole("combobox", { name: "queue_id", exact: true }).click();
      await admin.getByRole("option", { name: "Ventas" }).click();

      // Exits (below a node) dragged onto entries (on top of the next).
      const exit = (id: string) => node(admin, id).locator('.react-flow__handle.source[data-handleid="next"]');
      const entry = (id: string) => node(admin, id).locator(".react-flow__handle.target");
      await drag(admin, exit("start"), entry("send_text_1"));
      await drag(admin, exit("send_text_1"), entry("transfer_to_queue_1"));
      // Attached rather than visible: a straight vertical edge has no width, which counts as hidden.
      await admin.locator(".react-flow__edge").nth(1).waitFor({ state: "attached" });

      await admin.getByRole("button", { name: "Save" }).click();
      await admin.getByText("Version 2").waitFor();
      // The switch follows the engine's answer, not the click: clicked, then awaited checked.
      await admin.getByRole("switch", { name: "Active" }).click();
      await admin.getByRole("switch", { name: "Active", checked: true }).waitFor();
      await shot(admin, "journey-2-flow");

      // The engine holds what was drawn.
      const api = await h.admin();
      const flows = (await api.get("/api/flows")).body as { items: Array<{ id: string; name: string }> };
      const saved = (await api.get(`/api/flows/${flows.items.find((flow) => flow.name === "Bienvenida")!.id}`)).body;
      expect(saved).toMatchObject({ trigger_type: "welcome", is_active: true });
      const edges = (saved.nodes.edges as Array<{ source: string; target: string }>).map(({ source, target }) => `${source} → ${target}`).sort();
      expect(edges).toEqual(["send_text_1 → transfer_to_queue_1", "start → send_text_1"]);
    },
    90_000,
  );

  step(
    "3. a customer writes from the simulator's phone; the flow greets them and hands them to Ventas, where the agent sees them arrive",
    async () => {
      // The agent waits on the inbox and the supervisor on the queue's page before anything happens (both signing in at once).
      [agent, supervisor] = await Promise.all([
        signedIn("agent", "/inbox", AGENT.email, AGENT.password),
        signedIn("supervisor", "/queues", SUPERVISOR.email, SUPERVISOR.password),
      ]);
      await agent.getByText("No conversations here yet.").waitFor();
      await supervisor.getByRole("link", { name: "Ventas" }).click();
      await supervisor.getByRole("heading", { name: "Ventas" }).waitFor();
      await figure("Waiting", 0);
      await figure("Active", 0);
      await shot(supervisor, "journey-3-supervisor-before");

      await go(admin, "Simulator");
      await admin.getByRole("textbox", { name: "Customer's name" }).fill(CUSTOMER);
      await admin.getByRole("textbox", { name: "Message" }).fill("Buenas tardes, quiero información");
      await admin.getByRole("button", { name: "Send" }).click();
      const phone = admin.getByRole("log", { name: "Chat with the number" });
      await phone.getByText("Buenas tardes, quiero información").waitFor();
      await phone.getByText("¡Hola!", { exact: true }).waitFor();
      await shot(admin, "journey-3-phone");

      // Handed off: it arrives in the agent's list, live, and waits in the queue.
      await agent
        .getByRole("region", { name: "Conversations" })
        .getByRole("link", { name: new RegExp(CUSTOMER) })
        .waitFor();
      await shot(agent, "journey-3-inbox");
      await figure("Waiting", 1);
      await shot(supervisor, "journey-3-supervisor-waiting");
    },
    90_000,
  );

  step(
    "4. the agent takes the conversation, answers with the quick reply (the customer reads it) and resolves it",
    async () => {
      await agent
        .getByRole("region", { name: "Conversations" })
        .getByRole("link", { name: new RegExp(CUSTOMER) })
        .click();
      const conversation = agent.getByRole("region", { name: "Conversation", exact: true });
      const timeline = conversation.getByRole("log", { name: "Messages" });
      await timeline.getByText("Buenas tardes, quiero información").waitFor();
      await timeline.getByText("¡Hola!", { exact: true }).waitFor();
      await conversation.getByRole("button", { name: "Assign to me" }).click();
      await conversation.getByText(`Assigned to ${AGENT.name}`).waitFor();
      await figure("Active", 1);
      await figure("Waiting", 0);

      // `/` and the start of the shortcut list the replies; Enter puts the chosen one in, rendered for this conversation; Enter sends.
      const composer = conversation.getByRole("textbox", { name: "Message to the customer" });
      await composer.click();
      await composer.pressSequentially("/grac");
      await conversation
        .getByRole("listbox", { name: "Quick replies" })
        .getByRole("option", { name: new RegExp(SHORTCUT) })
        .waitFor();
      await shot(agent, "journey-4-quick-reply");
      await composer.press("Enter");
      await expectValue(composer, REPLY);
      await composer.press("Enter");
      await timeline.getByText(REPLY).waitFor();
      await admin.getByRole("log", { name: "Chat with the number" }).getByText(REPLY).waitFor();
      await shot(agent, "journey-4-answered");
      await shot(admin, "journey-4-phone");

      await conversation.getByRole("button", { name: "Resolve" }).click();
      const resolving = agent.getByRole("dialog", { name: "Resolve the conversation" });
      await resolving.getByRole("button", { name: "Resolve" }).click();
      await resolving.waitFor({ state: "hidden" });
      await conversation.getByRole("button", { name: "Reopen" }).waitFor();
      await shot(agent, "journey-4-resolved");
    },
    90_000,
  );

  step(
    "5. the supervisor saw the queue's figures follow: waiting, then active, then resolved today",
    async () => {
      await figure("Active", 0);
      await figure("Waiting", 0);
      await figure("Resolved today", 1);
      await shot(supervisor, "journey-5-supervisor");

      // The engine agrees with what the pages showed.
      const api = await h.admin();
      const list = (await api.get("/api/conversations?status=resolved")).body as {
        items: Array<{ queue: { name: string } | null; assigned_to: { name: string } | null }>;
      };
      expect(list.items.map((item) => [item.queue?.name, item.assigned_to?.name])).toEqual([["Ventas", AGENT.name]]);
      expect(problems).toEqual([]);
    },
    60_000,
  );
});

/** Waits until an input holds exactly `value` (the quick reply is rendered by the engine, so it lands a moment later). */
async function expectValue(input: Locator, value: string): Promise<void> {
  await eventually(async () => (await input.inputValue()) === value, STEP_MS).catch(() => undefined);
  expect(await input.inputValue()).toBe(value);
}
