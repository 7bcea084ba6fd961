/**
 * Workspace preparation with a warm mirror. A generated repository (5,200 small source files in
 * nested directories) is served over smart HTTP by the test git server. The product's path, as
 * the fix's prepare step runs it (src/fix/steps/prepare.ts: MirrorCache.fetch, `rev-parse`,
 * Worktrees.add), is timed against a plain `git worktree add --detach <dir> <sha>` of the same
 * commit from the same mirror, in alternating rounds (the order flips every round). Removing the
 * worktrees happens after each timing, outside it.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { runGit } from "../src/git/run-git.js";
import { MirrorCache } from "../src/workspace/mirror-cache.js";
import { Worktrees } from "../src/workspace/worktrees.js";
import { startGitServer, type GitServer } from "../test/support/git-server.js";
import { installExitHandlers, median, ms, onCleanup, passFail, ratio, runCleanups, table } from "./support.js";

export interface WorkspaceOptions {
  readonly files: number;
  readonly rounds: number;
}

export const defaultWorkspaceOptions: WorkspaceOptions = { files: 5_200, rounds: 10 };

export interface WorkspaceResult {
  readonly options: WorkspaceOptions;
  readonly repoBytes: number;
  readonly coldFetchMs: number;
  readonly product: readonly number[];
  readonly plain: readonly number[];
  readonly parts: { readonly fetch: number; readonly revParse: number; readonly add: number; readonly preRemove: number };
  readonly productMedian: number;
  readonly plainMedian: number;
  readonly ratio: number;
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

const OWNER = "acme";
const REPO = "monorepo";
const TOKEN = "ghs_bench_workspace_token";

// ── a realistic-looking repository ──────────────────────────────────────────────────────

/** mulberry32: the same repository on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = [
  "account",
  "adapter",
  "audit",
  "batch",
  "billing",
  "buffer",
  "cache",
  "channel",
  "client",
  "config",
  "cursor",
  "digest",
  "event",
  "export",
  "filter",
  "gateway",
  "handler",
  "index",
  "invoice",
  "job",
  "ledger",
  "limit",
  "loader",
  "mapper",
  "merge",
  "metric",
  "order",
  "parser",
  "payment",
  "policy",
  "queue",
  "quota",
  "record",
  "report",
  "request",
  "route",
  "schema",
  "session",
  "shard",
  "signal",
  "snapshot",
  "source",
  "stream",
  "sync",
  "task",
  "tenant",
  "token",
  "user",
  "window",
  "worker",
];

export function generateRepository(count: number, seed = 20_260_101): Record<string, string> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const camel = (a: string, b: string) => `${a}${b[0]!.toUpperCase()}${b.slice(1)}`;
  const pascal = (a: string, b: string) => `${a[0]!.toUpperCase()}${a.slice(1)}${b[0]!.toUpperCase()}${b.slice(1)}`;
  const files: Record<string, string> = {
    "README.md": "# monorepo\n\nServices and libraries of the platform.\n",
    "package.json": `${JSON.stringify({ name: "monorepo", private: true, workspaces: ["packages/*"], scripts: { test: "node --test" } }, null, 2)}\n`,
    ".gitignore": "node_modules/\ndist/\ncoverage/\n",
  };
  const packages = Array.from({ length: 13 }, (_, i) => `${words[(i * 7) % words.length]}-${words[(i * 11 + 3) % words.length]}`);
  let made = Object.keys(files).length;
  let n = 0;
  while (made < count) {
    const pkg = packages[n % packages.length]!;
    const area = words[(Math.floor(n / packages.length) % 10) + (n % 4) * 10]!;
    const sub = pick(["core", "api", "internal", "util", "model", "service"]);
    const a = pick(words);
    const b = pick(words);
    const kind = random();
    const base = `packages/${pkg}/${kind < 0.8 ? "src" : "test"}/${area}/${sub}`;
    const name = `${a}-${b}-${n}`;
    const file = kind < 0.8 ? `${base}/${name}.ts` : `${base}/${name}.test.ts`;
    const target = 1024 + Math.floor(random() * 2048);
    const lines: string[] = [
      `// ${pkg}: ${area}/${sub}/${name}`,
      `import { ${pascal(pick(words), "options")} } from "../../${pick(words)}/types.js";`,
      `import { ${camel(pick(words), pick(words))} } from "./${pick(words)}-${pick(words)}.js";`,
      "",
      `/** A ${a} ${b} of the ${area} ${sub}. */`,
      `export interface ${pascal(a, b)} {`,
      `  readonly id: string;`,
      `  readonly ${b}Count: number;`,
      `  readonly createdAt: Date;`,
      `}`,
      "",
    ];
    let i = 0;
    while (lines.join("\n").length < target) {
      const fn = camel(pick(words), pick(words));
      lines.push(
        `export function ${fn}${i}(input: ${pascal(a, b)}, limit = ${Math.floor(random() * 100)}): number {`,
        `  if (input.${b}Count > limit) return limit;`,
        `  const ${pick(words)} = input.id.length * ${Math.floor(random() * 1000)};`,
        `  return input.${b}Count + ${Math.floor(random() * 10)};`,
        `}`,
        "",
      );
      i++;
    }
    files[file] = `${lines
      .join("\n")
      .slice(0, target)
      .replace(/\n[^\n]*$/, "")}\n`;
    made++;
    n++;
  }
  return files;
}

// ── git helpers ─────────────────────────────────────────────────────────────────────────

/** The same clean environment runGit (src/git/run-git.ts) gives git, so the two sides differ only in what they run. */
function plainGitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: path.join(os.tmpdir(), "coder-bot-git-home"),
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_ASKPASS: "/bin/false",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/dev/null",
  };
}

function git(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env: plainGitEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Builds the history with `git fast-import` (straight into a pack: writing 5,000 files to a
 * working tree and `git add`ing them takes tens of seconds on a slow disk), then pushes it to the
 * test git server over HTTP. Four commits: the import, then three that each touch 40 files.
 */
async function importAndPush(server: GitServer, fullName: string, files: Record<string, string>, scratch: string): Promise<string> {
  const source = path.join(scratch, "source.git");
  await git(["init", "--quiet", "--bare", "--initial-branch=main", source], scratch);
  const chunks: Buffer[] = [];
  const data = (text: string) => {
    const body = Buffer.from(text);
    chunks.push(Buffer.from(`data ${body.length}\n`), body, Buffer.from("\n"));
  };
  const names = Object.keys(files);
  const random = prng(7);
  let when = 1_767_225_600;
  const commit = (message: string, changes: Record<string, string>) => {
    chunks.push(
      Buffer.from(`commit refs/heads/main\nauthor Dev <dev@example.com> ${when} +0000\ncommitter Dev <dev@example.com> ${when} +0000\n`),
    );
    data(message);
    for (const [name, text] of Object.entries(changes)) {
      chunks.push(Buffer.from(`M 100644 inline ${name}\n`));
      data(text);
    }
    when += 3_600;
  };
  const edited = { ...files };
  commit("Import the monorepo\n", files);
  for (let c = 1; c <= 3; c++) {
    const changes: Record<string, string> = {};
    for (let k = 0; k < 40; k++) {
      const name = names[Math.floor(random() * names.length)]!;
      changes[name] = edited[name] = `${edited[name]!}// revision ${c}\n`;
    }
    commit(`Revise ${Object.keys(changes).length} files (${c})\n`, changes);
  }
  chunks.push(Buffer.from("done\n"));
  Object.assign(files, edited);
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      "git",
      ["fast-import", "--quiet", "--done"],
      { cwd: source, env: plainGitEnv(), maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`git fast-import: ${error.message}\n${stderr}`));
        else resolve();
      },
    );
    child.stdin!.end(Buffer.concat(chunks));
  });
  server.createBareRepo(fullName);
  await server.git(["push", "--quiet", server.cloneUrl(fullName), "refs/heads/main:refs/heads/main"], { cwd: source, token: TOKEN });
  const sha = (await git(["rev-parse", "refs/heads/main"], source)).trim();
  rmSync(source, { recursive: true, force: true });
  return sha;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++;
  return n;
}

