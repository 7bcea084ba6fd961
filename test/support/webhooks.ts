import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";
import type { RawJson } from "./raw-json.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as unknown;

function example(name: string, action: string, predicate: (p: RawJson) => boolean = () => true): RawJson {
  const group = (examples as Array<{ name: string; examples: RawJson[] }>).find((e) => e.name === name);
  const found = group?.examples.find((e) => e.action === action && predicate(e));
  if (!found) throw new Error(`no ${name}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

/**
 * A real `push` payload from @octokit/webhooks-examples (they carry no action), with the ref and
 * repository replaced. `after` (and `before`) default to the example's, which name no real commit.
 */
export function makePushEvent(o: {
  ref: string;
  owner?: string;
  repo?: string;
  cloneUrl?: string;
  defaultBranch?: string;
  deleted?: boolean;
  installationId?: number;
  after?: string;
  before?: string;
}): RawJson {
  const group = (examples as Array<{ name: string; examples: RawJson[] }>).find((e) => e.name === "push");
  const found = group?.examples.find((e) => e.deleted === false);
  if (!found) throw new Error("no push example in @octokit/webhooks-examples");
  const payload = structuredClone(found);
  payload.ref = o.ref;
  payload.deleted = o.deleted ?? false;
  if (o.after) {
    payload.after = o.after;
    if (payload.head_commit) payload.head_commit.id = o.after;
  }
  if (o.before) payload.before = o.before;
  if (o.owner) payload.repository.owner.login = payload.repository.owner.name = o.owner;
  if (o.repo) payload.repository.name = o.repo;
  payload.repository.full_name = `${payload.repository.owner.login}/${payload.repository.name}`;
  if (o.cloneUrl) payload.repository.clone_url = o.cloneUrl;
  if (o.defaultBranch) payload.repository.default_branch = payload.repository.master_branch = o.defaultBranch;
  payload.installation = { id: o.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

export interface IssueCommentOverrides {
  body: string;
  owner?: string;
  repo?: string;
  cloneUrl?: string;
  defaultBranch?: string;
  issueNumber?: number;
  issueTitle?: string;
  issueBody?: string;
  commentId?: number;
  login?: string;
  userType?: "User" | "Bot";
  installationId?: number;
  /** Makes the comment one on a pull request (GitHub adds `issue.pull_request`). */
  pullRequest?: boolean;
}

/** A real `issue_comment.created` payload from @octokit/webhooks-examples, with the fields a test cares about replaced. */
export function makeIssueCommentEvent(o: IssueCommentOverrides): RawJson {
  const payload = example("issue_comment", "created", (p) => p.installation !== undefined);
  const owner = o.owner ?? "acme";
  const repo = o.repo ?? "widgets";
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.repository.default_branch = o.defaultBranch ?? "main";
  if (o.cloneUrl) payload.repository.clone_url = o.cloneUrl;
  payload.issue.number = o.issueNumber ?? 12;
  payload.issue.title = o.issueTitle ?? "add() returns the wrong result";
  payload.issue.body = o.issueBody ?? "`add(2, 3)` gives -1 instead of 5.";
  if (o.pullRequest) {
    payload.issue.pull_request = {
      url: `https://api.github.com/repos/${owner}/${repo}/pulls/${payload.issue.number}`,
      html_url: "",
      diff_url: "",
      patch_url: "",
      merged_at: null,
    };
  } else {
    delete payload.issue.pull_request;
  }
  payload.comment.id = o.commentId ?? 5_000_001;
  payload.comment.body = o.body;
  payload.comment.user.login = o.login ?? "alice";
  payload.comment.user.type = o.userType ?? "User";
  delete payload.comment.performed_via_github_app;
  payload.installation.id = o.installationId ?? payload.installation.id;
  return payload;
}

export interface Delivery {
  status: number;
  text: string;
  receivedAt: number;
}

/** POSTs a webhook delivery as GitHub does, signed with `secret` (or with the given signature). */
export async function deliver(
  url: string,
  event: string,
  payload: RawJson,
  options: { secret: string; deliveryId: string; signature?: string | null },
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": options.deliveryId,
    "user-agent": "GitHub-Hookshot/test",
  };
  const signature = options.signature === undefined ? await sign(options.secret, body) : options.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, text: await response.text(), receivedAt: Date.now() };
}

