// The console's queues page (/queues) in Chromium against a real engine: an
// admin creates a queue with a split day, an overnight range and a holiday,
// sees the engine's refusal of a bad time on that time's input, adds an agent;
// the engine then holds exactly those hours. A supervisor watches the queue's
// waiting count move when a conversation is transferred into it.
// Screenshots: test-results/console/queues-*.png.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { describeInBrowser, launchChromium, shot as saveShot, watchProblems } from "./support/browser";
import { ADMIN, harness } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const ROOT = path.join(__dirname, "..");

// A page load drops the socket for a moment: with the harness's grace of 0 the engine would mark the user offline meanwhile.
const h = harness({ env: { PRESENCE_GRACE_SECONDS: "30" } });

describeInBrowser("test/console-queues.test.ts")("the queues page in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];

  beforeAll(async () => {
    // Cheap when web/ is unchanged since the last build.
    await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
    browser = await launchChromium();
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
    watchProblems(page, pageProblems);
    await page.goto(url);
    await page.locator("input[autocomplete=username]").fill(email);
    await page.locator("input[type=password]").fill(password);
    await page.keyboard.press("Enter");
    return page;
  }

  /** test-results/console/queues-<name>.png: the viewport, scrolled to `around` if given (a full-page shot would draw the shell's fixed header mid-page). */
  async function shot(page: Page, name: string, around?: Locator): Promise<void> {
    await around?.scrollIntoViewIfNeeded();
    await saveShot(page, `queues-${name}`);
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
    expect((await admin.get("/api/queues")).body.total).toBe(0);

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

    const [queue] = (await admin.get("/api/queues")).body.items;
    expect(queue).toMatchObject({ name: "Ventas nocturnas", sla_first_response: 180, holidays: ["2026-12-25"] });
    expect(queue.business_hours).toEqual({
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
    expect(queue.agents.map((member: { user_id: string; is_supervisor: boolean }) => [member.user_id, member.is_supervisor])).toEqual([[agent.user.id, false]]);

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
