import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { runGit } from "../git/run-git.js";

/**
 * A checked-out worktree. `gitDir` is its administrative directory inside the mirror, read when
 * the worktree is created: afterwards the worktree's own `.git` file is writable by the agent's
 * commands and is never trusted again.
 */
export interface Worktree {
  readonly dir: string;
  readonly gitDir: string;
}

/** Detached worktrees, one per job, all under one directory so leftovers of a crash are easy to find. */
export class Worktrees {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** Checks out `sha` from `gitDir` into a fresh worktree named `name` (an existing one of that name is replaced). */
  async add(gitDir: string, sha: string, name: string): Promise<Worktree> {
    await mkdir(this.#root, { recursive: true });
    const dir = path.join(this.#root, name);
    // A crash can leave the directory, or only its registration in the mirror, behind.
    if (existsSync(dir)) await this.remove(gitDir, dir);
    else await runGit(["worktree", "prune"], { cwd: gitDir, allowFailure: true });
    await runGit(["worktree", "add", "--detach", "--quiet", dir, sha], { cwd: gitDir });
    const pointer = (await readFile(path.join(dir, ".git"), "utf8")).replace(/^gitdir:\s*/, "").trim();
    return { dir, gitDir: path.resolve(dir, pointer) };
  }

  async remove(gitDir: string, dir: string): Promise<void> {
    await runGit(["worktree", "remove", "--force", dir], { cwd: gitDir, allowFailure: true });
    await rm(dir, { recursive: true, force: true });
    await runGit(["worktree", "prune"], { cwd: gitDir, allowFailure: true });
  }

  /** Deletes every worktree directory; called at start-up, when no job can be using one. */
  async removeAll(): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(this.#root);
    } catch {
      return 0;
    }
    await Promise.all(entries.map((e) => rm(path.join(this.#root, e), { recursive: true, force: true })));
    return entries.length;
  }
}
