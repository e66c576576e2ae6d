// The console's admin pages in Chromium against a real engine (with its
// simulator): an admin adds a simulated WhatsApp number, sees its QR code, and
// sees it turn connected live when the simulator's phone scans it; creates a
// user and gets the engine's refusal of a taken email on the email input; adds
// a quick reply; and chats as a customer on the simulator page, answering the
// buttons an agent sent. Screenshots: test-results/console/{whatsapp,users,quick-replies,odoo,simulator}-*.png.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describeInBrowser, launchChromium, shot, watchProblems } from "./support/browser";
import { ADMIN, eventually, harness } from "./support/harness";

const ROOT = path.join(__dirname, "..");
const CUSTOMER = "+52 55 4444 3333";

// A page load drops the socket for a moment: with the harness's grace of 0 the engine would mark the user offline meanwhile.
const h = harness({ env: { PRESENCE_GRACE_SECONDS: "30" } });

describeInBrowser("test/console-admin-pages.test.ts")("the admin pages in Chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // Cheap when web/ is unchanged since the last build.
    await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
    browser = await launchChromium();
    context = await browser.newContext({ locale: "en-US", baseURL: h.baseUrl, viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
    watchProblems(page, problems);
    await page.goto("/whatsapp");
    await page.locator("input[autocomplete=username]").fill(ADMIN.email);
    await page.locator("input[type=password]").fill(ADMIN.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "WhatsApp numbers" }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  const nav = (name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true }).click();

  it("adds a simulated number, shows its QR code, and turns it connected live when the phone scans it", async () => {
    await page.getByText("There are no WhatsApp numbers yet.", { exact: false }).waitFor();
    await page.getByRole("button", { name: "Add a number" }).click();
    const form = page.getByRole("dialog");
    // Nothing typed: the form says so on the name, without asking the engine.
    await form.getByRole("button", { name: "Add a number" }).click();
    await form.getByText("Give the number a name").waitFor();
    await form.getByLabel("Name").fill("Demo line");
    await form.getByLabel("Connects through").selectOption("simulator");
    await form.getByRole("button", { name: "Add a number" }).click();

    const card = page.getByRole("article", { name: "Demo line" });
    await card.getByRole("img", { name: "QR code to link Demo line" }).waitFor();
    await card.getByText("Waiting for scan").waitFor();
    await shot(page, "whatsapp-qr");

    // The phone scans (the simulator's API, as another admin's phone would): the card follows through the socket alone.
    const admin = await h.admin();
    const account = (await admin.get("/api/whatsapp/accounts")).body.items.find((item: { name: string }) => item.name === "Demo line");
    expect((await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "+52 55 1111 2222" })).status).toBe(200);
    await card.getByText("Connected", { exact: true }).waitFor();
    await card.getByText("+525511112222").waitFor();
    expect(await card.getByRole("img").count()).toBe(0);
    await shot(page, "whatsapp-connected");
  });

  it("creates a user, and shows the engine's refusal of a taken email on the email input", async () => {
    await nav("Users");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    const create = async (email: string, name: string) => {
      await page.getByRole("button", { name: "New user" }).click();
      const form = page.getByRole("dialog");
      await form.getByLabel("Email").fill(email);
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Role").selectOption("supervisor");
      await form.getByRole("textbox", { name: "Password" }).fill("password-123");
      await form.getByRole("button", { name: "Create user" }).click();
      return form;
    };
    await create("laura@charla.test", "Laura Pérez");
    await page.getByRole("cell", { name: "laura@charla.test" }).waitFor();
    expect(
      await page
        .getByRole("row", { name: /Laura Pérez/ })
        .getByRole("cell")
        .nth(2)
        .textContent(),
    ).toBe("Supervisor");

    const form = await create("LAURA@charla.test", "Another Laura");
    const email = form.getByLabel("Email");
    await form.getByText("A user with this email already exists").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    await shot(page, "users-duplicate-email");
    await form.getByRole("button", { name: "Cancel" }).click();
    const admin = await h.admin();
    expect((await admin.get("/api/users?search=laura")).body.total).toBe(1);
  });

  it("adds a quick reply", async () => {
    await nav("Quick replies");
    await page.getByText("No quick reply matches.").waitFor();
    await page.getByRole("button", { name: "New quick reply" }).click();
    const form = page.getByRole("dialog");
    await form.getByLabel("Shortcut").fill("/saludo");
    await form.getByLabel("Text").fill("¡Hola {{contact.name}}! Soy {{agent.name}}.");
    await form.getByRole("button", { name: "Create" }).click();
    await page.getByRole("cell", { name: "/saludo", exact: true }).waitFor();
    await shot(page, "quick-replies-list");
    const admin = await h.admin();
    const [reply] = (await admin.get("/api/quick-replies")).body.items;
    expect([reply?.shortcut, reply?.content, reply?.queue_id]).toEqual(["/saludo", "¡Hola {{contact.name}}! Soy {{agent.name}}.", null]);
  });

  it("chats as a customer on the simulator page, and answers the buttons the engine sent", async () => {
    await nav("Simulator");
    await page.getByRole("heading", { name: "Simulator" }).waitFor();
    await page.getByLabel("Customer's phone").fill(CUSTOMER);
    await page.getByLabel("Customer's name").fill("Pedro");
    const chat = page.getByRole("log", { name: "Chat with the number" });
    await page.getByRole("textbox", { name: "Message" }).fill("Hola, ¿tienen envíos?");
    await page.keyboard.press("Enter");
    await chat.getByText("Hola, ¿tienen envíos?").waitFor();

    // The message reached the engine as Pedro's; an agent answers with buttons, which the phone shows (it polls the simulator).
    const admin = await h.admin();
    const conversation = await eventually(async () =>
      (await admin.get("/api/conversations")).body.items.find((item: { contact: { name: string } }) => item.contact.name === "Pedro"),
    );
    const sent = await admin.post(`/api/conversations/${conversation.id}/messages`, {
      type: "buttons",
      content: "¿A qué ciudad?",
      metadata: {
        buttons: [
          { id: "cdmx", text: "CDMX" },
          { id: "gdl", text: "Guadalajara" },
        ],
      },
    });
    expect(sent.status).toBe(201);
    await chat.getByText("¿A qué ciudad?").waitFor({ timeout: 10_000 });
    await shot(page, "simulator-buttons");
    const choice = chat.getByRole("button", { name: "Guadalajara" });
    await choice.click();
    // Answered: the customer's bubble is the latest now, so the buttons no longer answer.
    await eventually(() => choice.isDisabled());

    // The press arrived as a button reply with the button's id.
    await eventually(async () => {
      const messages = (await admin.get(`/api/conversations/${conversation.id}/messages`)).body.items;
      return messages.some(
        (message: { type: string; metadata: { button_id?: string } }) => message.type === "button_reply" && message.metadata.button_id === "gdl",
      );
    });
    await shot(page, "simulator-chat");
  }, 30_000);

  it("in Spanish: tests Odoo settings before saving them, keeps the API key write-only, and every page speaks Spanish", async () => {
    await page.getByRole("radio", { name: "Español" }).focus();
    await page.keyboard.press("Space");
    await nav("Odoo");
    await page.getByRole("heading", { name: "Odoo" }).waitFor();
    await page.getByLabel("Dirección de Odoo").fill("http://127.0.0.1:9");
    await page.getByLabel("Base de datos").fill("acme");
    await page.getByLabel("Usuario").fill("bot@acme.mx");
    const key = page.getByRole("textbox", { name: /Clave de API/ });
    await key.fill("clave-secreta-123");
    // Nothing answers there: the outcome, in words, before anything is saved.
    await page.getByRole("button", { name: "Probar conexión" }).click();
    await page.getByRole("alert").filter({ hasText: "La conexión falló" }).waitFor({ timeout: 20_000 });
    await shot(page, "odoo-test-failed-es");
    await page.getByRole("button", { name: "Guardar" }).click();
    await page.getByRole("status").filter({ hasText: "Guardado." }).waitFor();
    // The key is stored, and shown only as "stored".
    await page.getByText("Guardada", { exact: true }).waitFor();
    expect(await key.inputValue()).toBe("");
    const settings = (await (await h.admin()).get("/api/odoo/settings")).body;
    expect([settings.url, settings.database, settings.username, settings.api_key_set]).toEqual(["http://127.0.0.1:9", "acme", "bot@acme.mx", true]);
    await shot(page, "odoo-saved-es");

    for (const [link, heading, name] of [
      ["Números de WhatsApp", "Números de WhatsApp", "whatsapp"],
      ["Usuarios", "Usuarios", "users"],
      ["Respuestas rápidas", "Respuestas rápidas", "quick-replies"],
      ["Simulador", "Simulador", "simulator"],
    ] as const) {
      await nav(link);
      await page.getByRole("heading", { name: heading }).waitFor();
      await page.getByRole("button", { name: /Agregar número|Nuevo usuario|Nueva respuesta rápida|Enviar/ }).waitFor();
      await shot(page, `${name}-es`);
    }
  });
});
