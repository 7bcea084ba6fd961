import { Harness } from "../test/support/bot-harness.js";
const h = await Harness.start({ script: [], files: { "a.txt": "a" }, env: { CODER_CONCURRENCY: "0", LOG_LEVEL: "warn" } });
try {
  const c = await h.spawnBot();
  console.log("spawnargs", c.spawnargs, c.pid);
} finally { await h.stop(); }
