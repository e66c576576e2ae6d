// .env.example is the list operators read: every variable the engine reads must be in it.
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

it("documents every variable the configuration reads", () => {
  const documented = new Set([...read(".env.example").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const used = new Set([...read("lib/config.ts").matchAll(/\(env, "([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1]));
  expect(used.size).toBeGreaterThan(20);
  for (const name of used) expect(documented).toContain(name);
  expect(documented).toContain("SERVICES");
});
