import type { CommentEvent, ForgeEvent, PullRequestAction, PullRequestEvent, PushEvent } from "../events.js";
import type { Actor } from "../forge.js";
import { PayloadError } from "../payload-error.js";
import type { Repository } from "../repository.js";

/**
 * GitHub's webhook payloads are narrowed here, once, into the bot's forge-neutral events. Nothing
 * past this file reads a raw payload.
 */
type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function actorOf(user: Json): Actor {
  const login = str(user.login);
  return { login, isBot: str(user.type) === "Bot" || login.endsWith("[bot]") };
}

function repositoryOf(payload: Json, owner: string): Repository {
  const repository = obj(payload.repository);
  return {
    address: { forge: "github", installationId: num(obj(payload.installation).id) },
    owner,
    repo: str(repository.name),
    cloneUrl: str(repository.clone_url),
    // Push payloads built by older API versions name the default branch `master_branch`.
    defaultBranch: str(repository.default_branch) || str(repository.master_branch) || "main",
  };
}

export function narrowIssueComment(deliveryId: string, payload: unknown): CommentEvent {
  const p = obj(payload);
  const issue = obj(p.issue);
  const comment = obj(p.comment);
  const owner = str(obj(obj(p.repository).owner).login);
  const repository = repositoryOf(p, owner);
  const number = num(issue.number);
  const commentId = num(comment.id);
  if (!owner || !repository.repo || number === null || commentId === null)
    throw new PayloadError("issue_comment", "without repository, issue or comment");
  const author = actorOf(obj(comment.user));
  // A comment an app posted on someone's behalf is a machine's, whoever it names.
  const viaApp = comment.performed_via_github_app !== undefined && comment.performed_via_github_app !== null;
  return {
    type: "comment",
    deliveryId,
    repository,
    actor: { login: author.login, isBot: author.isBot || viaApp },
    issue: {
      number,
      title: str(issue.title),
      body: str(issue.body),
      isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    },
    comment: { id: commentId, body: str(comment.body) },
  };
}

export function narrowPush(deliveryId: string, payload: unknown): PushEvent {
  const p = obj(payload);
  // Push payloads carry the owner as `name`/`login` depending on the API version that built them.
  const ownerObject = obj(obj(p.repository).owner);
  const owner = str(ownerObject.login) || str(ownerObject.name);
  const repository = repositoryOf(p, owner);
  if (!owner || !repository.repo || !str(p.ref)) throw new PayloadError("push", "without repository or ref");
  return {
    type: "push",
    deliveryId,
    repository,
    actor: actorOf(obj(p.sender)),
    ref: str(p.ref),
    after: str(p.after),
    deleted: p.deleted === true,
  };
}

/** GitHub's names for the pull request actions a review reacts to. */
const actions: Readonly<Record<string, PullRequestAction>> = {
  opened: "opened",
  reopened: "reopened",
  ready_for_review: "ready",
  synchronize: "updated",
};

/**
 * Narrows a `pull_request` delivery; null for an action reviews do not react to.
 *
 * @example
 * const event = narrowPullRequest(context.id, context.payload);
 * if (event?.action === "updated") reviewSince(event.before, event.after);
 */
export function narrowPullRequest(deliveryId: string, payload: unknown): PullRequestEvent | null {
  const p = obj(payload);
  const action = actions[str(p.action)];
  if (!action) return null;
  const pull = obj(p.pull_request);
  const head = obj(pull.head);
  const base = obj(pull.base);
  const owner = str(obj(obj(p.repository).owner).login);
  const repository = repositoryOf(p, owner);
  const number = num(pull.number) ?? num(p.number);
  if (!owner || !repository.repo || number === null || !str(head.sha) || !str(base.sha)) {
    throw new PayloadError("pull_request", "without repository, number or head and base commits");
  }
  const headRepo = head.repo !== null && head.repo !== undefined ? str(obj(head.repo).full_name) || null : null;
  const updated = action === "updated";
  return {
    type: "pull-request",
    deliveryId,
    action,
    repository,
    actor: actorOf(obj(p.sender)),
    number,
    title: str(pull.title),
    body: str(pull.body),
    draft: pull.draft === true,
    author: actorOf(obj(pull.user)),
    head: { sha: str(head.sha), ref: str(head.ref), repoFullName: headRepo },
    base: { sha: str(base.sha), ref: str(base.ref) },
    before: updated ? str(p.before) || null : null,
    after: updated ? str(p.after) || str(head.sha) : null,
  };
}

/** The GitHub events the App subscribes to (see app.yml), as `event.action` names for Probot. */
export const githubWebhookEvents = [
  "issue_comment.created",
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.synchronize",
  "push",
] as const;

/**
 * Any delivery the App receives, as a forge event; null for what the bot does not act on.
 *
 * @example githubEvent("issue_comment", "d-1", payload) // { type: "comment", … }
 */
export function githubEvent(name: string, deliveryId: string, payload: unknown): ForgeEvent | null {
  switch (name) {
    case "issue_comment":
      return str(obj(payload).action) === "created" ? narrowIssueComment(deliveryId, payload) : null;
    case "pull_request":
      return narrowPullRequest(deliveryId, payload);
    case "push":
      return narrowPush(deliveryId, payload);
    default:
      return null;
  }
}
