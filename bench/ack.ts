/**
 * Webhook acknowledgement: coder-bot (`coder-bot serve` in a child process, CODER_CONCURRENCY=0,
 * so it only verifies, stores the job and answers), serving GitHub and a Gitea server at once,
 * against a bare Probot app with a no-op `issue_comment.created` handler (bench/bare-probot-app.ts,
 * also a child process). Three targets: the bare app, the bot's GitHub path and its Gitea path.
 *
 * Load: signed comment deliveries (`/coder fix`, a unique delivery id and comment id each; GitHub's
 * `issue_comment.created`, and Gitea's `issue_comment` signed and serialized as Gitea does it),
 * open-loop on a fixed timetable at RATE per second. The targets take turns in BLOCK-second blocks,
 * in rounds that go forward then backward (bare, github, gitea, gitea, github, bare, …) so that
 * drift in the machine's state falls on all alike; each block waits for its own responses before
 * the next one starts. A short warm-up per target, not counted in the figures, runs first.
 *
 * Then every delivery sent to coder-bot (warm-up included) is checked in its SQLite database:
 * answered 200, one `delivery:<id>` key, exactly one job.
 */
import { rmSync } from "node:fs";
import { Agent, request } from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import Database from "better-sqlite3";
import { Harness, SECRET } from "../test/support/bot-harness.js";
import { startFakeGitea } from "../test/support/fake-gitea.js";
import { giteaDeliveryHeaders, makeGiteaIssueCommentEvent, serializeGiteaPayload } from "../test/support/gitea-webhooks.js";
import { freePort, waitFor } from "../test/support/net.js";
import { makeIssueCommentEvent } from "../test/support/webhooks.js";
import {
  installExitHandlers,
  ms,
  onCleanup,
  passFail,
  percentile,
  ratio,
  runCleanups,
  sleep,
  spawnTsx,
  stopChild,
  table,
  trackChild,
} from "./support.js";

const repoRoot = path.resolve(import.meta.dirname, "..");

export interface AckOptions {
  /** Deliveries per second, per target. */
  readonly rate: number;
  /** Measured seconds per target. */
  readonly seconds: number;
  /** Length of one turn of a target. */
  readonly blockSeconds: number;
  /** Unmeasured seconds per target before the measurement. */
  readonly warmupSeconds: number;
}

export const defaultAckOptions: AckOptions = { rate: 100, seconds: 20, blockSeconds: 5, warmupSeconds: 2 };

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  /** Requests that got no HTTP response at all (connection error, timeout); also counted in non2xx. */
  readonly errors: number;
  /** How late the load generator sent, worst case (ms); large values mean the generator, not the server, lagged. */
  readonly maxSendLag: number;
}

export interface AckVerification {
  readonly sent: number;
  readonly acknowledged200: number;
  readonly withDeliveryKey: number;
  readonly queuedExactlyOnce: number;
  readonly jobsInDatabase: number;
  readonly problems: readonly string[];
  readonly ok: boolean;
}

export interface AckResult {
  readonly options: AckOptions;
  readonly bare: LatencyStats;
  readonly bot: LatencyStats;
  readonly gitea: LatencyStats;
  readonly p99Ratio: number;
  /** The Gitea path's p99 over the GitHub path's, in the same process and run. */
  readonly giteaRatio: number;
  readonly verification: AckVerification;
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

interface Delivery {
  readonly id: string;
  readonly body: Buffer;
  /** Everything but the transport headers: the event, the delivery id, the signature. */
  readonly headers: Readonly<Record<string, string>>;
}

interface Sample {
  readonly deliveryId: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly sendLagMs: number;
  readonly error?: string;
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly path: string;
  readonly agent: Agent;
}

type Which = "bare" | "bot" | "gitea";

const WEBHOOK_PATH = "/api/github/webhooks";
const GITEA_WEBHOOK_PATH = "/api/gitea/webhooks";

/** Sends one delivery; resolves when the whole response has arrived (never rejects). */
function send(target: Target, delivery: Delivery, dueAt: number): Promise<Sample> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    let settled = false;
    const done = (status: number, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({
        deliveryId: delivery.id,
        status,
        latencyMs: performance.now() - sentAt,
        sendLagMs: sentAt - dueAt,
        ...(error ? { error } : {}),
      });
    };
    const req = request(
      {
        host: "127.0.0.1",
        port: target.port,
        path: target.path,
        method: "POST",
        agent: target.agent,
        headers: { "content-type": "application/json", "content-length": delivery.body.length, ...delivery.headers },
        timeout: 30_000,
      },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => done(res.statusCode ?? 0));
        res.on("error", (e) => done(0, e.message));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 30 s")));
    req.on("error", (e) => done(0, e.message));
    req.end(delivery.body);
  });
}

