import type { MirrorCache } from "../workspace/mirror-cache.js";

/**
 * Where a fix's repository comes from and where its commit goes: the bot's mirror of a forge
 * repository (fetched each job, pushed to over HTTP), or a repository on this machine.
 */
export interface WorkspaceSource {
  /** Brings the repository's objects and refs up to date and returns its git directory. */
  fetch(token: string | null, extraRefs: readonly string[]): Promise<string>;
  /** The ref a branch of the repository is found at in that git directory. */
  branchRef(branch: string): string;
  /**
   * The git directory that holds the repository's objects: a worktree's commit lands there, so it
   * outlives the worktree (a resumed job publishes it), and pushes run from there, never from the
   * worktree, whose `.git` file the agent could have replaced.
   */
  readonly gitDir: string;
  /** Where the commit is pushed. */
  readonly remoteUrl: string;
}

/** A forge repository, through the bot's bare mirror of it; remote branches are `refs/remotes/origin/*` there. */
export function mirrorSource(mirrors: Pick<MirrorCache, "fetch" | "pathFor">, repoKey: string, cloneUrl: string): WorkspaceSource {
  return {
    fetch: (token, extraRefs) => mirrors.fetch({ repoKey, cloneUrl, token, extraRefs }),
    branchRef: (branch) => `refs/remotes/origin/${branch}`,
    gitDir: mirrors.pathFor(repoKey),
    remoteUrl: cloneUrl,
  };
}

/**
 * A repository on this machine: the worktree is added to it directly, and the commit is pushed
 * back into it as a new branch (git itself, fast-forward only, through the same push policy).
 */
export function checkoutSource(root: string, gitDir: string): WorkspaceSource {
  return {
    fetch: () => Promise.resolve(gitDir),
    branchRef: (branch) => `refs/heads/${branch}`,
    gitDir,
    remoteUrl: root,
  };
}
