import { ContextPack } from "./context-pack.js";
import type { RetrievedChunk } from "./retriever.js";
import type { IndexStore } from "./types.js";

/** Lexical hits read per name: enough to find a definition or a few callers among split-identifier matches. */
const HITS_PER_NAME = 20;
const CALLERS_PER_NAME = 2;

/** A change as a review asks the index about it: by meaning, and by the names it changes and calls. */
export interface CodeChange {
  readonly query: string;
  /** Names the change declares, edits or removes: code that uses them is shown. */
  readonly changed: readonly string[];
  /** Names the change calls: their definitions are shown. */
  readonly called: readonly string[];
  /** Every file of the change, which the model sees already. */
  readonly changedPaths: ReadonlySet<string>;
}

/**
 * The code a reviewer opens beside a diff: the definitions of what the change calls, the code that
 * uses what it changes (outside the changed files, which the model already sees), then the chunks
 * nearest the change in meaning, each chunk once, within the budget in that order.
 */
export async function relatedCode(
  params: CodeChange & {
    readonly store: IndexStore;
    readonly search: (query: string, k: number) => Promise<RetrievedChunk[]>;
    readonly repoKey: string;
    readonly tag: string;
    readonly budgetTokens: number;
  },
): Promise<string> {
  const { store, repoKey, tag } = params;
  const pack = new ContextPack(params.budgetTokens);
  const definitions: string[] = [];
  for (const name of params.called) {
    const hits = await store.lexical(repoKey, name, HITS_PER_NAME, tag);
    const definition = hits.find((hit) => hit.chunk.symbols.at(-1) === name && !params.changedPaths.has(hit.chunk.path));
    const block = definition ? pack.take(definition.chunk) : null;
    if (block) definitions.push(block);
  }
  const callers: string[] = [];
  for (const name of params.changed) {
    const word = new RegExp(`(?<![\\w$])${name.replace(/[$]/g, "\\$")}(?![\\w$])`);
    const hits = await store.lexical(repoKey, name, HITS_PER_NAME, tag);
    const users = hits.filter(
      (hit) => !params.changedPaths.has(hit.chunk.path) && hit.chunk.symbols.at(-1) !== name && word.test(hit.chunk.text),
    );
    for (const hit of users.slice(0, CALLERS_PER_NAME)) {
      const block = pack.take(hit.chunk);
      if (block) callers.push(block);
    }
  }
  const nearby: string[] = [];
  for (const { chunk } of await params.search(params.query, 12)) {
    if (params.changedPaths.has(chunk.path)) continue;
    const block = pack.take(chunk);
    if (block) nearby.push(block);
  }
  const sections: string[] = [];
  if (definitions.length > 0) sections.push(`Definitions of what the change calls:\n\n${definitions.join("\n\n")}`);
  if (callers.length > 0) sections.push(`Code that uses what the change modifies:\n\n${callers.join("\n\n")}`);
  if (nearby.length > 0) sections.push(`Other code near the change in meaning:\n\n${nearby.join("\n\n")}`);
  return sections.join("\n\n");
}
