import type { Env } from "../config/env.js";
import { openCodeIndex } from "../index/open-code-index.js";
import { summarizeSkipped } from "../index/scan/skip-summary.js";
import { openDatabase } from "../store/database.js";
import { localRepository } from "./local-repository.js";
import { progressLine } from "./progress-line.js";

function opened(env: Env) {
  const db = openDatabase(env.CODER_DATA_DIR);
  const code = openCodeIndex(env, db);
  if (!code) {
    db.close();
    throw new Error("the code index is switched off (CODER_INDEX=off); set CODER_INDEX=sqlite (the default) or qdrant");
  }
  return { index: code.index, close: async () => (await code.close(), db.close()) };
}

/** `coder-bot index`: brings the index of a local checkout's current branch up to date. */
export async function indexCommand(env: Env, repoPath: string, out: NodeJS.WriteStream): Promise<void> {
  const repo = await localRepository(repoPath);
  const { index, close } = opened(env);
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", stop);
  try {
    out.write(`Indexing ${repo.root} (${repo.tag}) with ${index.embedder.label}…\n`);
    const stats = await index.index({
      repoKey: repo.repoKey,
      tag: repo.tag,
      root: repo.root,
      commitSha: repo.commitSha,
      include: repo.config.index.include,
      exclude: repo.config.index.exclude,
      signal: controller.signal,
      onProgress: progressLine(out),
    });
    const seconds = stats.durationMs / 1000;
    out.write(
      [
        `${stats.files} files: ${stats.chunked} chunked, ${stats.unchanged} unchanged, ${stats.reused} reused from another branch, ${stats.removed} removed.`,
        `${stats.chunks} chunks (${seconds > 0 ? (stats.chunks / seconds).toFixed(1) : "0"} chunks/s), ${stats.embedded} embedded, ${stats.cached} from the cache, in ${seconds.toFixed(1)} s.`,
        summarizeSkipped(stats.skipped),
        "",
      ].join("\n"),
    );
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error("indexing was interrupted; run `coder-bot index` again to resume where it stopped", { cause: error });
    throw error;
  } finally {
    process.off("SIGINT", stop);
    await close();
  }
}

/** `coder-bot search`: the best chunks of a local checkout's index for a query. */
export async function searchCommand(
  env: Env,
  query: string,
  options: { repo: string; k: number; json: boolean },
  out: NodeJS.WriteStream,
): Promise<void> {
  const repo = await localRepository(options.repo);
  const { index, close } = opened(env);
  try {
    if (!index.ready(repo.repoKey, repo.tag))
      throw new Error(`${repo.root} (${repo.tag}) is not indexed yet: run \`coder-bot index --repo ${options.repo}\` first`);
    const hits = await index.search(repo.repoKey, repo.tag, query, options.k);
    if (options.json) {
      out.write(
        `${JSON.stringify(
          hits.map(({ chunk, score }) => ({
            path: chunk.path,
            startLine: chunk.startLine,
            endLine: chunk.endLine,
            score,
            kind: chunk.kind,
            symbols: chunk.symbols,
          })),
          null,
          2,
        )}\n`,
      );
      return;
    }
    if (hits.length === 0) out.write("No matches.\n");
    for (const { chunk, score } of hits) {
      out.write(`${chunk.path}:${chunk.startLine}-${chunk.endLine}  ${score.toFixed(4)}  ${chunk.signature ?? chunk.symbols.join(".")}\n`);
    }
  } finally {
    await close();
  }
}
