// The engine's version, from the package.json above this file (in the source tree or in dist/).
import fs from "node:fs";
import path from "node:path";

function findVersion(dir: string): string {
  const file = path.join(dir, "package.json");
  if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version ?? "0.0.0";
  const parent = path.dirname(dir);
  return parent === dir ? "0.0.0" : findVersion(parent);
}

export const VERSION = findVersion(__dirname);
