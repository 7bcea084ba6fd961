import type { CommentEvent, ForgeEvent, PullRequestAction, PullRequestEvent, PushEvent } from "../events.js";
import type { Actor } from "../forge.js";
import { PayloadError } from "../payload-error.js";
import type { Repository } from "../repository.js";
import { isWorkInProgress } from "./work-in-progress.js";

/**
 * Gitea's (and Forgejo's) webhook payloads, narrowed here, once, into forge events. The event
 * type comes from `X-Gitea-Event-Type`, not the coarse `X-Gitea-Event`: a comment on a pull
 * request arrives as `pull_request_comment`, new commits on one as `pull_request_sync`.
 */
type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Who wrote something; the bot's own account and Gitea's system accounts (ids below one) count as bots. */
function actorOf(user: Json, botLogin: string): Actor {
  const login = str(user.login) || str(user.username);
  const id = num(user.id);
  return { login, isBot: (id !== null && id <= 0) || login.toLowerCase() === botLogin.toLowerCase() };
}

function repositoryOf(payload: Json, event: string): Repository {
  const repository = obj(payload.repository);
  const owner = obj(repository.owner);
  const result: Repository = {
    address: { forge: "gitea" },
    owner: str(owner.login) || str(owner.username),
    repo: str(repository.name),
    cloneUrl: str(repository.clone_url),
    defaultBranch: str(repository.default_branch) || "main",
  };
  if (!result.owner || !result.repo) throw new PayloadError(event, "without a repository");
  return result;
}

/** What the bot needs to read Gitea's deliveries: its own login, so its comments start nothing. */
export interface GiteaNarrowing {
  readonly botLogin: string;
}

function comment(deliveryId: string, p: Json, eventType: string, options: GiteaNarrowing): CommentEvent | null {
  if (str(p.action) !== "created") return null;
  const issue = obj(p.issue);
  const body = obj(p.comment);
  const number = num(issue.number);
  const id = num(body.id);
  if (number === null || id === null) throw new PayloadError(eventType, "without an issue number or a comment id");
  const isPullRequest =
    p.is_pull === true || eventType === "pull_request_comment" || (issue.pull_request !== null && issue.pull_request !== undefined);
  return {
    type: "comment",
    deliveryId,
    repository: repositoryOf(p, eventType),
    actor: actorOf(obj(body.user), options.botLogin),
    issue: { number, title: str(issue.title), body: str(issue.body), isPullRequest },
    comment: { id, body: str(body.body) },
  };
}

/**
 * `opened`, `reopened`, `synchronized`, and an edit that took `WIP:` off the title (Gitea's
 * drafts), which is when a draft becomes ready for review.
 */
function pullRequestAction(p: Json, eventType: string): PullRequestAction | null {
  const action = str(p.action);
  // Servers that send only the coarse `X-Gitea-Event` name new commits `pull_request` too.
  if (action === "synchronized") return "updated";
  if (eventType === "pull_request_sync") return null;
  if (action === "opened" || action === "reopened") return action;
  if (action !== "edited") return null;
  const from = obj(obj(p.changes).title).from;
  return typeof from === "string" && isWorkInProgress(from) && !isWorkInProgress(str(obj(p.pull_request).title)) ? "ready" : null;
}

function pullRequest(deliveryId: string, p: Json, eventType: string, options: GiteaNarrowing): PullRequestEvent | null {
  const action = pullRequestAction(p, eventType);
  if (!action) return null;
  const pull = obj(p.pull_request);
  const head = obj(pull.head);
  const base = obj(pull.base);
  const number = num(pull.number) ?? num(p.number);
  if (number === null || !str(head.sha) || !str(base.sha)) throw new PayloadError(eventType, "without a number or head and base commits");
  const headRepo = head.repo !== null && head.repo !== undefined ? str(obj(head.repo).full_name) || null : null;
  const title = str(pull.title);
  return {
    type: "pull-request",
    deliveryId,
    action,
    repository: repositoryOf(p, eventType),
    actor: actorOf(obj(p.sender), options.botLogin),
    number,
    title,
    body: str(pull.body),
    draft: pull.draft === true || isWorkInProgress(title),
    author: actorOf(obj(pull.user), options.botLogin),
    head: { sha: str(head.sha), ref: str(head.ref), repoFullName: headRepo },
    base: { sha: str(base.sha), ref: str(base.ref) },
    // Gitea's `synchronized` names no previous head.
    before: null,
    after: action === "updated" ? str(head.sha) : null,
  };
}

function push(deliveryId: string, p: Json, options: GiteaNarrowing): PushEvent {
  if (!str(p.ref)) throw new PayloadError("push", "without a ref");
  const after = str(p.after);
  return {
    type: "push",
    deliveryId,
    repository: repositoryOf(p, "push"),
    actor: actorOf(obj(p.pusher ?? p.sender), options.botLogin),
    ref: str(p.ref),
    after,
    // A deleted branch's push names the all-zero commit as its new head.
    deleted: /^0+$/.test(after),
  };
}

/**
 * A Gitea delivery as a forge event; null for what the bot does not act on.
 *
 * @example giteaEvent("pull_request_comment", "3f9c…", payload, { botLogin: "coder-bot" }) // { type: "comment", … }
 */
export function giteaEvent(eventType: string, deliveryId: string, payload: unknown, options: GiteaNarrowing): ForgeEvent | null {
  const p = obj(payload);
  switch (eventType) {
    case "issue_comment":
    case "pull_request_comment":
      return comment(deliveryId, p, eventType, options);
    case "pull_request":
    case "pull_request_sync":
      return pullRequest(deliveryId, p, eventType, options);
    case "push":
      return push(deliveryId, p, options);
    default:
      return null;
  }
}