/** Open loop: delivery i is sent at start + i/rate whatever happened to the earlier ones. */
async function openLoop(target: Target, deliveries: readonly Delivery[], rate: number): Promise<Sample[]> {
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  const inFlight: Promise<Sample>[] = [];
  for (let i = 0; i < deliveries.length; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    inFlight.push(send(target, deliveries[i]!, due));
  }
  return Promise.all(inFlight);
}

function stats(samples: readonly Sample[]): LatencyStats {
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  return {
    count: samples.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    non2xx: samples.filter((s) => s.status < 200 || s.status > 299).length,
    errors: samples.filter((s) => s.status === 0).length,
    maxSendLag: Math.max(0, ...samples.map((s) => s.sendLagMs)),
  };
}

async function makeDeliveries(
  prefix: string,
  count: number,
  firstCommentId: number,
  cloneUrl: string,
  installationId: number,
): Promise<Delivery[]> {
  const template = makeIssueCommentEvent({ body: "/coder fix", cloneUrl, installationId });
  const out: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    template.comment.id = firstCommentId + i;
    const text = JSON.stringify(template);
    const id = `${prefix}-${i}-${Date.now().toString(36)}`;
    const headers = {
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": "issue_comment",
      "x-github-delivery": id,
      "x-github-hook-id": "1",
      "x-hub-signature-256": await sign(SECRET, text),
    };
    out.push({ id, body: Buffer.from(text), headers });
  }
  return out;
}

/** Gitea's `issue_comment` deliveries, serialized and signed as Gitea does it, with Gitea's full header set. */
function makeGiteaDeliveries(prefix: string, count: number, firstCommentId: number, cloneUrl: string, giteaUrl: string): Delivery[] {
  const out: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}-${Date.now().toString(36)}`;
    const text = serializeGiteaPayload(
      makeGiteaIssueCommentEvent({
        body: "/coder fix",
        owner: "acme",
        repo: "widgets",
        cloneUrl,
        giteaUrl,
        issueNumber: 12,
        commentId: firstCommentId + i,
      }),
    );
    const headers = Object.fromEntries(
      Object.entries(giteaDeliveryHeaders("issue_comment", text, { secret: SECRET, deliveryId: id })).filter(
        ([name]) => name.toLowerCase() !== "content-type",
      ),
    );
    out.push({ id, body: Buffer.from(text), headers: { "user-agent": "Go-http-client/1.1", ...headers } });
  }
  return out;
}

function verify(dbFile: string, botSamples: readonly Sample[]): AckVerification {
  const problems: string[] = [];
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const keys = new Map(
      db
        .prepare<[], { key: string; job_id: number }>("SELECT key, job_id FROM job_keys WHERE key LIKE 'delivery:%'")
        .all()
        .map((r) => [r.key.slice("delivery:".length), r.job_id] as const),
    );
    const perDelivery = new Map(
      db
        .prepare<[], { d: string | null; n: number }>(
          "SELECT json_extract(payload, '$.deliveryId') AS d, count(*) AS n FROM jobs GROUP BY d",
        )
        .all()
        .map((r) => [r.d ?? "", r.n] as const),
    );
    const jobsInDatabase = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM jobs").get()?.n ?? 0;
    const queuedJobs =
      db.prepare<[], { n: number }>("SELECT count(*) AS n FROM jobs WHERE status = 'queued' AND kind = 'fix'").get()?.n ?? 0;

    let acknowledged200 = 0;
    let withDeliveryKey = 0;
    let queuedExactlyOnce = 0;
    const jobIds = new Set<number>();
    for (const s of botSamples) {
      if (s.status === 200) acknowledged200++;
      else if (problems.length < 10) problems.push(`delivery ${s.deliveryId}: answered ${s.status || s.error}`);
      const jobId = keys.get(s.deliveryId);
      if (jobId !== undefined) {
        withDeliveryKey++;
        jobIds.add(jobId);
      } else if (problems.length < 10) problems.push(`delivery ${s.deliveryId}: no delivery key in job_keys`);
      const n = perDelivery.get(s.deliveryId) ?? 0;
      if (n === 1) queuedExactlyOnce++;
      else if (problems.length < 10) problems.push(`delivery ${s.deliveryId}: ${n} jobs`);
    }
    if (jobIds.size !== withDeliveryKey) problems.push(`${withDeliveryKey - jobIds.size} deliveries share a job with another delivery`);
    if (jobsInDatabase !== botSamples.length) problems.push(`${jobsInDatabase} jobs in the database for ${botSamples.length} deliveries`);
    if (queuedJobs !== jobsInDatabase) problems.push(`${jobsInDatabase - queuedJobs} jobs are not queued fix jobs`);
    const ok =
      acknowledged200 === botSamples.length &&
      withDeliveryKey === botSamples.length &&
      queuedExactlyOnce === botSamples.length &&
      jobsInDatabase === botSamples.length &&
      jobIds.size === botSamples.length &&
      queuedJobs === jobsInDatabase;
    return { sent: botSamples.length, acknowledged200, withDeliveryKey, queuedExactlyOnce, jobsInDatabase, problems, ok };
  } finally {
    db.close();
  }
}

async function startBareApp(
  env: Record<string, string>,
): Promise<{ port: number; stop: () => Promise<void>; output: () => string; exited: () => boolean }> {
  const port = await freePort();
  const { child, output } = spawnTsx(
    path.join(repoRoot, "bench/bare-probot-app.ts"),
    { ...env, PORT: String(port), HOST: "127.0.0.1" },
    repoRoot,
  );
  const stop = () => stopChild(child);
  onCleanup(stop);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the bare Probot app exited early:\n${output()}`);
      return fetch(`http://127.0.0.1:${port}/ping`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    "the bare Probot app to listen",
    60_000,
  );
  return { port, stop, output, exited: () => child.exitCode !== null || child.signalCode !== null };
}

