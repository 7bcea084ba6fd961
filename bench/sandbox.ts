/**
 * Workspace containers, under runc and again under runsc (gVisor), each figure measured side by
 * side with the plain Docker CLI in alternating rounds (the order flips every round):
 *
 * 1. Ready: the product's `DockerRunnerFactory.create()` plus one `runner.run(["true"])` (create,
 *    start, first command) against `docker run -d --runtime <rt> --network none <image> sleep
 *    infinity` plus one `docker exec <id> true`, timed from the spawn of `docker run` to the exit
 *    of `docker exec`. For information only, a third side between the two: the same CLI pair with
 *    the flags the product gives its containers (read-only root, tmpfs, limits, init, bind mount),
 *    which separates what the confinement costs the engine from what the product's code costs.
 *    Containers are removed after each timing, outside it. Note: the product creates its
 *    containers with `NetworkDisabled: true`, which the CLI cannot ask for; `--network none` still
 *    has the engine set up a network namespace, which makes both CLI sides start slower (about
 *    250 ms under runc on Docker 20.10) — a difference in what is started, not in client code.
 * 2. Per command: one product runner and one plain container, started once; `runner.run(["true"])`
 *    against `docker exec <id> true`. For information only, a third side between the two: a bare
 *    dockerode exec of `true` in the product's container (no `sh -c 'kill -1; exec timeout …'`
 *    wrapper, no user or environment), which separates the wrapper from the API client.
 *
 * Every container carries a bench label; whatever is left (an error, SIGINT) is removed by label.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { DockerRunnerFactory, type DockerRunner } from "../src/workspace/docker/docker-runner.js";
import { DEFAULT_WORKSPACE_IMAGE, defaultSandbox } from "../src/workspace/docker/sandbox-options.js";
import { installExitHandlers, interrupted, median, ms, onCleanup, ratio, runCleanups, sleep, table, trackChild } from "./support.js";

export type Runtime = "runc" | "runsc";

export interface SandboxBenchOptions {
  readonly runtimes: readonly Runtime[];
  /** Rounds of the ready bench, per runtime. */
  readonly readyRounds: number;
  /** Rounds of the per-command bench, per runtime. */
  readonly execRounds: number;
  readonly image: string;
}

export const defaultSandboxOptions: SandboxBenchOptions = {
  runtimes: ["runc", "runsc"],
  readyRounds: 8,
  execRounds: 30,
  image: DEFAULT_WORKSPACE_IMAGE,
};

export const READY_TARGET = 1.2;
export const EXEC_TARGET = 1.3;

