import { rmSync } from "node:fs";
import { Harness } from "../test/support/bot-harness.js";
import { sleep, spawnTsx, stopChild } from "./support.js";
import { waitFor } from "../test/support/net.js";
const h = await Harness.start({ script: [], files: { "a.txt": "a" }, env: { CODER_CONCURRENCY: "0", LOG_LEVEL: "warn" } });
const { child, output } = spawnTsx("/work/main/src/cli/main.ts", { ...h.env }, h.dataDir, ["serve"]);
try {
  await waitFor(() => fetch(`http://127.0.0.1:${h.env.PORT}/ping`).then((r) => r.ok).catch(() => false), "ping", 30000);
  for (let i = 0; i < 2; i++) console.log((await h.comment({ body: "/coder fix" })).status);
  await sleep(300);
  console.log(output());
} finally { await stopChild(child); await h.stop(); rmSync(h.dataDir, { recursive: true, force: true }); }
