import { runGit } from "./run-git.js";

export interface StagedChanges {
  readonly files: ReadonlyArray<{ path: string; added: number; removed: number }>;
  readonly diff: string;
}

/**
 * Stages everything the agent changed relative to `baseSha`. If the agent made commits of its
 * own (it has no tool for that, but a command could), they are folded back into the index so
 * that only the bot's single commit, made here, is ever pushed.
 */
export async function stageChanges(worktree: string, baseSha: string): Promise<StagedChanges> {
  const head = (await runGit(["rev-parse", "HEAD"], { cwd: worktree })).stdout.trim();
  if (head !== baseSha) await runGit(["reset", "--soft", baseSha], { cwd: worktree });
  await runGit(["add", "--all"], { cwd: worktree });
  const numstat = (await runGit(["-c", "core.quotepath=off", "diff", "--cached", "--numstat", baseSha], { cwd: worktree })).stdout;
  const files = numstat
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [added, removed, ...rest] = line.split("\t");
      return { path: rest.join("\t"), added: Number(added) || 0, removed: Number(removed) || 0 };
    });
  const diff = files.length ? (await runGit(["-c", "core.quotepath=off", "diff", "--cached", baseSha], { cwd: worktree })).stdout : "";
  return { files, diff };
}

/** Commits the staged changes as the bot and returns the new commit's sha. */
export async function commitStaged(worktree: string, params: { message: string; authorName: string; authorEmail: string }): Promise<string> {
  const identity = ["-c", `user.name=${params.authorName}`, "-c", `user.email=${params.authorEmail}`, "-c", "commit.gpgsign=false"];
  await runGit([...identity, "commit", "--quiet", "--no-verify", "--file", "-"], { cwd: worktree, input: params.message });
  return (await runGit(["rev-parse", "HEAD"], { cwd: worktree })).stdout.trim();
}
