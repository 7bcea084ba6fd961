import { defaultRepoConfig, describeConfigProblems, parseRepoConfig, RepoConfigError, type RepoConfig } from "../config/repo-config.js";
import type { ForgeWriter } from "../forge/forge-writer.js";
import type { Repository } from "../forge/repository.js";
import { PermissionHiddenError } from "../forge/permission-hidden-error.js";
import { isAllowed, isListed, permissionHiddenText, refusalText } from "./authorize.js";
import type { Job, JobContext } from "./job.js";
import type { Logger } from "./logger.js";
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
  /** Where a delivery the forge does not confirm is reported; nothing is posted for it. */
  readonly log: Logger;
}

/** What the gate is doing: reading the configuration, checking the commenter, reacting. */
export type GatePhase = "configure" | "authorize" | "acknowledge";

export type Gate =
  | {
      readonly pass: true;
      readonly config: RepoConfig;
      /** Where the configuration was read; null when the repository has none and the defaults apply. */
      readonly configPath: string | null;
    }
  | { readonly pass: false };

/**
 * The first step of every job: read `coder.yml` from the default branch (never from a pull
 * request; on Gitea `.gitea/coder.yml` before `.github/coder.yml`), and, for a command, check that
 * its author may give commands (else one polite refusal, or what the bot account needs when the
 * forge will not say), then react: 👀 when the job starts, 😕 with the file's problems when it
 * cannot. The reaction is checkpointed, so a job resumed after a crash does not react twice. A
 * broken file is reported only to someone allowed to act on it; any other failure (the forge down,
 * a timeout) is thrown, so the queue retries the job instead of recording a wrong answer — except
 * where the request asks for the defaults instead.
 */
export async function passGate(
  forge: ForgeWriter,
  request: GateRequest,
  job: Pick<Job, "checkpoint">,
  context: Pick<JobContext, "checkpoint">,
): Promise<Gate> {
  const { repository, comment } = request;
  request.onPhase?.("configure");
  const unconfirmed = await unconfirmedBecause(forge, request);
  if (unconfirmed) {
    request.log.warn(
      { repo: `${repository.owner}/${repository.repo}`, comment: comment?.id, why: unconfirmed },
      "delivery refused: the forge does not confirm it",
    );
    return { pass: false };
  }
  const lenient = request.brokenConfig === "use-defaults";
  let config: RepoConfig = defaultRepoConfig;
  let configPath: string | null = null;
  let problem: RepoConfigError | null = null;
  try {
    const found = await readConfig(forge, repository);
    configPath = found?.path ?? null;
    config = parseRepoConfig(found?.text ?? null, found?.path);
  } catch (error) {
    if (error instanceof RepoConfigError) problem = error;
    else if (!lenient) throw error;
  }
  const blocking = lenient ? null : problem;
  if (comment) {
    request.onPhase?.("authorize");
    const allowed = isListed(config.triggers, comment.author) || (await permitted(forge, repository, comment, config));
    if (allowed === null) return { pass: false };
    if (!allowed) {
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
  return blocking ? { pass: false } : { pass: true, config, configPath };
}

/**
 * Why the forge does not confirm what the delivery said, or null when it does: the repository's
 * clone URL and default branch, and the comment's author, issue and text. Where deliveries are
 * trusted as signed (GitHub), the forge confirms without asking.
 */
async function unconfirmedBecause(forge: ForgeWriter, request: GateRequest): Promise<string | null> {
  const { repository, comment } = request;
  const confirmed = await forge.confirmRepository(repository);
  if (repository.cloneUrl && confirmed.cloneUrl !== repository.cloneUrl)
    return `the clone URL ${repository.cloneUrl} is not the repository's (${confirmed.cloneUrl})`;
  if (confirmed.defaultBranch !== repository.defaultBranch)
    return `the default branch ${repository.defaultBranch} is not the repository's (${confirmed.defaultBranch})`;
  if (comment && !(await forge.confirmComment(repository, comment)))
    return `comment ${comment.id} is not @${comment.author}'s on #${comment.issueNumber} with that text`;
  return null;
}

/** The first of the forge's configuration files that exists on the default branch. */
async function readConfig(forge: ForgeWriter, repository: Repository): Promise<{ path: string; text: string } | null> {
  for (const path of forge.configPaths) {
    const text = await forge.getFile(repository, path, repository.defaultBranch);
    if (text !== null) return { path, text };
  }
  return null;
}

/**
 * Whether the commenter's permission is one the rules accept; null when the forge would not say,
 * after telling the commenter what the bot account needs.
 */
async function permitted(
  forge: ForgeWriter,
  repository: Repository,
  comment: NonNullable<GateRequest["comment"]>,
  config: RepoConfig,
): Promise<boolean | null> {
  try {
    return isAllowed(config.triggers, comment.author, await forge.getPermission(repository, comment.author));
  } catch (error) {
    if (!(error instanceof PermissionHiddenError)) throw error;
    await forge.createComment(repository, comment.issueNumber, permissionHiddenText(comment.author, error.message));
    return null;
  }
}