// ── the bench ───────────────────────────────────────────────────────────────────────────

export async function runWorkspaceBench(
  options: WorkspaceOptions = defaultWorkspaceOptions,
  log: (line: string) => void = console.log,
): Promise<WorkspaceResult> {
  installExitHandlers();
  const server = await startGitServer({ requireToken: (t) => t === TOKEN });
  onCleanup(() => server.close());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-bench-ws-"));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));

  let t = performance.now();
  const files = generateRepository(options.files);
  const repoBytes = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const fullName = `${OWNER}/${REPO}`;
  const sha = await importAndPush(server, fullName, files, dataDir);
  log(
    `workspace: ${Object.keys(files).length} files, ${(repoBytes / 1024 / 1024).toFixed(1)} MiB in 4 commits, imported and pushed to the git server in ${ms(performance.now() - t, 0)}`,
  );

  const repoKey = `${OWNER}/${REPO}`.toLowerCase();
  const cloneUrl = server.cloneUrl(fullName);
  const mirrors = new MirrorCache(path.join(dataDir, "mirrors"));
  const worktrees = new Worktrees(path.join(dataDir, "worktrees"));
  const plainRoot = path.join(dataDir, "plain");
  mkdirSync(plainRoot, { recursive: true });
  const ref = "refs/remotes/origin/main";

  t = performance.now();
  const mirror = await mirrors.fetch({ repoKey, cloneUrl, token: TOKEN });
  const coldFetchMs = performance.now() - t;
  log(`workspace: mirror warmed (first fetch) in ${ms(coldFetchMs, 0)}`);

  const parts = { fetch: [] as number[], revParse: [] as number[], add: [] as number[] };
  /** The prepare step without the runner: fetch into the mirror, resolve the ref, add the worktree. */
  const product = async (name: string): Promise<{ ms: number; dir: string; gitDir: string; baseSha: string }> => {
    const t0 = performance.now();
    const gitDir = await mirrors.fetch({ repoKey, cloneUrl, token: TOKEN, extraRefs: [] });
    const t1 = performance.now();
    const resolved = await runGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: gitDir, allowFailure: true });
    if (resolved.exitCode !== 0) throw new Error(`${ref} is not in the mirror`);
    const baseSha = resolved.stdout.trim();
    const t2 = performance.now();
    const { dir } = await worktrees.add(gitDir, baseSha, name);
    const t3 = performance.now();
    parts.fetch.push(t1 - t0);
    parts.revParse.push(t2 - t1);
    parts.add.push(t3 - t2);
    return { ms: t3 - t0, dir, gitDir, baseSha };
  };
  const plain = async (name: string): Promise<{ ms: number; dir: string }> => {
    const dir = path.join(plainRoot, name);
    const t0 = performance.now();
    await git(["worktree", "add", "--detach", dir, sha], mirror);
    return { ms: performance.now() - t0, dir };
  };
  const removePlain = async (dir: string) => {
    await git(["worktree", "remove", "--force", dir], mirror);
    rmSync(dir, { recursive: true, force: true });
    await git(["worktree", "prune"], mirror);
  };

  // One untimed round of each (page cache, git's own first-run costs), with a sanity check.
  {
    const a = await product("job-warmup");
    const b = await plain("warmup");
    const expected = Object.keys(files).length;
    const [na, nb] = [countFiles(a.dir), countFiles(b.dir)];
    if (a.baseSha !== sha || na !== expected + 1 || nb !== expected + 1) {
      // +1: the `.git` file a linked worktree has.
      throw new Error(`unexpected worktree: sha ${a.baseSha} vs ${sha}, ${na} and ${nb} files for ${expected}`);
    }
    await worktrees.remove(a.gitDir, a.dir);
    await removePlain(b.dir);
    for (const k of Object.keys(parts) as (keyof typeof parts)[]) parts[k].length = 0;
  }

  const productTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const steps = i % 2 === 0 ? (["product", "plain"] as const) : (["plain", "product"] as const);
    const line: string[] = [];
    for (const step of steps) {
      if (step === "product") {
        const r = await product(`job-${i}`);
        productTimes.push(r.ms);
        line.push(`product ${ms(r.ms, 1)}`);
        await worktrees.remove(r.gitDir, r.dir);
      } else {
        const r = await plain(`plain-${i}`);
        plainTimes.push(r.ms);
        line.push(`plain ${ms(r.ms, 1)}`);
        await removePlain(r.dir);
      }
    }
    log(`workspace: round ${String(i + 1).padStart(2)}/${options.rounds}  ${line.join("  ")}`);
  }

  // Worktrees.add starts with remove() (worktree remove, rm, worktree prune) even when there is
  // nothing to remove: its cost on its own, for the breakdown.
  const preRemove: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const t0 = performance.now();
    await worktrees.remove(mirror, path.join(dataDir, "worktrees", `job-missing-${i}`));
    preRemove.push(performance.now() - t0);
  }

  const productMedian = median(productTimes);
  const plainMedian = median(plainTimes);
  const r = productMedian / plainMedian;
  const partMedians = {
    fetch: median(parts.fetch),
    revParse: median(parts.revParse),
    add: median(parts.add),
    preRemove: median(preRemove),
  };
  const targets = [{ name: "workspace: product preparation ≤ 1.5× plain worktree add (medians)", ok: r <= 1.5, detail: ratio(r) }];

  log("");
  log(
    table(
      ["workspace (N=" + options.rounds + ")", "median", "min", "max"],
      [
        ["product: fetch + rev-parse + add", ms(productMedian, 1), ms(Math.min(...productTimes), 1), ms(Math.max(...productTimes), 1)],
        ["  of which fetch (warm mirror)", ms(partMedians.fetch, 1), ms(Math.min(...parts.fetch), 1), ms(Math.max(...parts.fetch), 1)],
        ["  of which rev-parse", ms(partMedians.revParse, 1), ms(Math.min(...parts.revParse), 1), ms(Math.max(...parts.revParse), 1)],
        ["  of which Worktrees.add", ms(partMedians.add, 1), ms(Math.min(...parts.add), 1), ms(Math.max(...parts.add), 1)],
        [
          "    (its remove() of a missing worktree)",
          ms(median(preRemove), 1),
          ms(Math.min(...preRemove), 1),
          ms(Math.max(...preRemove), 1),
        ],
        ["plain git worktree add --detach", ms(plainMedian, 1), ms(Math.min(...plainTimes), 1), ms(Math.max(...plainTimes), 1)],
      ],
    ),
  );
  log(`product / plain (medians) = ${ratio(r)}`);
  for (const target of targets) log(`${passFail(target.ok)}  ${target.name} (${target.detail})`);

  return {
    options,
    repoBytes,
    coldFetchMs,
    product: productTimes,
    plain: plainTimes,
    parts: partMedians,
    productMedian,
    plainMedian,
    ratio: r,
    targets,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runWorkspaceBench();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
}
