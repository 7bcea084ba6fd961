import { realpath } from "node:fs/promises";
import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import { runGit } from "../git/run-git.js";

export interface LocalRepository {
  readonly root: string;
  /** The index's key for a checkout on this machine. */
  readonly repoKey: string;
  /** The branch checked out, or `HEAD` when detached: the index's tag. */
  readonly tag: string;
  readonly commitSha: string | null;
  readonly config: RepoConfig;
}

/** A git checkout named on the command line, with its committed `.github/coder.yml`. */
export async function localRepository(repoPath: string): Promise<LocalRepository> {
  const top = await runGit(["rev-parse", "--show-toplevel"], { cwd: repoPath, allowFailure: true });
  if (top.exitCode !== 0) throw new Error(`${repoPath} is not a git repository: index a checkout (git clone …) or pass --repo <path>`);
  const root = await realpath(top.stdout.trim());
  const branch = await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: root, allowFailure: true });
  const head = await runGit(["rev-parse", "HEAD"], { cwd: root, allowFailure: true });
  const configText = await runGit(["show", `HEAD:${REPO_CONFIG_PATH}`], { cwd: root, allowFailure: true });
  return {
    root,
    repoKey: `local:${root}`,
    tag: branch.exitCode === 0 ? branch.stdout.trim() : "HEAD",
    commitSha: head.exitCode === 0 ? head.stdout.trim() : null,
    config: parseRepoConfig(configText.exitCode === 0 ? configText.stdout : null),
  };
}