export async function runAckBench(options: AckOptions = defaultAckOptions, log: (line: string) => void = console.log): Promise<AckResult> {
  installExitHandlers();
  log(
    `ack: ${options.rate}/s per target, ${options.seconds} s measured per target in ${options.blockSeconds}-s blocks (ABBA), ${options.warmupSeconds} s warm-up each`,
  );
  // The bot serves a Gitea server too: the fake answers its start-up token check, and nothing else is asked of it.
  const gitea = await startFakeGitea();
  onCleanup(() => gitea.close());
  const h = await Harness.start({
    script: [],
    files: { "README.md": "# widgets\n", "src/add.js": "export const add = (a, b) => a - b;\n" },
    env: { CODER_CONCURRENCY: "0", LOG_LEVEL: "warn", GITEA_URL: gitea.url, GITEA_TOKEN: gitea.token, GITEA_WEBHOOK_SECRET: SECRET },
  });
  onCleanup(() => rmSync(h.dataDir, { recursive: true, force: true }));
  onCleanup(() => h.stop());
  const bareEnv = {
    APP_ID: h.env.APP_ID!,
    PRIVATE_KEY: h.env.PRIVATE_KEY!,
    WEBHOOK_SECRET: SECRET,
    BASE_URL: h.github.apiBase,
    LOG_LEVEL: "warn",
  };
  const [, bare] = await Promise.all([h.spawnBot().then((c) => trackChild(c)), startBareApp(bareEnv)]);
  const botChild = h.child!;
  let botOutput = "";
  botChild.stdout?.on("data", (d: Buffer) => (botOutput = (botOutput + d.toString()).slice(-20_000)));
  botChild.stderr?.on("data", (d: Buffer) => (botOutput = (botOutput + d.toString()).slice(-20_000)));

  const targets: Record<Which, Target> = {
    bare: { name: "bare Probot", port: bare.port, path: WEBHOOK_PATH, agent: new Agent({ keepAlive: true }) },
    bot: { name: "coder-bot (GitHub)", port: Number(h.env.PORT), path: WEBHOOK_PATH, agent: new Agent({ keepAlive: true }) },
    gitea: { name: "coder-bot (Gitea)", port: Number(h.env.PORT), path: GITEA_WEBHOOK_PATH, agent: new Agent({ keepAlive: true }) },
  };
  onCleanup(() => Object.values(targets).forEach((t) => t.agent.destroy()));

  const perBlock = Math.round(options.rate * options.blockSeconds);
  const blocks = Math.max(1, Math.round(options.seconds / options.blockSeconds));
  const warm = Math.round(options.rate * options.warmupSeconds);
  const cloneUrl = h.git.cloneUrl("acme/widgets");
  const prep = performance.now();
  const deliveries: Record<Which, Delivery[]> = {
    bare: await makeDeliveries("bare", warm + perBlock * blocks, 6_000_000, cloneUrl, h.github.installationId),
    bot: await makeDeliveries("bot", warm + perBlock * blocks, 7_000_000, cloneUrl, h.github.installationId),
    gitea: makeGiteaDeliveries("gitea", warm + perBlock * blocks, 8_000_000, cloneUrl, gitea.url),
  };
  log(
    `ack: ${Object.values(deliveries).reduce((n, d) => n + d.length, 0)} signed deliveries prepared in ${ms(performance.now() - prep, 0)} (GitHub's ${deliveries.bot[0]!.body.length} bytes, Gitea's ${deliveries.gitea[0]!.body.length} bytes each)`,
  );

  const botAll: Sample[] = [];
  // Warm-up (not in the figures): JIT, lazy imports, first connections.
  await openLoop(targets.bare, deliveries.bare.slice(0, warm), options.rate);
  botAll.push(...(await openLoop(targets.bot, deliveries.bot.slice(0, warm), options.rate)));
  botAll.push(...(await openLoop(targets.gitea, deliveries.gitea.slice(0, warm), options.rate)));
  await sleep(500);

  const measured: Record<Which, Sample[]> = { bare: [], bot: [], gitea: [] };
  // Rounds forward and backward: bare, bot, gitea, gitea, bot, bare, …
  const round: readonly Which[] = ["bare", "bot", "gitea"];
  const order: Which[] = [];
  for (let i = 0; order.length < blocks * round.length; i++) order.push(...(i % 2 === 0 ? round : [...round].reverse()));
  const nextIndex: Record<Which, number> = { bare: warm, bot: warm, gitea: warm };
  for (const [n, which] of order.entries()) {
    const target = targets[which];
    const slice = deliveries[which].slice(nextIndex[which], nextIndex[which] + perBlock);
    nextIndex[which] += perBlock;
    const samples = await openLoop(target, slice, options.rate);
    measured[which].push(...samples);
    if (which !== "bare") botAll.push(...samples);
    const s = stats(samples);
    log(
      `ack: block ${n + 1}/${order.length} ${target.name.padEnd(18)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  non-2xx ${s.non2xx}`,
    );
    if (bare.exited()) throw new Error(`the bare Probot app died:\n${bare.output()}`);
    if (botChild.exitCode !== null || botChild.signalCode !== null) throw new Error(`coder-bot died:\n${botOutput}`);
    await sleep(250);
  }

  const bareStats = stats(measured.bare);
  const botStats = stats(measured.bot);
  const giteaStats = stats(measured.gitea);
  await sleep(250);
  const verification = verify(path.join(h.dataDir, "coder-bot.db"), botAll);
  const p99Ratio = botStats.p99 / bareStats.p99;
  const giteaRatio = giteaStats.p99 / botStats.p99;
  const checks = [
    { name: "ack: coder-bot p99 < 50 ms", ok: botStats.p99 < 50, detail: ms(botStats.p99) },
    { name: "ack: coder-bot p99 ≤ 1.5× bare Probot p99", ok: p99Ratio <= 1.5, detail: ratio(p99Ratio) },
    { name: "ack: Gitea deliveries p99 < 50 ms", ok: giteaStats.p99 < 50, detail: ms(giteaStats.p99) },
    { name: "ack: Gitea p99 ≤ 1.5× the GitHub path's p99", ok: giteaRatio <= 1.5, detail: ratio(giteaRatio) },
    {
      name: "ack: every delivery answered 200 and queued exactly once",
      ok: verification.ok,
      detail: `${verification.acknowledged200}/${verification.sent} 200, ${verification.queuedExactlyOnce}/${verification.sent} queued once, ${verification.jobsInDatabase} jobs`,
    },
  ];

  log("");
  log(
    table(
      ["ack (measured)", "count", "p50", "p95", "p99", "max", "non-2xx", "max send lag"],
      (["bare", "bot", "gitea"] as const).map((which) => {
        const s = { bare: bareStats, bot: botStats, gitea: giteaStats }[which];
        return [targets[which].name, String(s.count), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), String(s.non2xx), ms(s.maxSendLag)];
      }),
    ),
  );
  log(`coder-bot p99 / bare Probot p99 = ${ratio(p99Ratio)}; Gitea p99 / GitHub p99 = ${ratio(giteaRatio)}`);
  log(
    `verification (${verification.sent} deliveries to coder-bot, warm-up included): ${verification.acknowledged200} answered 200, ${verification.withDeliveryKey} with a delivery key, ${verification.queuedExactlyOnce} queued exactly once, ${verification.jobsInDatabase} jobs in the database`,
  );
  for (const p of verification.problems) log(`  problem: ${p}`);
  for (const t of checks) log(`${passFail(t.ok)}  ${t.name} (${t.detail})`);

  return { options, bare: bareStats, bot: botStats, gitea: giteaStats, p99Ratio, giteaRatio, verification, targets: checks };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runAckBench();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
}
