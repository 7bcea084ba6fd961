import {
  defaultRepoConfig,
  describeConfigProblems,
  parseRepoConfig,
  REPO_CONFIG_PATH,
  RepoConfigError,
  type RepoConfig,
} from "../config/repo-config.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Repository } from "../forge/repository.js";
import { isAllowed, refusalText } from "./authorize.js";
import type { Job, JobContext } from "./job.js";
import type { CommentRef } from "./payloads/comment-ref.js";

export interface GateRequest {
  readonly repository: Repository;
  /** The comment that gave the command; null for a job an event started (a push, a pull request opened). */
  readonly comment: (CommentRef & { readonly issueNumber: number }) | null;
  /**
   * What a broken or unreadable `coder.yml` means: the job does not start (the default), or it
   * goes on under the defaults (notices: nothing may lock maintainers out of `/coder cancel`).
   */
  readonly brokenConfig?: "stop" | "use-defaults";
  /** Told as the gate moves on, so a failure can name what it was doing. */
  readonly onPhase?: (phase: GatePhase) => void;
}

/** What the gate is doing: reading the configuration, checking the commenter, reacting. */
export type GatePhase = "configure" | "authorize" | "acknowledge";

export type Gate = { readonly pass: true; readonly config: RepoConfig } | { readonly pass: false };

/**
 * The first step of every job: read `.github/coder.yml` from the default branch (never from a pull
 * request), and, for a command, check that its author may give commands (else one polite
 * refusal), then react: 👀 when the job starts, 😕 with the file's problems when it cannot. The
 * reaction is checkpointed, so a job resumed after a crash does not react twice. A broken file is
 * reported only to someone allowed to act on it; any other failure (the forge down, a timeout) is
 * thrown, so the queue retries the job instead of recording a wrong answer — except where the
 * request asks for the defaults instead.
 */
export async function passGate(
  forge: ForgeWriter,
  request: GateRequest,
  job: Pick<Job, "checkpoint">,
  context: Pick<JobContext, "checkpoint">,
): Promise<Gate> {
  const { repository, comment } = request;
  const lenient = request.brokenConfig === "use-defaults";
  let config: RepoConfig = defaultRepoConfig;
  let problem: RepoConfigError | null = null;
  request.onPhase?.("configure");
  try {
    config = parseRepoConfig(await forge.getFile(repository, REPO_CONFIG_PATH, repository.defaultBranch));
  } catch (error) {
    if (error instanceof RepoConfigError) problem = error;
    else if (!lenient) throw error;
  }
  const blocking = lenient ? null : problem;
  if (comment) {
    request.onPhase?.("authorize");
    if (!isAllowed(config.triggers, comment.author, await forge.getPermission(repository, comment.author))) {
      await forge.createComment(repository, comment.issueNumber, refusalText(comment.author, config.triggers));
      return { pass: false };
    }
    if (blocking) {
      await forge.addReaction(repository, comment.id, "confused");
      await forge.createComment(repository, comment.issueNumber, describeConfigProblems(blocking));
      return { pass: false };
    }
    request.onPhase?.("acknowledge");
    if (job.checkpoint.reacted !== true) {
      await forge.addReaction(repository, comment.id, "eyes");
      await context.checkpoint({ reacted: true });
    }
  }
  return blocking ? { pass: false } : { pass: true, config };
}