export interface Series {
  readonly times: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface RuntimeResult {
  readonly runtime: Runtime;
  readonly ready: {
    readonly product: Series;
    readonly productCreate: Series;
    readonly productFirstRun: Series;
    readonly plain: Series;
    readonly plainRun: Series;
    readonly plainExec: Series;
    readonly plainProductFlags: Series;
    readonly ratio: number;
  };
  readonly exec: {
    readonly product: Series;
    readonly plain: Series;
    readonly bareDockerode: Series;
    readonly ratio: number;
  };
}

export interface SandboxResult {
  readonly options: SandboxBenchOptions;
  readonly runtimes: readonly RuntimeResult[];
  readonly targets: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

function series(times: readonly number[]): Series {
  return { times, median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

function row(label: string, s: Series): string[] {
  return [label, ms(s.median, 1), ms(s.min, 1), ms(s.max, 1)];
}

// ── the plain CLI ───────────────────────────────────────────────────────────────────────

function docker(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("docker", args, { maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    trackChild(child);
  });
}

function checkInterrupted(): void {
  if (interrupted()) throw new Error("interrupted");
}

// ── the bench ───────────────────────────────────────────────────────────────────────────

export async function runSandboxBench(
  options: SandboxBenchOptions = defaultSandboxOptions,
  log: (line: string) => void = console.log,
): Promise<SandboxResult> {
  installExitHandlers();
  const owner = `bench-sandbox-${process.pid}-${Date.now().toString(36)}`;
  /** Label of the plain containers; the product's carry the factory's owner label. */
  const benchLabel = `dev.coder-bot.bench=${owner}`;

  // The operation under way: the sweep waits for it (a little), so that a container created while
  // SIGINT is handled is still removed.
  let pending: Promise<unknown> = Promise.resolve();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending = p.catch(() => undefined);
    return p;
  };

  const root = mkdtempSync(path.join(os.tmpdir(), "coder-bot-bench-sandbox-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const factories: DockerRunnerFactory[] = [];
  onCleanup(async () => {
    await Promise.race([pending, sleep(5_000)]);
    for (const f of factories) await f.removeOrphans();
    const ids = (await docker(["ps", "-aq", "--filter", `label=${benchLabel}`])).split("\n").filter(Boolean);
    if (ids.length > 0) await docker(["rm", "-f", ...ids]);
  });

  const workspace = path.join(root, "workspace");
  const files: Record<string, string> = {
    "README.md": "# widgets\n",
    "package.json": `${JSON.stringify({ name: "widgets", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
    "src/add.js": "export const add = (a, b) => a + b;\n",
    "src/lib/format.js": "export const format = (n) => n.toFixed(2);\n",
    "test/add.test.js": 'import { add } from "../src/add.js";\nif (add(1, 2) !== 3) throw new Error("add");\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    writeFileSync(path.join(workspace, name), text);
  }
  log(
    `sandbox: image ${options.image}, workspace of ${Object.keys(files).length} files, ${options.readyRounds} ready rounds and ${options.execRounds} command rounds per runtime, running as uid ${process.getuid?.() ?? "?"}`,
  );

  const results: RuntimeResult[] = [];
  for (const runtime of options.runtimes) {
    checkInterrupted();
    const factory = new DockerRunnerFactory({ owner: `${owner}-${runtime}`, defaults: { runtime, image: options.image } });
    factories.push(factory);

    // ── 1. ready ──
    const plainRunArgs = [
      "run",
      "-d",
      "--runtime",
      runtime,
      "--network",
      "none",
      "--label",
      benchLabel,
      options.image,
      "sleep",
      "infinity",
    ];
    // The product's HostConfig, spelled as CLI flags (src/workspace/docker/docker-runner.ts, create());
    // all but NetworkDisabled, which has no CLI flag.
    const s = defaultSandbox;
    const productFlagArgs = [
      "run",
      "-d",
      "--runtime",
      runtime,
      "--network",
      "none",
      "--label",
      benchLabel,
      "--user",
      "65534",
      "--workdir",
      "/workspace",
      "-v",
      `${workspace}:/workspace:rw`,
      "--read-only",
      "--tmpfs",
      `/tmp:rw,nosuid,nodev,exec,size=${s.tmpfsMb}m,mode=1777`,
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--memory",
      `${s.memoryMb}m`,
      "--memory-swap",
      `${s.memoryMb}m`,
      "--cpus",
      String(s.cpus),
      "--pids-limit",
      String(runtime === "runsc" ? s.pids + 512 : s.pids),
      ...(runtime === "runsc" ? ["--ulimit", `nproc=${s.pids}:${s.pids}`] : []),
      "--init",
      options.image,
      "sleep",
      "infinity",
    ];

    const productReady = async (name: string) => {
      const t0 = performance.now();
      const runner = (await track(factory.create(workspace, { name }))) as DockerRunner;
      const t1 = performance.now();
      const result = await track(runner.run(["true"], { timeoutMs: 10_000 }));
      const t2 = performance.now();
      await runner.dispose();
      if (result.exitCode !== 0) throw new Error(`product: true exited ${result.exitCode}: ${result.stderr}`);
      return { ms: t2 - t0, create: t1 - t0, run: t2 - t1 };
    };
    const plainReady = async (args: readonly string[]) => {
      const t0 = performance.now();
      const id = (await track(docker(args))).trim();
      const t1 = performance.now();
      await track(docker(["exec", id, "true"]));
      const t2 = performance.now();
      await docker(["rm", "-f", id]);
      return { ms: t2 - t0, run: t1 - t0, exec: t2 - t1 };
    };

    // One untimed round of each: image layers and runtime binaries into the page cache.
    await productReady("bench-warmup");
    await plainReady(plainRunArgs);
    await plainReady(productFlagArgs);

    const ready = {
      product: [] as number[],
      create: [] as number[],
      firstRun: [] as number[],
      plain: [] as number[],
      plainRun: [] as number[],
      plainExec: [] as number[],
      flags: [] as number[],
    };
    for (let i = 0; i < options.readyRounds; i++) {
      checkInterrupted();
      const line: string[] = [];
      const doProduct = async () => {
        const r = await productReady(`bench-${i}`);
        ready.product.push(r.ms);
        ready.create.push(r.create);
        ready.firstRun.push(r.run);
        line.push(`product ${ms(r.ms, 0)}`);
      };
      const doPlain = async () => {
        const r = await plainReady(plainRunArgs);
        ready.plain.push(r.ms);
        ready.plainRun.push(r.run);
        ready.plainExec.push(r.exec);
        line.push(`plain ${ms(r.ms, 0)}`);
      };
      const doFlags = async () => {
        const r = await plainReady(productFlagArgs);
        ready.flags.push(r.ms);
        line.push(`(plain, product's flags ${ms(r.ms, 0)})`);
      };
      // product and plain alternate; the information-only side always sits between them.
      if (i % 2 === 0) {
        await doProduct();
        await doFlags();
        await doPlain();
      } else {
        await doPlain();
        await doFlags();
        await doProduct();
      }
      log(`sandbox ${runtime}: ready round ${String(i + 1).padStart(2)}/${options.readyRounds}  ${line.join("  ")}`);
    }

    // ── 2. per command ──
    checkInterrupted();
    const runner = (await track(factory.create(workspace, { name: "bench-exec" }))) as DockerRunner;
    onCleanup(() => runner.dispose());
    const plainId = (await track(docker(plainRunArgs))).trim();
    const productContainer = factory.docker.getContainer(runner.id);

    const productExec = async () => {
      const t0 = performance.now();
      const result = await runner.run(["true"], { timeoutMs: 10_000 });
      const t = performance.now() - t0;
      if (result.exitCode !== 0) throw new Error(`product: true exited ${result.exitCode}: ${result.stderr}`);
      return t;
    };
    const plainExec = async () => {
      const t0 = performance.now();
      await docker(["exec", plainId, "true"]);
      return performance.now() - t0;
    };
    /** execCommand (src/workspace/docker/exec-command.ts) without the wrapper, the user and the environment. */
    const bareExec = async () => {
      const t0 = performance.now();
      const exec = await productContainer.exec({ Cmd: ["true"], AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
      const stream = await exec.start({ hijack: true, stdin: false });
      const sink = new PassThrough();
      sink.resume();
      factory.docker.modem.demuxStream(stream, sink, sink);
      await new Promise<void>((resolve) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", () => resolve());
      });
      const info = await exec.inspect();
      const t = performance.now() - t0;
      if (info.ExitCode !== 0) throw new Error(`bare dockerode exec: true exited ${info.ExitCode}`);
      return t;
    };

    // Untimed warm-up: the first exec in a fresh sandbox (gVisor especially) is slower.
    for (let k = 0; k < 3; k++) {
      await productExec();
      await bareExec();
      await plainExec();
    }

    const execTimes = { product: [] as number[], plain: [] as number[], bare: [] as number[] };
    for (let i = 0; i < options.execRounds; i++) {
      checkInterrupted();
      if (i % 2 === 0) {
        execTimes.product.push(await productExec());
        execTimes.bare.push(await bareExec());
        execTimes.plain.push(await plainExec());
      } else {
        execTimes.plain.push(await plainExec());
        execTimes.bare.push(await bareExec());
        execTimes.product.push(await productExec());
      }
      if ((i + 1) % 10 === 0) {
        const last = (xs: number[]) => median(xs.slice(-10));
        log(
          `sandbox ${runtime}: commands ${String(i + 1).padStart(2)}/${options.execRounds}  last 10 medians: product ${ms(last(execTimes.product), 1)}  plain ${ms(last(execTimes.plain), 1)}  (bare dockerode ${ms(last(execTimes.bare), 1)})`,
        );
      }
    }
    await runner.dispose();
    await docker(["rm", "-f", plainId]);

    const result: RuntimeResult = {
      runtime,
      ready: {
        product: series(ready.product),
        productCreate: series(ready.create),
        productFirstRun: series(ready.firstRun),
        plain: series(ready.plain),
        plainRun: series(ready.plainRun),
        plainExec: series(ready.plainExec),
        plainProductFlags: series(ready.flags),
        ratio: median(ready.product) / median(ready.plain),
      },
      exec: {
        product: series(execTimes.product),
        plain: series(execTimes.plain),
        bareDockerode: series(execTimes.bare),
        ratio: median(execTimes.product) / median(execTimes.plain),
      },
    };
    results.push(result);

    log("");
    log(
      table(
        [`sandbox ${runtime}: ready (N=${options.readyRounds})`, "median", "min", "max"],
        [
          row("product: create() + run(true)", result.ready.product),
          row("  of which create()", result.ready.productCreate),
          row("  of which first run(true)", result.ready.productFirstRun),
          row("plain: docker run -d + docker exec true", result.ready.plain),
          row("  of which docker run -d", result.ready.plainRun),
          row("  of which docker exec true", result.ready.plainExec),
          row("(info) plain with the product's flags", result.ready.plainProductFlags),
        ],
      ),
    );
    log(`product / plain (medians) = ${ratio(result.ready.ratio)}`);
    log("");
    log(
      table(
        [`sandbox ${runtime}: per command (N=${options.execRounds})`, "median", "min", "max"],
        [
          row("product: runner.run(true)", result.exec.product),
          row("plain: docker exec <id> true", result.exec.plain),
          row("(info) bare dockerode exec true", result.exec.bareDockerode),
        ],
      ),
    );
    log(`product / plain (medians) = ${ratio(result.exec.ratio)}`);
    const runtimeTargets = readyAndExecTargets(result);
    for (const t of runtimeTargets) log(`${t.ok ? "PASS" : "MISSED"}  ${t.name} (${t.detail})`);
    log("");
  }

  return { options, runtimes: results, targets: results.flatMap(readyAndExecTargets) };
}

function readyAndExecTargets(r: RuntimeResult): { name: string; ok: boolean; detail: string }[] {
  return [
    {
      name: `sandbox ${r.runtime}: container ready ≤ ${READY_TARGET}× plain docker run + exec (medians)`,
      ok: r.ready.ratio <= READY_TARGET,
      detail: ratio(r.ready.ratio),
    },
    {
      name: `sandbox ${r.runtime}: per command ≤ ${EXEC_TARGET}× plain docker exec (medians)`,
      ok: r.exec.ratio <= EXEC_TARGET,
      detail: ratio(r.exec.ratio),
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runSandboxBench();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
}
