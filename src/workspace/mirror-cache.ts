import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pathExists } from "./path-exists.js";
import { runGit } from "../git/run-git.js";

/**
 * One bare mirror per repository under the data directory. Each job fetches into it (cheap when
 * warm) and checks out a worktree from it, instead of cloning the whole history every time.
 * Remote branches land in `refs/remotes/origin/*`, so no fetch ever collides with a worktree.
 */
export class MirrorCache {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  pathFor(repoKey: string): string {
    const safe = repoKey.replace(/[^A-Za-z0-9._/-]/g, "_").replace(/\.\.+/g, "_");
    return path.join(this.#root, `${safe}.git`);
  }

  /** Fetches the repository's branches (and any extra refs) into its mirror; returns the mirror path. */
  async fetch(params: {
    readonly repoKey: string;
    readonly cloneUrl: string;
    readonly token: string | null;
    readonly extraRefs?: readonly string[];
  }): Promise<string> {
    const dir = this.pathFor(params.repoKey);
    if (!(await pathExists(path.join(dir, "HEAD")))) {
      await mkdir(dir, { recursive: true });
      await runGit(["init", "--bare", "--quiet", dir], { cwd: this.#root });
      await runGit(["config", "gc.auto", "0"], { cwd: dir });
    }
    const refspecs = [
      "+refs/heads/*:refs/remotes/origin/*",
      ...(params.extraRefs ?? []).map((r) => `+${r}:${r.replace(/^refs\//, "refs/extra/")}`),
    ];
    await runGit(["fetch", "--prune", "--no-tags", "--quiet", params.cloneUrl, ...refspecs], { cwd: dir, token: params.token });
    return dir;
  }
}
