// The console's queues page (/queues) in Chromium against a real engine: an
// admin creates a queue with a split day, an overnight range and a holiday,
// sees the engine's refusal of a bad time on that time's input, adds an agent;
// the engine then holds exactly those hours. A supervisor watches the queue's
// waiting count move when a conversation is transferred into it.
// Screenshots: test-results/console/queues-*.png.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { ADMIN, harness } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const ROOT = path.join(__dirname, "..");
const SHOTS = path.join(ROOT, "test-results", "console");
const CHROMIUM = "/usr/bin/chromium";

// A page load drops the socket for a moment: with the harness's grace of 0 the engine would mark the user offline meanwhile.
const h = harness({ env: { PRESENCE_GRACE_SECONDS: "30" } });

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) console.warn(`test/console-queues.test.ts: no Chromium at ${CHROMIUM} (apt-get install chromium); skipped.`);
const inBrowser = haveChromium || process.env.CI ? describe : describe.skip;

inBrowser("the queues page in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`Chromium is needed at ${CHROMIUM} for the console's browser tests (apt-get install chromium).`);
    // Cheap when web/ is unchanged since the last build.
    await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(pageProblems.splice(0)).toEqual([]);
  });

  /** A signed-in tab on `url`, in the browser language `locale`. */
  async function signedIn(locale: string, email: string, password: string, url: string): Promise<Page> {
    const context = await browser.newContext({ locale, baseURL: h.baseUrl, viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (err) => pageProblems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      // The refused save shows as a failed resource: the test expects it.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageProblems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    await page.locator("input[autocomplete=username]").fill(email);
    await page.locator("input[type=password]").fill(password);
    await page.keyboard.press("Enter");
    return page;
  }

  /** The viewport, scrolled to `around` if given (a full-page shot would draw the shell's fixed header mid-page). */
  async function shot(page: Page, name: string, around?: Locator): Promise<void> {
    await around?.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `queues-${name}.png`) });
  }

  it("lets an admin create a queue with split and overnight hours and a holiday, shows the engine's field error, and adds an agent", async () => {
    const agent = await h.as("agent", "Ana Agente");
    const page = await signedIn("en-US", ADMIN.email, ADMIN.password, "/queues");
    await page.getByText("There are no queues yet.").waitFor();
    await shot(page, "empty-en");

    await page.getByRole("link", { name: "New queue" }).click();
    await page.getByRole("heading", { name: "New queue" }).waitFor();
    await page.getByLabel("Name").fill("Ventas nocturnas");
    await page.getByLabel("First response SLA (minutes)").fill("3");
    // Hours on (Monday to Friday, 09:00–18:00 to start from): Monday split, Friday overnight.
    await page.getByRole("switch", { name: "Always open" }).click();
    await page.getByLabel("Monday, range 1: closes").fill("13:00");
    await page.getByRole("button", { name: "Add range: Monday" }).click();
    await page.getByLabel("Monday, range 2: opens").fill("15:00");
    await page.getByLabel("Monday, range 2: closes").fill("19:00");
    await page.getByLabel("Friday, range 1: opens").fill("22:00");
    await page.getByLabel("Friday, range 1: closes").fill("06:00");
    await page.getByLabel("Friday, range 1: ends next day").check();
    await page.getByRole("button", { name: "Add holiday" }).click();
    await page.getByLabel("Holiday 1", { exact: true }).fill("2026-12-25");

    // A time that is no time: the engine's message on that input, and nothing created.
    const tuesday = page.getByLabel("Tuesday, range 1: opens");
    await tuesday.fill("25:00");
    await page.getByRole("button", { name: "Create queue" }).click();
    const refusal = page.getByRole("group", { name: "Tuesday" }).getByText("business_hours.tuesday.start");
    await refusal.waitFor();
    expect(await tuesday.getAttribute("aria-invalid")).toBe("true");
    expect(await tuesday.getAttribute("aria-describedby")).toBe(await refusal.getAttribute("id"));
    await shot(page, "field-error-en", refusal);
    const admin = await h.admin();
    expect((await admin.api.get("/api/queues")).body.total).toBe(0);

    await tuesday.fill("09:00");
    await page.getByRole("button", { name: "Create queue" }).click();
    // Created: on to its members.
    await page.getByRole("heading", { name: "Ventas nocturnas" }).waitFor();
    await page.getByRole("tab", { name: "Members (0)", selected: true }).waitFor();
    await page.getByRole("combobox", { name: "User" }).fill("Ana");
    await page.getByRole("option", { name: /Ana Agente/ }).click();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("tab", { name: "Members (1)" }).waitFor();
    await page.getByRole("row", { name: /Ana Agente/ }).waitFor();
    await shot(page, "members-en");

    const [queue] = (await admin.api.get("/api/queues")).body.items;
    expect(queue).toMatchObject({ name: "Ventas nocturnas", sla_first_response: 180, holidays: ["2026-12-25"] });
    expect(queue!.business_hours).toEqual({
      monday: [
        { start: "09:00", end: "13:00" },
        { start: "15:00", end: "19:00" },
      ],
      tuesday: { start: "09:00", end: "18:00" },
      wednesday: { start: "09:00", end: "18:00" },
      thursday: { start: "09:00", end: "18:00" },
      friday: { start: "22:00", end: "06:00", overnight: true },
      saturday: null,
      sunday: null,
    });
    expect(queue!.agents.map((member) => [member.user_id, member.is_supervisor])).toEqual([[agent.user.id, false]]);

    // The settings read back as saved.
    await page.getByRole("tab", { name: "Settings" }).click();
    expect(await page.getByLabel("Monday, range 2: closes").inputValue()).toBe("19:00");
    expect(await page.getByLabel("Friday, range 1: ends next day").isChecked()).toBe(true);
    await shot(page, "settings-en", page.getByLabel("Friday, range 1: ends next day"));
  }, 60_000);

  it("shows a supervisor the waiting count of their queue moving live when a conversation is transferred into it", async () => {
    const admin = await h.admin();
    const supervisor = await h.as("supervisor", "Sara Supervisora");
    const queueId = await queueWith([{ id: supervisor.user.id, supervisor: true }], "Soporte");
    const accountId = await connectedAccount(admin);
    const conversationId = await customerWrites(admin, accountId, "+525511112222", "Hola", "Cliente");

    const page = await signedIn("es-MX", supervisor.user.email, "password-123", "/queues");
    const row = page.getByRole("row", { name: /Soporte/ });
    await row.waitFor();
    await shot(page, "list-es");
    await row.getByRole("link", { name: "Soporte" }).click();
    const waiting = page.getByRole("group", { name: "En espera" });
    await waiting.getByText("0", { exact: true }).waitFor();
    // The socket is up before the move, so what follows comes from it (and not from the 10 s refresh).
    await page.getByRole("status").filter({ hasText: "En vivo" }).waitFor();

    expect((await admin.post(`/api/conversations/${conversationId}/transfer`, { queue_id: queueId })).status).toBe(200);
    await waiting.getByText("1", { exact: true }).waitFor({ timeout: 5_000 });
    await shot(page, "stats-es");
  }, 60_000);
});
