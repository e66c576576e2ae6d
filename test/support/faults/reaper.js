// Outlives a fault-suite run that dies without cleaning up (a crash, SIGKILL,
// a timeout that skips afterAll): the suite writes here the pids it starts and
// its temporary folder, one command per line. When this process's stdin closes
// without a "done" first — the suite is gone — it kills those pids and removes
// the folder, so no Redis, PostgreSQL or engine node is left behind.
const fs = require("node:fs");

const pids = new Set();
let folder = null;
let done = false;
let buffer = "";

function command(line) {
  const space = line.indexOf(" ");
  const name = space < 0 ? line : line.slice(0, space);
  const argument = space < 0 ? "" : line.slice(space + 1);
  if (name === "pid") pids.add(Number(argument));
  else if (name === "unpid") pids.delete(Number(argument));
  else if (name === "dir") folder = argument;
  else if (name === "done") done = true;
}

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
    command(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
  }
});
process.stdin.on("end", () => {
  if (!done) {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // PostgreSQL's backends notice their postmaster is gone within a moment; give them that before removing files.
    setTimeout(() => {
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
      process.exit(0);
    }, 1000);
    return;
  }
  process.exit(0);
});
