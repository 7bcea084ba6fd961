/**
 * What a fix is asked to do, whoever asked: a comment on a forge, or `coder-bot fix` on this
 * machine. The steps read only this, never a job payload.
 */
export interface FixRequest {
  /** The repository's key for mirrors, runs and the code index. */
  readonly repoKey: string;
  /** How the prompt names the repository, `acme/widgets`. */
  readonly repoName: string;
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  /** The issue or pull request; `number` is null for a task typed on the command line. */
  readonly issue: { readonly number: number | null; readonly title: string; readonly body: string; readonly isPullRequest: boolean };
  /** What the maintainer added after `/coder fix`. */
  readonly instructions: string;
  readonly requestedBy: string;
  readonly dryRun: boolean;
  /** Where the work starts: the default branch, the pull request's head, or a given commit. */
  readonly base:
    { readonly kind: "default-branch" } | { readonly kind: "pull-request" } | { readonly kind: "commit"; readonly sha: string };
  /** What it ends in: a pull request on the forge, or a branch only (a local repository). */
  readonly deliverable: "pull-request" | "branch";
  /** The code index's tag for this repository's indexed branch. */
  readonly indexTag: string;
  /** Names the worktree and the container: `job-12`. */
  readonly workspaceName: string;
  /** The queue's job, for the recorded run; null on the command line. */
  readonly jobId: number | null;
}
