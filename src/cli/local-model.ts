import type { Env } from "../config/env.js";
import { openCodeIndex, type OpenedCodeIndex } from "../index/open-code-index.js";
import { providerFor } from "../llm/provider-for.js";
import type { LlmProvider } from "../llm/types.js";
import { openDatabase, type Database } from "../store/database.js";
import { localRepository, type LocalRepository } from "./local-repository.js";

export interface LocalModel {
  readonly env: Env;
  readonly repo: LocalRepository;
  readonly db: Database;
  readonly code: OpenedCodeIndex | null;
  readonly provider: LlmProvider;
}

/** What a command that asks the model about a local checkout needs, opened for `fn` and closed after it. */
export async function withLocalModel(env: Env, repoPath: string, fn: (local: LocalModel) => Promise<void>): Promise<void> {
  const repo = await localRepository(repoPath);
  const db = openDatabase(env.CODER_DATA_DIR);
  const code = openCodeIndex(env, db);
  const provider = providerFor(env);
  try {
    await fn({ env, repo, db, code, provider });
  } finally {
    await provider.close?.();
    await code?.close();
    db.close();
  }
}
