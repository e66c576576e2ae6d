// The web console (web/, served at /): its typed view of the contract, how the
// gateway serves it, and — in Chromium — signing in, the shell in both
// languages, the user's status, a reload, logging out, and a session the engine
// revokes. Screenshots go to test-results/console/ (UPDATE_CONSOLE_SCREENSHOTS=1
// also copies them into docs/console/).
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CONSOLE_CSP, serveConsole } from "../lib/http/console";
import { inWords, msg } from "../lib/i18n/message";
import { ADMIN, eventually, harness } from "./support/harness";

const ROOT = path.join(__dirname, "..");
const WEB_API = path.join(ROOT, "web", "src", "api");
const SHOTS = path.join(ROOT, "test-results", "console");
const DOC_SHOTS = path.join(ROOT, "docs", "console");
const CHROMIUM = "/usr/bin/chromium";
const run = promisify(execFile);

// A reload drops the socket for a moment: with the harness's grace of 0 the engine would mark the user offline meanwhile.
const h = harness({ env: { PRESENCE_GRACE_SECONDS: "30" } });

beforeAll(async () => {
  // Cheap when web/ is unchanged since the last build (npm test has built it already).
  await run(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")]);
}, 120_000);

describe("the console's contract types", () => {
  it("are generated from the documents the engine serves (UPDATE_WEB_TYPES=1 rewrites them)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charla-console-types-"));
    try {
      for (const name of ["openapi", "asyncapi"]) fs.writeFileSync(path.join(dir, `${name}.json`), await (await fetch(`${h.baseUrl}/api/${name}.json`)).text());
      const script = path.join(ROOT, "web", "scripts", "contract-types.mjs");
      await run(process.execPath, [script, path.join(dir, "openapi.json"), path.join(dir, "asyncapi.json"), path.join(dir, "out")]);
      for (const file of ["rest.gen.ts", "socket.gen.ts"]) {
        const generated = fs.readFileSync(path.join(dir, "out", file), "utf8");
        if (process.env.UPDATE_WEB_TYPES === "1") fs.writeFileSync(path.join(WEB_API, file), generated);
        // Out of date: run `UPDATE_WEB_TYPES=1 npx jest test/console.test.ts` and commit web/src/api/*.gen.ts.
        expect([file, fs.readFileSync(path.join(WEB_API, file), "utf8") === generated]).toEqual([file, true]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serving the console", () => {
  const get = (url: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${h.baseUrl}${url}`, { method, headers, redirect: "manual" });

  it("answers / and the console's own routes with index.html, revalidated, under its CSP", async () => {
    for (const url of ["/", "/inbox/123", "/users?page=2"]) {
      const res = await get(url);
      expect([url, res.status, res.headers.get("content-type")]).toEqual([url, 200, "text/html; charset=utf-8"]);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    }
    const again = await get("/", { "if-none-match": (await get("/")).headers.get("etag")! });
    expect(again.status).toBe(304);
  });

  it("caches the hashed assets for a year, gzipped for clients that take it", async () => {
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(await (await get("/")).text())![1]!;
    const plain = await get(script, { "accept-encoding": "identity" });
    expect([plain.status, plain.headers.get("content-type"), plain.headers.get("cache-control")]).toEqual([
      200,
      "text/javascript; charset=utf-8",
      "public, max-age=31536000, immutable",
    ]);
    expect(plain.headers.get("content-encoding")).toBeNull();
    const body = await plain.arrayBuffer();
    // Node's fetch asks for gzip and undoes it: the same script, sent smaller.
    const gzipped = await get(script);
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(Number(gzipped.headers.get("content-length"))).toBeLessThan(body.byteLength / 2);
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(Buffer.from(body))).toBe(true);
    expect(gzipped.headers.get("vary")).toContain("Accept-Encoding");
    const head = await get(script, {}, "HEAD");
    expect([head.status, await head.text()]).toEqual([200, ""]);
  });

  it("leaves the API's 404 to everything it does not have", async () => {
    for (const [method, url] of [
      ["GET", "/api/no-such-route"],
      ["GET", "/api/inbox"],
      ["GET", "/assets/index-missing.js"],
      ["GET", "/.source-hash"],
      ["GET", "/assets/%2e%2e/.source-hash"],
      ["GET", "/%2e%2e/package.json"],
      ["GET", "/%E0%A4%A"],
      ["GET", "/favicon.ico"],
      ["POST", "/inbox"],
    ] as const) {
      const res = await get(url, {}, method);
      expect([method, url, res.status, res.headers.get("content-type")]).toEqual([method, url, 404, "application/json; charset=utf-8"]);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe("NOT_FOUND");
    }
  });

  it("says in the reader's language, never with a 500, that the console is not built", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "charla-console-empty-"));
    const server = http.createServer((req, res) => {
      serveConsole(req, res, { root: empty, apiPath: "/api", language: "es", notBuilt: "La consola web no está compilada" }).then(
        (served) => served || res.writeHead(404).end(),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/inbox`);
      expect([res.status, res.headers.get("content-type")]).toEqual([404, "text/html; charset=utf-8"]);
      expect(await res.text()).toContain("La consola web no está compilada");
      expect((await fetch(`${base}/assets/index.js`)).status).toBe(404);
    } finally {
      server.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
    // The gateway's own wording, in both languages.
    expect(inWords(msg("gateway.consoleNotBuilt"), "en")).toContain("npm run build");
    expect(inWords(msg("gateway.consoleNotBuilt"), "es")).toContain("npm run build");
  });
});

// ---------------------------------------------------------------------------------------------- in a browser

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI)
  console.warn(`test/console.test.ts: no Chromium at ${CHROMIUM} (apt-get install chromium); the browser tests are skipped.`);
