import { checkPushArgs, type PushRules } from "./push-policy.js";
import { runGit } from "./run-git.js";

export type PushOutcome =
  | { readonly ok: true; readonly branch: string; readonly sha: string; readonly created: boolean }
  | { readonly ok: false; readonly reason: "non-fast-forward" | "rejected"; readonly message: string };

/**
 * Pushes one commit to one branch, fast-forward only. A branch that moved is reported as
 * `non-fast-forward` so the caller can choose another branch; nothing here ever retries with force.
 */
export async function pushCommit(params: {
  readonly cwd: string;
  readonly remoteUrl: string;
  readonly sha: string;
  readonly branch: string;
  readonly token: string | null;
  readonly rules: PushRules;
}): Promise<PushOutcome> {
  const args = ["push", "--porcelain", params.remoteUrl, `${params.sha}:refs/heads/${params.branch}`];
  checkPushArgs(args, params.rules);
  const result = await runGit(args, { cwd: params.cwd, token: params.token, allowFailure: true });
  const text = `${result.stdout}\n${result.stderr}`;
  if (result.exitCode === 0) {
    return { ok: true, branch: params.branch, sha: params.sha, created: /\[new branch\]/.test(text) };
  }
  if (/\[rejected\]|non-fast-forward|fetch first|denying non-fast-forward|\(stale info\)/.test(text)) {
    return { ok: false, reason: "non-fast-forward", message: `the remote branch ${params.branch} has commits this push does not contain` };
  }
  return { ok: false, reason: "rejected", message: lastLines(result.stderr || result.stdout) };
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-4).join("\n");
}