export interface PullRequestOverrides {
  /** opened, reopened, ready_for_review, synchronize, or any other action the examples carry. */
  action: string;
  owner?: string;
  repo?: string;
  cloneUrl?: string;
  defaultBranch?: string;
  installationId?: number;
  number?: number;
  title?: string;
  body?: string | null;
  draft?: boolean;
  /** The pull request's author. */
  login?: string;
  userType?: "User" | "Bot";
  /** Who caused the event; the author unless given. */
  sender?: string;
  senderType?: "User" | "Bot";
  headSha?: string;
  headRef?: string;
  /** Another repository for a fork's pull request; null for a fork that was deleted. */
  headRepoFullName?: string | null;
  baseSha?: string;
  baseRef?: string;
  /** synchronize only: the head before the push; `after` defaults to `headSha`. */
  before?: string;
  after?: string;
}

/**
 * A real `pull_request` payload from @octokit/webhooks-examples for `action`, with the fields a
 * test cares about replaced. Repository names, head and base stay consistent with one another.
 */
export function makePullRequestEvent(o: PullRequestOverrides): RawJson {
  const group = (examples as Array<{ name: string; examples: RawJson[] }>).find((e) => e.name === "pull_request");
  const candidates = group?.examples.filter((e) => e.action === o.action) ?? [];
  const found = candidates.find((e) => e.installation !== undefined) ?? candidates[0];
  if (!found) throw new Error(`no pull_request.${o.action} example in @octokit/webhooks-examples`);
  const payload = structuredClone(found);
  const owner = o.owner ?? "acme";
  const repo = o.repo ?? "widgets";
  const pr = payload.pull_request;
  const renameRepo = (target: RawJson, fullName: string, cloneUrl?: string) => {
    const [targetOwner = owner, targetName = repo] = fullName.split("/");
    target.name = targetName;
    target.full_name = fullName;
    target.owner.login = targetOwner;
    if (cloneUrl) target.clone_url = cloneUrl;
  };
  renameRepo(payload.repository, `${owner}/${repo}`, o.cloneUrl);
  payload.repository.default_branch = o.defaultBranch ?? "main";
  payload.number = pr.number = o.number ?? 7;
  pr.title = o.title ?? "Make add() add";
  pr.body = o.body === undefined ? "`add(2, 3)` gave -1; it now gives 5." : o.body;
  pr.draft = o.draft ?? false;
  pr.state = "open";
  pr.user.login = o.login ?? "alice";
  pr.user.type = o.userType ?? "User";
  payload.sender.login = o.sender ?? pr.user.login;
  payload.sender.type = o.senderType ?? (o.sender === undefined ? pr.user.type : o.sender.endsWith("[bot]") ? "Bot" : "User");
  pr.head.ref = o.headRef ?? "fix-add";
  if (o.headSha) pr.head.sha = o.headSha;
  if (o.headRepoFullName === null) {
    pr.head.repo = null;
  } else {
    const fork = o.headRepoFullName !== undefined && o.headRepoFullName !== `${owner}/${repo}`;
    pr.head.repo = structuredClone(payload.repository);
    renameRepo(pr.head.repo, o.headRepoFullName ?? `${owner}/${repo}`, fork ? `https://github.com/${o.headRepoFullName}.git` : undefined);
    pr.head.repo.fork = fork;
  }
  pr.head.label = `${pr.head.repo?.owner.login ?? owner}:${pr.head.ref}`;
  pr.base.ref = o.baseRef ?? payload.repository.default_branch;
  if (o.baseSha) pr.base.sha = o.baseSha;
  pr.base.repo = structuredClone(payload.repository);
  pr.base.label = `${owner}:${pr.base.ref}`;
  if (o.action === "synchronize") {
    if (o.before) payload.before = o.before;
    payload.after = o.after ?? pr.head.sha;
  }
  payload.installation = { id: o.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}