const inBrowser = haveChromium || process.env.CI ? describe : describe.skip;

inBrowser("the console in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Problems the pages reported themselves: script errors, and anything the CSP refused. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`Chromium is needed at ${CHROMIUM} for the console's browser tests: .ci/run installs it (apt-get install chromium).`);
    fs.mkdirSync(SHOTS, { recursive: true });
    // Playwright gives every launch a new empty profile; the flags keep Chromium off the network and quiet.
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
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    const found = pageProblems.splice(0);
    expect(found).toEqual([]);
  });

  async function open(locale: string): Promise<Page> {
    const context = await browser.newContext({ locale, baseURL: h.baseUrl, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (err) => pageProblems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      // A refused login or a revoked token shows as a failed resource: the test expects those.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageProblems.push(`console: ${message.text()}`);
    });
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file });
    if (process.env.UPDATE_CONSOLE_SCREENSHOTS === "1") {
      fs.mkdirSync(DOC_SHOTS, { recursive: true });
      fs.copyFileSync(file, path.join(DOC_SHOTS, `${name}.png`));
    }
  }

  /** axe-core's serious and critical findings on the page as it is (labels, names, contrast, landmarks, …). */
  async function accessibilityProblems(page: Page): Promise<string[]> {
    // Evaluated through the debugging protocol: the page's CSP (rightly) refuses an injected script tag.
    await page.evaluate(fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
    // Expressions, not functions: this file is compiled without the DOM's types.
    const violations = await page.evaluate<Array<{ id: string; impact: string; nodes: string[] }>>(
      "axe.run().then((result) => result.violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.map((node) => node.target.join(' ')) })))",
    );
    return violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.join(", ")}`);
  }

  async function signIn(page: Page, email: string, password: string, labels: { email: string; password: string }): Promise<void> {
    // By keyboard: the email field by its label, Tab to the password, Enter to send.
    await page.getByLabel(labels.email).focus();
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.type")).toBe("password");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
  }

  /** Picks a segmented control's option by keyboard: its radio focused, Space (the inputs themselves are drawn as labels). */
  async function choose(page: Page, option: string): Promise<void> {
    await page.getByRole("radio", { name: option }).focus();
    await page.keyboard.press("Space");
  }

  const statusOf = async (id: string) => (await (await h.admin()).get(`/api/users/${id}`)).body.status;

  it("signs in (in Spanish for a Spanish browser), switches language, sets the status, survives a reload and logs out", async () => {
    const page = await open("es-ES");
    await page.goto("/");
    await page.getByRole("heading", { name: "Iniciar sesión en Charla" }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, "login-es");

    // A wrong password: the engine's message, in Spanish, in the form.
    await signIn(page, ADMIN.email, "not-the-password", { email: "Correo electrónico", password: "Contraseña" });
    await page.getByRole("alert").filter({ hasText: "El correo electrónico o la contraseña son incorrectos" }).waitFor();
    await shot(page, "login-error-es");

    await page.getByLabel("Contraseña").fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    // An admin sees every page but the simulator's (no simulator number yet).
    const nav = page.getByRole("navigation");
    await nav.getByRole("link", { name: "Bandeja de entrada" }).waitFor();
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Bandeja de entrada",
      "Números de WhatsApp",
      "Colas",
      "Flujos",
      "Usuarios",
      "Respuestas rápidas",
      "Odoo",
    ]);
    expect(new URL(page.url()).pathname).toBe("/inbox");
    // The socket connected with the access token (and made the admin online).
    await page.getByRole("status").filter({ hasText: "En vivo" }).waitFor();
    const me = (await h.admin()).user;
    await eventually(async () => (await statusOf(me.id)) === "online");
    // … and the shell shows it.
    await eventually(() => page.getByRole("radio", { name: "En línea" }).isChecked());
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, "inbox-es");

    // English, everywhere at once; the engine's messages follow (Accept-Language).
    await choose(page, "English");
    await nav.getByRole("link", { name: "Inbox" }).waitFor();
    await nav.getByRole("link", { name: "WhatsApp numbers" }).click();
    await page.getByRole("heading", { name: "WhatsApp numbers" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/whatsapp");
    await shot(page, "whatsapp-en");

    await choose(page, "Away");
    await eventually(async () => (await statusOf(me.id)) === "away");
    await shot(page, "status-away-en");

    // A reload: the access token was only in memory, the refresh token brings the session back — and the language stays.
    await page.reload();
    await page.getByRole("heading", { name: "WhatsApp numbers" }).waitFor();
    await eventually(() => page.getByRole("radio", { name: "Away" }).isChecked());
    expect(await statusOf(me.id)).toBe("away");
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();

    const refreshToken = await page.evaluate("sessionStorage.getItem('charla.refresh_token')");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Sign in to Charla" }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('charla.refresh_token')")).toBeNull();
    // The session ended on the engine too.
    expect((await h.request("POST", "/api/auth/refresh", { body: { refresh_token: refreshToken } })).status).toBe(401);
  });

  it("speaks English to an English browser, and shows the simulator to admins once there is a simulator number", async () => {
    const page = await open("en-US");
    await page.goto("/queues");
    await page.getByRole("heading", { name: "Sign in to Charla" }).waitFor();
    await signIn(page, ADMIN.email, ADMIN.password, { email: "Email", password: "Password" });
    // Signed in where the link pointed.
    await page.getByRole("heading", { name: "Queues" }).waitFor();
    expect(await page.getByRole("navigation").getByRole("link", { name: "Simulator" }).count()).toBe(0);

    const admin = await h.admin();
    expect((await admin.post("/api/whatsapp/accounts", { name: "Console simulator", provider: "simulator" })).status).toBe(201);
    await page.reload();
    await page.getByRole("navigation").getByRole("link", { name: "Simulator" }).click();
    await page.getByRole("heading", { name: "Simulator" }).waitFor();
    await shot(page, "simulator-en");

    await page.goto("/no-such-page");
    await page.getByText("There is no such page.").waitFor();
  });

  it("tells the user when the engine ends their session, and shows an agent only their pages", async () => {
    const agent = await h.as("agent", "Agent Console");
    const page = await open("es-MX");
    await page.goto("/");
    await signIn(page, agent.user.email, "password-123", { email: "Correo electrónico", password: "Contraseña" });
    const nav = page.getByRole("navigation");
    await nav.getByRole("link", { name: "Bandeja de entrada" }).waitFor();
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Bandeja de entrada", "Respuestas rápidas"]);
    await page.getByRole("status").filter({ hasText: "En vivo" }).waitFor();

    // Another admin disables the user: every session of theirs ends, and their sockets hear `session_revoked`.
    const admin = await h.admin();
    expect((await admin.put(`/api/users/${agent.user.id}`, { is_active: false })).status).toBe(200);
    await page.getByRole("heading", { name: "Su sesión terminó" }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, "session-ended-es");
    await page.getByRole("button", { name: "Iniciar sesión de nuevo" }).click();
    await page.getByRole("heading", { name: "Iniciar sesión en Charla" }).waitFor();
  });
});
