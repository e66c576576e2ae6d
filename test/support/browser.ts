// What the console's browser tests share: Debian's Chromium driven by
// playwright-core, skipped with a warning where it is missing (and failing under
// CI, where .ci/run installs it), screenshots into test-results/console/
// (UPDATE_CONSOLE_SCREENSHOTS=1 also copies them into docs/console/), and the
// problems a page reports about itself.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.join(__dirname, "..", "..");
export const SHOTS = path.join(ROOT, "test-results", "console");
const DOC_SHOTS = path.join(ROOT, "docs", "console");

export const haveChromium = fs.existsSync(CHROMIUM);

/** `describe` where Chromium is (or must be: CI), else `describe.skip` after one warning naming the file. */
export function describeInBrowser(file: string): jest.Describe {
  if (!haveChromium && !process.env.CI) console.warn(`${file}: no Chromium at ${CHROMIUM} (apt-get install chromium); the browser tests are skipped.`);
  return haveChromium || process.env.CI ? describe : describe.skip;
}

/** Starts Chromium, or says plainly why it cannot (reached only under CI without it). */
export async function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`Chromium is needed at ${CHROMIUM} for the console's browser tests: .ci/run installs it (apt-get install chromium).`);
  fs.mkdirSync(SHOTS, { recursive: true });
  // Playwright gives every launch a new empty profile; the flags keep Chromium off the network and quiet.
  return chromium.launch({
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
}

/** Saves a screenshot as test-results/console/<name>.png, and into docs/console/ with UPDATE_CONSOLE_SCREENSHOTS=1. */
export async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.UPDATE_CONSOLE_SCREENSHOTS === "1") {
    fs.mkdirSync(DOC_SHOTS, { recursive: true });
    fs.copyFileSync(file, path.join(DOC_SHOTS, `${name}.png`));
  }
}

/**
 * Collects what the page reports about itself into `problems`: script errors and console errors (a CSP
 * refusal among them). A failed resource is left out: refusals the test provokes show that way.
 */
export function watchProblems(page: Page, problems: string[], label = "page"): void {
  page.on("pageerror", (err) => problems.push(`${label}: page error: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`${label}: console: ${message.text()}`);
  });
}
