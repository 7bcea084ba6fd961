/**
 * `npm run bench`: the webhook-acknowledgement bench, the workspace bench, the sandbox (workspace
 * container) bench, tool-call repair on the corpus, the agent loop's overhead, the review diff's line
 * mapping and preparation, the code index's retrieval quality, throughput and query latency, then a
 * summary.
 * Figures are ratios measured side by side in this run, not absolute timings checked against a
 * machine-specific budget. A missed target is reported, not an error: the exit code is 0 unless a
 * bench could not run at all.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { runAckBench, type AckResult } from "./ack.js";
import { installExitHandlers, interrupted, ms, passFail, ratio, runCleanups, table } from "./support.js";
import { EXEC_TARGET, READY_TARGET, runSandboxBench, type SandboxResult } from "./sandbox.js";
import { runWorkspaceBench, type WorkspaceResult } from "./workspace.js";
import { runLoopBench, STEP_TARGET_MS, type LoopResult } from "./agent-loop.js";
import { runToolCallBench, type ToolCallResult } from "./tool-calls.js";
import { RECALL_RATIO_TARGET, runIndexRetrievalBench, type RetrievalResult } from "./index-retrieval.js";
import { INCREMENTAL_TARGET, LATENCY_TARGET_MS, runIndexThroughputBench, type ThroughputResult } from "./index-throughput.js";
import { runReviewDiffBench, type ReviewDiffResult } from "./review-diff.js";

installExitHandlers();
const started = performance.now();
console.log(
  `coder-bot benchmarks — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

const errors: string[] = [];

async function attempt<T>(name: string, fn: () => T | Promise<T>): Promise<T | null> {
  if (interrupted()) return null;
  console.log(`\n== ${name} ${"=".repeat(Math.max(0, 70 - name.length))}`);
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`${name} could not run:\n${message}`);
    errors.push(`${name}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return null;
  } finally {
    await runCleanups();
  }
}

const ack: AckResult | null = await attempt("webhook acknowledgement (bench/ack.ts)", () => runAckBench());
const ws: WorkspaceResult | null = await attempt("workspace preparation (bench/workspace.ts)", () => runWorkspaceBench());
const sb: SandboxResult | null = await attempt("workspace containers (bench/sandbox.ts)", () => runSandboxBench());
const calls: ToolCallResult | null = await attempt("tool-call repair on the corpus (bench/tool-calls.ts)", () => runToolCallBench());
const loop: LoopResult | null = await attempt("agent loop overhead (bench/agent-loop.ts)", () => runLoopBench());
const review: ReviewDiffResult | null = await attempt("review diff: line mapping and preparation (bench/review-diff.ts)", () =>
  runReviewDiffBench(),
);
const retrieval: RetrievalResult | null = await attempt("code index retrieval quality (bench/index-retrieval.ts)", () =>
  runIndexRetrievalBench(),
);
const indexing: ThroughputResult | null = await attempt("code index throughput and latency (bench/index-throughput.ts)", () =>
  runIndexThroughputBench(),
);

const rows: string[][] = [];
if (ack) {
  const [p99Target, ratioTarget, giteaTarget, giteaRatioTarget, ackTarget] = ack.targets;
  rows.push(
    ["ack: bare Probot p50 / p99", `${ms(ack.bare.p50)} / ${ms(ack.bare.p99)}`, "", ""],
    ["ack: coder-bot (GitHub) p50 / p99", `${ms(ack.bot.p50)} / ${ms(ack.bot.p99)}`, "p99 < 50 ms", passFail(p99Target!.ok)],
    ["ack: coder-bot p99 ÷ bare p99", ratio(ack.p99Ratio), "≤ 1.50×", passFail(ratioTarget!.ok)],
    ["ack: coder-bot (Gitea) p50 / p99", `${ms(ack.gitea.p50)} / ${ms(ack.gitea.p99)}`, "p99 < 50 ms", passFail(giteaTarget!.ok)],
    ["ack: Gitea p99 ÷ GitHub p99", ratio(ack.giteaRatio), "≤ 1.50×", passFail(giteaRatioTarget!.ok)],
    ["ack: non-2xx (bare / GitHub / Gitea)", `${ack.bare.non2xx} / ${ack.bot.non2xx} / ${ack.gitea.non2xx}`, "", ""],
    [
      "ack: answered 200 and queued once",
      `${Math.min(ack.verification.acknowledged200, ack.verification.queuedExactlyOnce)}/${ack.verification.sent}`,
      "all",
      passFail(ackTarget!.ok),
    ],
  );
} else {
  rows.push(["ack", "did not run", "", "ERROR"]);
}
if (ws) {
  rows.push(
    ["workspace: plain worktree add (median)", ms(ws.plainMedian, 0), "", ""],
    ["workspace: product preparation (median)", ms(ws.productMedian, 0), "", ""],
    ["workspace: product ÷ plain", ratio(ws.ratio), "≤ 1.50×", passFail(ws.targets[0]!.ok)],
  );
} else {
  rows.push(["workspace", "did not run", "", "ERROR"]);
}
if (sb) {
  for (const r of sb.runtimes) {
    const [readyTarget, execTarget] = sb.targets.filter((t) => t.name.startsWith(`sandbox ${r.runtime}:`));
    rows.push(
      [`sandbox ${r.runtime}: plain run + exec (median)`, ms(r.ready.plain.median, 0), "", ""],
      [`sandbox ${r.runtime}: product create + run (median)`, ms(r.ready.product.median, 0), "", ""],
      [`sandbox ${r.runtime}: ready, product ÷ plain`, ratio(r.ready.ratio), `≤ ${READY_TARGET.toFixed(2)}×`, passFail(readyTarget!.ok)],
      [`sandbox ${r.runtime}: plain docker exec (median)`, ms(r.exec.plain.median, 1), "", ""],
      [`sandbox ${r.runtime}: product run(true) (median)`, ms(r.exec.product.median, 1), "", ""],
      [`sandbox ${r.runtime}: per command, product ÷ plain`, ratio(r.exec.ratio), `≤ ${EXEC_TARGET.toFixed(2)}×`, passFail(execTarget!.ok)],
    );
  }
} else {
  rows.push(["sandbox", "did not run", "", "ERROR"]);
}

if (calls) {
  rows.push(
    ["tool calls: repaired (ours)", `${calls.ours.repaired}/${calls.repairable}`, "all", passFail(calls.targets[0]!.ok)],
    ["tool calls: read by a strict parser", `${calls.strict.repaired}/${calls.repairable}`, "", ""],
    [
      "tool calls: invented from prose (ours / strict)",
      `${calls.ours.invented} / ${calls.strict.invented}`,
      "0",
      passFail(calls.targets[1]!.ok),
    ],
  );
} else {
  rows.push(["tool calls", "did not run", "", "ERROR"]);
}
if (loop) {
  loop.rows.forEach((r, i) =>
    rows.push([`loop overhead per step: ${r.name}`, ms(r.perStepMs), `< ${STEP_TARGET_MS} ms`, passFail(loop.targets[i]!.ok)]),
  );
} else {
  rows.push(["loop overhead", "did not run", "", "ERROR"]);
}
if (review) {
  const [contentTarget, setsTarget, countsTarget, prepTarget] = review.targets;
  const p = review.preparation;
  rows.push(
    [
      "review diff: corpus (diffs / files / changed lines)",
      `${review.corpus.history + review.corpus.packages} / ${review.corpus.files} / ${review.corpus.changedLines}`,
      "",
      "",
    ],
    [
      "review diff: mapped lines matching the files",
      `${review.content.checked - review.content.mismatches}/${review.content.checked}`,
      "all",
      passFail(contentTarget!.ok),
    ],
    [
      "review diff: commentable lines equal to git's hunks",
      `${review.sets.checked - review.sets.mismatches}/${review.sets.checked}`,
      "all",
      passFail(setsTarget!.ok),
    ],
    [
      "review diff: files matching numstat and GitHub's patch",
      `${review.counts.checked - review.counts.mismatches - review.githubShape.mismatches}/${review.counts.checked}`,
      "all",
      passFail(countsTarget!.ok),
    ],
    [
      `review diff: prepare ${p.changedLines} lines, first / median`,
      `${ms(p.coldMs)} / ${ms(p.medianMs)}`,
      "< 1000 ms",
      passFail(prepTarget!.ok),
    ],
    ["review diff: first preparation ÷ git diff", ratio(p.coldRatio), "", ""],
  );
} else {
  rows.push(["review diff", "did not run", "", "ERROR"]);
}

if (retrieval) {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const scores = (s: { recallAt1: number; recallAt10: number; mrr: number }) =>
    `${pct(s.recallAt1)} / ${pct(s.recallAt10)} / ${s.mrr.toFixed(3)}`;
  for (const c of retrieval.codebases) {
    rows.push(
      [`index ${c.name} (${c.queries} queries): ours r@1 / r@10 / MRR`, scores(c.ours), "", ""],
      [`index ${c.name}: whole-file BM25 r@1 / r@10 / MRR`, scores(c.baseline), "", ""],
    );
  }
  const { inContext } = retrieval;
  rows.push(
    ["index retrieval: recall@10 ours (chunks) ÷ BM25 (whole files)", ratio(retrieval.mean.ratio), "", ""],
    [
      `index retrieval: in ${inContext.budget} tokens, ours / whole-file BM25`,
      `${pct(inContext.ours)} / ${pct(inContext.baseline)}`,
      "",
      "",
    ],
    [
      `index retrieval: in ${inContext.budget} tokens, ours ÷ whole-file BM25`,
      ratio(inContext.ratio),
      `≥ ${RECALL_RATIO_TARGET.toFixed(2)}×`,
      passFail(retrieval.targets[0]!.ok),
    ],
  );
} else {
  rows.push(["index retrieval", "did not run", "", "ERROR"]);
}
if (indexing) {
  const { chunkOnly, embedded, incremental, latency } = indexing;
  rows.push(
    ["index: scan + chunk, files/s / chunks/s", `${chunkOnly.filesPerSecond.toFixed(0)} / ${chunkOnly.chunksPerSecond.toFixed(0)}`, "", ""],
    [
      "index: full with sentence encoder, files/s / chunks/s",
      `${embedded.filesPerSecond.toFixed(2)} / ${embedded.chunksPerSecond.toFixed(2)}`,
      "",
      "",
    ],
    [
      `index: incremental (10 files) ÷ full, ${ms(incremental.ms, 0)} of ${ms(embedded.fullMs, 0)}`,
      `${(incremental.share * 100).toFixed(2)}%`,
      `≤ ${(INCREMENTAL_TARGET * 100).toFixed(0)}%`,
      passFail(indexing.targets[0]!.ok),
    ],
    [
      `index: hybrid query p50 / p95 at ${latency.chunks} chunks`,
      `${ms(latency.hybrid.p50, 1)} / ${ms(latency.hybrid.p95, 1)}`,
      `p50 < ${LATENCY_TARGET_MS} ms`,
      passFail(indexing.targets[1]!.ok),
    ],
    ["index: lexical only / nearest only p50", `${ms(latency.lexicalP50, 1)} / ${ms(latency.nearestP50, 1)}`, "", ""],
  );
} else {
  rows.push(["index throughput", "did not run", "", "ERROR"]);
}

console.log(`\n== summary ${"=".repeat(62)}`);
console.log(table(["figure", "value", "target", "result"], rows));
const misses = [
  ...(ack?.targets ?? []),
  ...(ws?.targets ?? []),
  ...(sb?.targets ?? []),
  ...(calls?.targets ?? []),
  ...(loop?.targets ?? []),
  ...(review?.targets ?? []),
  ...(retrieval?.targets ?? []),
  ...(indexing?.targets ?? []),
].filter((t) => !t.ok);
console.log("");
if (misses.length === 0 && errors.length === 0) console.log("All targets met.");
for (const miss of misses) console.log(`MISSED: ${miss.name} (${miss.detail})`);
for (const error of errors) console.log(`ERROR:  ${error}`);
console.log(`\nbench run took ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = errors.length > 0 ? 1 : 0;
