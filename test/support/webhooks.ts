import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as unknown;

type Json = Record<string, any>;

function example(name: string, action: string, predicate: (p: Json) => boolean = () => true): Json {
  const group = (examples as Array<{ name: string; examples: Json[] }>).find((e) => e.name === name);
  const found = group?.examples.find((e) => e.action === action && predicate(e));
  if (!found) throw new Error(`no ${name}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

/** A real `push` payload from @octokit/webhooks-examples (they carry no action), with the ref and repository replaced. */
export function makePushEvent(o: { ref: string; owner?: string; repo?: string; cloneUrl?: string; defaultBranch?: string; deleted?: boolean; installationId?: number }): Json {
  const group = (examples as Array<{ name: string; examples: Json[] }>).find((e) => e.name === "push");
  const found = group?.examples.find((e) => e.deleted === false);
  if (!found) throw new Error("no push example in @octokit/webhooks-examples");
  const payload = structuredClone(found);
  payload.ref = o.ref;
  payload.deleted = o.deleted ?? false;
  if (o.owner) payload.repository.owner.login = payload.repository.owner.name = o.owner;
  if (o.repo) payload.repository.name = o.repo;
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
export function makeIssueCommentEvent(o: IssueCommentOverrides): Json {
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
    payload.issue.pull_request = { url: `https://api.github.com/repos/${owner}/${repo}/pulls/${payload.issue.number}`, html_url: "", diff_url: "", patch_url: "", merged_at: null };
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
export async function deliver(url: string, event: string, payload: Json, options: { secret: string; deliveryId: string; signature?: string | null }): Promise<Delivery> {
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
