// The inbox page (/inbox) in Chromium against a real broker: an agent sees a
// conversation arrive live, reads it, answers with a quick reply through `/`,
// sees the receipt ticks change as WhatsApp reports them, adds an internal note
// and resolves it. Screenshots go to test-results/console/inbox-*.png.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { describeInBrowser, launchChromium, shot, watchProblems } from "./support/browser";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const ROOT = path.join(__dirname, "..");
const run = promisify(execFile);
// A page load drops the socket for a moment: with the harness's grace of 0 the engine would mark the agent offline meanwhile.
const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0", PRESENCE_GRACE_SECONDS: "30" } });
let admin: Client;
let accountId: string;

beforeAll(async () => {
  // Cheap when web/ is unchanged since the last build.
  await run(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
  admin = await h.admin();
  accountId = await connectedAccount(admin);
}, 120_000);

describeInBrowser("test/console-inbox.test.ts")("the inbox page", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${h.baseUrl}/inbox`);
    await page.getByRole("textbox", { name: "Email" }).fill(email);
    await page.getByRole("textbox", { name: "Password" }).fill("password-123");
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  /** The simulated phone got the agent's answer: WhatsApp reports it delivered, then read. */
  async function phoneReads(phone: string, content: string): Promise<void> {
    const onPhone = await eventually(async () => {
      const sent = await admin.api.get("/api/simulator/accounts/{id}/outbound", { path: { id: accountId }, query: { to: phone } });
      return (sent.body as Array<{ wa_message_id: string; content: string | null }>).find((message) => message.content === content);
    });
    for (const status of ["delivered", "read"] as const) {
      await admin.api.post("/api/simulator/accounts/{id}/receipts", { path: { id: accountId }, body: { wa_message_id: onPhone.wa_message_id, status } });
    }
  }

  it("lets an agent take a conversation from its arrival to its resolution", async () => {
    const agent = await h.as("agent", "Ana Agente");
    const queue = await queueWith([{ id: agent.user.id }], "Soporte");
    // Deadlines to count down: ten minutes for the first answer, an hour to resolve.
    await admin.api.put("/api/queues/{id}", { path: { id: queue }, body: { sla_first_response: 600, sla_resolution: 3600 } });
    await admin.api.post("/api/quick-replies", { body: { shortcut: "/saludo", content: "Hola {{contact.name}}, soy {{agent.name}}. ¿En qué te ayudo?" } });
    const page = await browser.newPage({ locale: "en-US", viewport: { width: 1440, height: 900 } });
    // A step that does not happen fails on its own line, well within the test's time.
    page.setDefaultTimeout(8_000);
    const problems: string[] = [];
    watchProblems(page, problems);

    await signIn(page, agent.user.email);
    await page.getByText("No conversations here yet").waitFor();
    await shot(page, "inbox-empty");

    // A customer writes; the bot hands the conversation to the agent's queue: it appears without a reload.
    const phone = "+525512340001";
    const id = await customerWrites(admin, accountId, phone, "Hola, ¿tienen envíos a Puebla?", "Lucía");
    await admin.api.post("/api/conversations/{id}/transfer", { path: { id }, body: { queue_id: queue } });
    const row = page.getByRole("link", { name: "Lucía" });
    await row.waitFor();
    await page.getByText("Hola, ¿tienen envíos a Puebla?").waitFor();
    // Written again while the agent has it closed: it is marked unread.
    await customerWrites(admin, accountId, phone, "¿Hay alguien?");
    await page.getByRole("link", { name: "Lucía, unread messages" }).waitFor();
    await page.getByText("First response ·").first().waitFor();
    await shot(page, "inbox-arrived");

    await page.getByRole("link", { name: "Lucía, unread messages" }).click();
    await page.waitForURL(`**/inbox/${id}`);
    const timeline = page.getByRole("log", { name: "Messages" });
    await timeline.getByText("Hola, ¿tienen envíos a Puebla?").waitFor();
    await timeline.getByText("¿Hay alguien?").waitFor();
    await row.waitFor();

    // `/` and the start of the shortcut list the quick replies; Enter puts the rendered reply in the box, Enter again sends it.
    const composer = page.getByRole("textbox", { name: "Message to the customer" });
    await composer.fill("/sal");
    await page.getByRole("option", { name: /\/saludo/ }).waitFor();
    await shot(page, "inbox-quick-reply");
    await composer.press("Enter");
    const answer = "Hola Lucía, soy Ana Agente. ¿En qué te ayudo?";
    await eventually(async () => (await composer.inputValue()) === answer);
    await composer.press("Enter");
    const sent = timeline.locator('[data-testid="message"]', { hasText: answer });
    await sent.waitFor();
    await sent.locator('[data-testid="receipt"][data-status="sent"], [data-testid="receipt"][data-status="delivered"]').waitFor();
    await phoneReads(phone, answer);
    await sent.getByLabel("Read").waitFor();

    // An internal note: only the team sees it, shown apart.
    await page.getByRole("switch", { name: "Internal note" }).check();
    await page.getByRole("textbox", { name: "Internal note for the team" }).fill("Pedir el código postal");
    await page.getByRole("button", { name: "Add note" }).click();
    await timeline.locator('[data-testid="message"][data-note="true"]', { hasText: "Pedir el código postal" }).waitFor();
    await shot(page, "inbox-conversation");

    // Resolving asks once more, with an optional note.
    await page.getByRole("button", { name: "Resolve" }).click();
    const dialog = page.getByRole("dialog", { name: "Resolve the conversation" });
    await dialog.getByRole("textbox", { name: /Resolution note/ }).fill("Envíos confirmados");
    await dialog.getByRole("button", { name: "Resolve" }).click();
    await page.getByText("This conversation is resolved").waitFor();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    await shot(page, "inbox-resolved");
    const resolved = (await admin.get(`/api/conversations/${id}`)).body;
    expect([resolved.status, resolved.resolution_note]).toEqual(["resolved", "Envíos confirmados"]);

    // The same screen in Spanish.
    // A segmented control's radios are drawn as labels: focused and chosen by keyboard.
    await page.getByRole("radio", { name: "Español" }).focus();
    await page.keyboard.press("Space");
    await page.getByText("Esta conversación está resuelta").waitFor();
    await shot(page, "inbox-resolved-es");

    expect(problems).toEqual([]);
    await page.close();
  }, 45_000);
});
