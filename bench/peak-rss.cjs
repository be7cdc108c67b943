// Preloaded into each measured process (node -r): reports its peak RSS in KiB on fd 3 at exit.
const { writeSync } = require("node:fs");
process.on("exit", () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // fd 3 not open: run outside the bench
  }
});
