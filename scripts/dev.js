// npm run dev: recompile on every change (tsc --watch) and run all services
// with moleculer's REPL and hot reload of the compiled service files.
const { spawn } = require("node:child_process");
const path = require("node:path");

const bin = (name) => path.join(__dirname, "..", "node_modules", ".bin", name);
const watcher = spawn(bin("tsc"), ["-p", "tsconfig.build.json", "--watch", "--preserveWatchOutput"], {
  stdio: ["ignore", "inherit", "inherit"],
});
const runner = spawn(bin("moleculer-runner"), ["--env", "--repl", "--hot", "--config", "dist/moleculer.config.js", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { SERVICEDIR: "dist/services", ...process.env },
});
runner.on("exit", (code) => {
  watcher.kill();
  process.exit(code ?? 0);
});
