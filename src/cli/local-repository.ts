import { realpath } from "node:fs/promises";
import { GITEA_CONFIG_PATH, parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
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
  // A checkout of a GitHub repository keeps it in .github/, one of a Gitea repository may use .gitea/.
  let config: RepoConfig | null = null;
  for (const configPath of [REPO_CONFIG_PATH, GITEA_CONFIG_PATH]) {
    const shown = await runGit(["show", `HEAD:${configPath}`], { cwd: root, allowFailure: true });
    if (shown.exitCode === 0) {
      config = parseRepoConfig(shown.stdout, configPath);
      break;
    }
  }
  return {
    root,
    repoKey: `local:${root}`,
    tag: branch.exitCode === 0 ? branch.stdout.trim() : "HEAD",
    commitSha: head.exitCode === 0 ? head.stdout.trim() : null,
    config: config ?? parseRepoConfig(null),
  };
}
