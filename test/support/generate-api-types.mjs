// Writes the TypeScript types of an OpenAPI document (paths, operations,
// components) to stdout: what the tests' typed client is checked against.
// A separate process because the generator is an ES module that the test
// runner's module system cannot load.
import openapiTS, { astToString } from "openapi-typescript";
import fs from "node:fs";

const [file] = process.argv.slice(2);
const ast = await openapiTS(JSON.parse(fs.readFileSync(file, "utf8")), { rootTypes: false });
process.stdout.write(astToString(ast));
