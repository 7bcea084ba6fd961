import type { RepoConfig } from "../config/repo-config.js";
import type { CodeIndex } from "../index/code-index.js";
import { fenceAsData } from "../safety/sanitize.js";
import { fixTools, fixToolsWithSearch } from "../tools/fix-tools.js";
import type { Tool, ToolContext } from "../tools/tool.js";

export interface CodeContext {
  readonly tools: ReadonlyMap<string, Tool>;
  readonly codeSearch?: NonNullable<ToolContext["codeSearch"]>;
  /** Appended to the task: the code most likely involved and a map of the repository; empty without an index. */
  readonly preamble: string;
}

/** Tokens of the first prompt given to code found for the task, and to the repository map. */
const CHUNKS_BUDGET = 3_000;
const MAP_BUDGET = 1_200;

/**
 * What the index adds to a fix: a `search_code` tool, and a first prompt that starts from the code
 * most related to the issue. The index covers the default branch; without one (not built yet,
 * switched off, or failing) the agent works with grep and find_files as before.
 */
export async function codeContextFor(
  index: CodeIndex | undefined,
  config: RepoConfig,
  params: {
    readonly repoKey: string;
    readonly tag: string;
    readonly query: string;
    readonly signal: AbortSignal;
    readonly onError?: (error: unknown) => void;
  },
): Promise<CodeContext> {
  const plain: CodeContext = { tools: fixTools, preamble: "" };
  if (!index || !config.index.enabled || !index.ready(params.repoKey, params.tag)) return plain;
  try {
    const [chunks, map] = await Promise.all([
      index.contextFor(params.repoKey, params.tag, params.query, CHUNKS_BUDGET, params.signal),
      index.repositoryMap(params.repoKey, params.tag, MAP_BUDGET),
    ]);
    const parts = [];
    if (map) parts.push(fenceAsData("Repository map (files and their main symbols, from the code index of the default branch)", map));
    if (chunks) parts.push(fenceAsData("Code that may be relevant (from the code index; read the files before you change them)", chunks));
    return {
      tools: fixToolsWithSearch,
      codeSearch: index.searcher(params.repoKey, params.tag, params.signal),
      preamble: parts.join("\n\n"),
    };
  } catch (error) {
    params.onError?.(error);
    return plain;
  }
}
