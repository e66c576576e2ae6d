// Lints an OpenAPI document with Redocly's `recommended` rule set and prints
// the problems as JSON. A separate process because the linter is an ES module
// that the test runner's module system cannot load.
import { createConfig, lintFromString } from "@redocly/openapi-core";
import fs from "node:fs";

const [file] = process.argv.slice(2);
const config = await createConfig({ extends: ["recommended"] });
const problems = await lintFromString({ source: fs.readFileSync(file, "utf8"), absoluteRef: file, config });
process.stdout.write(JSON.stringify(problems.map((p) => ({ rule: p.ruleId, severity: p.severity, message: p.message, where: p.location[0]?.pointer }))));
