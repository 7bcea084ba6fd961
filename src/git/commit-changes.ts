import { runGit } from "./run-git.js";

/** A checked-out worktree and its administrative directory, read when it was created (never from its `.git` file). */
export interface PinnedWorktree {
  readonly dir: string;
  readonly gitDir: string;
}

/** git options that pin the repository, so a `.git` the agent planted in the worktree is ignored. */
function pinned(worktree: PinnedWorktree): string[] {
  return [`--git-dir=${worktree.gitDir}`, `--work-tree=${worktree.dir}`];
}

export interface StagedChanges {
  readonly files: ReadonlyArray<{ path: string; added: number; removed: number }>;
  readonly diff: string;
}

/**
 * Stages everything the agent changed relative to `baseSha`. If the agent made commits of its
 * own (it has no tool for that, but a command could), they are folded back into the index so
 * that only the bot's single commit, made here, is ever pushed.
 */
export async function stageChanges(worktree: PinnedWorktree, baseSha: string): Promise<StagedChanges> {
  const git = (args: string[]) => runGit([...pinned(worktree), ...args], { cwd: worktree.dir });
  const head = (await git(["rev-parse", "HEAD"])).stdout.trim();
  if (head !== baseSha) await git(["reset", "--soft", baseSha]);
  await git(["add", "--all"]);
  const numstat = (await git(["-c", "core.quotepath=off", "diff", "--cached", "--numstat", baseSha])).stdout;
  const files = numstat
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [added, removed, ...rest] = line.split("\t");
      return { path: rest.join("\t"), added: Number(added) || 0, removed: Number(removed) || 0 };
    });
  const diff = files.length ? (await git(["-c", "core.quotepath=off", "diff", "--cached", baseSha])).stdout : "";
  return { files, diff };
}

/** Commits the staged changes as the bot and returns the new commit's sha. */
export async function commitStaged(
  worktree: PinnedWorktree,
  params: { message: string; authorName: string; authorEmail: string },
): Promise<string> {
  const identity = ["-c", `user.name=${params.authorName}`, "-c", `user.email=${params.authorEmail}`, "-c", "commit.gpgsign=false"];
  await runGit([...pinned(worktree), ...identity, "commit", "--quiet", "--no-verify", "--file", "-"], {
    cwd: worktree.dir,
    input: params.message,
  });
  return (await runGit([...pinned(worktree), "rev-parse", "HEAD"], { cwd: worktree.dir })).stdout.trim();
}
