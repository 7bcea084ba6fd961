/**
 * Webhook payloads are narrowed here, once, into the bot's own types. Nothing past this file
 * reads a raw payload.
 */
export interface IssueCommentEvent {
  readonly deliveryId: string;
  readonly installationId: number | null;
  readonly repo: { readonly owner: string; readonly repo: string; readonly cloneUrl: string; readonly defaultBranch: string };
  readonly issue: { readonly number: number; readonly title: string; readonly body: string; readonly isPullRequest: boolean };
  readonly comment: { readonly id: number; readonly body: string; readonly author: string; readonly authorIsBot: boolean; readonly viaApp: boolean };
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadError";
  }
}

export function narrowIssueComment(deliveryId: string, payload: unknown): IssueCommentEvent {
  const p = obj(payload);
  const repository = obj(p.repository);
  const issue = obj(p.issue);
  const comment = obj(p.comment);
  const user = obj(comment.user);
  const owner = str(obj(repository.owner).login);
  const repo = str(repository.name);
  const number = num(issue.number);
  const commentId = num(comment.id);
  if (!owner || !repo || number === null || commentId === null) throw new PayloadError("issue_comment payload without repository, issue or comment");
  return {
    deliveryId,
    installationId: num(obj(p.installation).id),
    repo: { owner, repo, cloneUrl: str(repository.clone_url), defaultBranch: str(repository.default_branch) || "main" },
    issue: { number, title: str(issue.title), body: str(issue.body), isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null },
    comment: {
      id: commentId,
      body: str(comment.body),
      author: str(user.login),
      authorIsBot: str(user.type) === "Bot" || str(user.login).endsWith("[bot]"),
      viaApp: comment.performed_via_github_app !== undefined && comment.performed_via_github_app !== null,
    },
  };
}

export interface PushEvent {
  readonly deliveryId: string;
  readonly installationId: number | null;
  readonly repo: { readonly owner: string; readonly repo: string; readonly cloneUrl: string; readonly defaultBranch: string };
  /** The full ref pushed, `refs/heads/main`. */
  readonly ref: string;
  readonly after: string;
  /** The push deleted the ref. */
  readonly deleted: boolean;
}

export function narrowPush(deliveryId: string, payload: unknown): PushEvent {
  const p = obj(payload);
  const repository = obj(p.repository);
  // Push payloads carry the owner as `name`/`login` depending on the API version that built them.
  const ownerObject = obj(repository.owner);
  const owner = str(ownerObject.login) || str(ownerObject.name);
  const repo = str(repository.name);
  if (!owner || !repo || !str(p.ref)) throw new PayloadError("push payload without repository or ref");
  return {
    deliveryId,
    installationId: num(obj(p.installation).id),
    repo: { owner, repo, cloneUrl: str(repository.clone_url), defaultBranch: str(repository.default_branch) || str(repository.master_branch) || "main" },
    ref: str(p.ref),
    after: str(p.after),
    deleted: p.deleted === true,
  };
}

/** The pull_request actions a review reacts to; the others (closed, labeled, …) narrow to null. */
export const reviewedPullRequestActions = ["opened", "reopened", "ready_for_review", "synchronize"] as const;
export type PullRequestAction = (typeof reviewedPullRequestActions)[number];

export interface PullRequestEvent {
  readonly deliveryId: string;
  readonly action: PullRequestAction;
  readonly installationId: number | null;
  readonly repo: { readonly owner: string; readonly repo: string; readonly cloneUrl: string; readonly defaultBranch: string };
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
  readonly author: { readonly login: string; readonly isBot: boolean };
  /** Who caused the event: on synchronize, whoever pushed (the bot itself after `/coder fix` on a pull request). */
  readonly sender: { readonly login: string; readonly isBot: boolean };
  /** `repoFullName` is null when the fork the head came from was deleted. */
  readonly head: { readonly sha: string; readonly ref: string; readonly repoFullName: string | null };
  readonly base: { readonly sha: string; readonly ref: string };
  /** The head before and after the push, on synchronize only; `before` may be gone after a force push. */
  readonly before: string | null;
  readonly after: string | null;
}

const actor = (user: Json) => ({ login: str(user.login), isBot: str(user.type) === "Bot" || str(user.login).endsWith("[bot]") });

/**
 * Narrows a `pull_request` delivery; null for an action reviews do not react to.
 *
 * @example
 * const event = narrowPullRequest(context.id, context.payload);
 * if (event?.action === "synchronize") reviewSince(event.before, event.after);
 */
export function narrowPullRequest(deliveryId: string, payload: unknown): PullRequestEvent | null {
  const p = obj(payload);
  const action = str(p.action);
  if (!(reviewedPullRequestActions as readonly string[]).includes(action)) return null;
  const repository = obj(p.repository);
  const pull = obj(p.pull_request);
  const head = obj(pull.head);
  const base = obj(pull.base);
  const owner = str(obj(repository.owner).login);
  const repo = str(repository.name);
  const number = num(pull.number) ?? num(p.number);
  if (!owner || !repo || number === null || !str(head.sha) || !str(base.sha)) throw new PayloadError("pull_request payload without repository, number or head and base commits");
  const headRepo = head.repo !== null && head.repo !== undefined ? str(obj(head.repo).full_name) || null : null;
  const synchronize = action === "synchronize";
  return {
    deliveryId,
    action: action as PullRequestAction,
    installationId: num(obj(p.installation).id),
    repo: { owner, repo, cloneUrl: str(repository.clone_url), defaultBranch: str(repository.default_branch) || "main" },
    number,
    title: str(pull.title),
    body: str(pull.body),
    draft: pull.draft === true,
    author: actor(obj(pull.user)),
    sender: actor(obj(p.sender)),
    head: { sha: str(head.sha), ref: str(head.ref), repoFullName: headRepo },
    base: { sha: str(base.sha), ref: str(base.ref) },
    before: synchronize ? str(p.before) || null : null,
    after: synchronize ? str(p.after) || str(head.sha) : null,
  };
}
