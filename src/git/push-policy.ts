import picomatch from "picomatch";

/**
 * The rules for what the bot may push. This is the only place that decides; `safe-push.ts` is the
 * only code that pushes. A push is `git push <url> <sha>:refs/heads/<branch>`, nothing else.
 */
export interface PushRules {
  readonly defaultBranch: string;
  /** The bot's own namespace, e.g. `coder/`. */
  readonly prefix: string;
  /** Extra branch globs never pushed to (`release/*`). */
  readonly protectedPatterns: readonly string[];
  /** A pull request's head branch the bot was asked to update, outside its namespace. */
  readonly allowedHead?: string;
}

export type PushRefusalReason = "not-a-push" | "option" | "refspec" | "force" | "delete" | "branch";

/** A push the policy refuses, before git runs: which rule it broke, and the words for the person who asked. */
export class PushRefused extends Error {
  readonly reason: PushRefusalReason;

  constructor(reason: PushRefusalReason, message: string) {
    super(message);
    this.name = "PushRefused";
    this.reason = reason;
  }
}

const forbiddenFlags =
  /^(-f|--force|--force-with-lease(=.*)?|--force-if-includes|--no-force-if-includes|-d|--delete|--mirror|--all|--tags|--prune|--follow-tags|--atomic|-o|--push-option(=.*)?|--receive-pack(=.*)?|--exec(=.*)?|--repo(=.*)?|--set-upstream|-u)$/;

/**
 * `branches.protected` globs: `*` matches any run of characters, `/` included, so `release/*`
 * protects `release/1.0/hotfix` too (protection errs on the side of more). Negation and braces
 * stay literal: a pattern must never protect less than it says.
 */
function matchesGlob(branch: string, glob: string): boolean {
  return picomatch.isMatch(branch, glob, { bash: true, dot: true, nonegate: true, nobrace: true });
}

/** Why `branch` may not receive a push, or null when it may. */
export function branchRefusal(branch: string, rules: PushRules): string | null {
  if (
    !/^[A-Za-z0-9._/-]+$/.test(branch) ||
    branch.includes("..") ||
    branch.startsWith("/") ||
    branch.endsWith("/") ||
    branch.endsWith(".lock")
  ) {
    return `"${branch}" is not a branch name the bot pushes to`;
  }
  if (branch === rules.defaultBranch) return `"${branch}" is the default branch; the bot never pushes to it`;
  if (rules.protectedPatterns.some((p) => matchesGlob(branch, p))) return `"${branch}" is protected by the repository's coder.yml`;
  if (branch === rules.allowedHead) return null;
  if (!branch.startsWith(rules.prefix)) return `"${branch}" is outside the bot's branch namespace "${rules.prefix}"`;
  return null;
}

/**
 * Checks a complete `git push` argv. Anything but `push [--porcelain] <url> <sha>:refs/heads/<branch>`
 * is refused: no force of any kind, no deletion, no `+` refspec, no wildcard, one ref at a time.
 */
export function checkPushArgs(args: readonly string[], rules: PushRules): { url: string; sha: string; branch: string } {
  if (args[0] !== "push") throw new PushRefused("not-a-push", "only `git push` goes through the push policy");
  const rest = args.slice(1).filter((a) => a !== "--porcelain");
  for (const arg of rest) {
    if (forbiddenFlags.test(arg) || arg.startsWith("-"))
      throw new PushRefused(
        "option",
        `the push option ${arg} is not allowed; the bot never forces, deletes or pushes more than one branch`,
      );
  }
  if (rest.length !== 2) throw new PushRefused("refspec", "a push names exactly one remote and one refspec");
  const [url, refspec] = rest as [string, string];
  if (refspec.startsWith("+")) throw new PushRefused("force", "a `+` refspec forces the update; the bot only fast-forwards");
  const match = /^([0-9a-f]{40}|[0-9a-f]{64}):refs\/heads\/(.+)$/.exec(refspec);
  if (!match) {
    if (refspec.startsWith(":")) throw new PushRefused("delete", "an empty source deletes the remote branch; the bot never deletes");
    throw new PushRefused("refspec", `the refspec ${refspec} must be <commit sha>:refs/heads/<branch>`);
  }
  if (refspec.includes("*")) throw new PushRefused("refspec", "wildcard refspecs are not allowed");
  const branch = match[2]!;
  const refusal = branchRefusal(branch, rules);
  if (refusal) throw new PushRefused("branch", refusal);
  return { url, sha: match[1]!, branch };
}
