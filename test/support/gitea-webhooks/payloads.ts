import { createHash } from "node:crypto";
import type { RawJson } from "../raw-json.js";
import { giteaExample, type GiteaExampleName } from "./kit.js";

export interface GiteaRepoOverrides {
  owner?: string;
  repo?: string;
  cloneUrl?: string;
  defaultBranch?: string;
  /** The server the payload's URLs point at (the fake's `url`, say); default the kit's `http://localhost:3000`. */
  giteaUrl?: string;
}

interface Where {
  owner: string;
  repo: string;
  base: string;
  overrides: GiteaRepoOverrides;
}

function stableUserId(login: string): number {
  return 10 + (createHash("sha1").update(login.toLowerCase()).digest().readUInt32BE(0) % 90_000);
}

/** Gives one of the kit's users another login, with the fields Gitea derives from it for webhooks. */
function setUser(user: RawJson, login: string): void {
  user.id = stableUserId(login);
  user.login = login;
  user.username = login;
  user.full_name = login;
  user.email = `${login.toLowerCase()}@noreply.localhost`;
}

function setRepository(target: RawJson, where: Where): void {
  target.name = where.repo;
  setUser(target.owner, where.owner);
  target.default_branch = where.overrides.defaultBranch ?? "main";
  if (where.overrides.cloneUrl !== undefined) target.clone_url = where.overrides.cloneUrl;
}

function prepare(name: GiteaExampleName, overrides: GiteaRepoOverrides): { payload: RawJson; where: Where } {
  const where = {
    owner: overrides.owner ?? "acme",
    repo: overrides.repo ?? "widgets",
    base: overrides.giteaUrl ?? "http://localhost:3000",
    overrides,
  };
  const payload = giteaExample(name, { giteaUrl: where.base, fullName: `${where.owner}/${where.repo}` });
  setRepository(payload.repository, where);
  return { payload, where };
}

/** Puts `changes` where Go's struct order puts it, right after `after`; the kit's examples have none. */
function withChanges(payload: RawJson, after: string, changes: RawJson | undefined): RawJson {
  if (changes === undefined) return payload;
  return Object.fromEntries(
    Object.entries(payload).flatMap(([key, value]) =>
      key === after
        ? [
            [key, value],
            ["changes", changes],
          ]
        : [[key, value]],
    ),
  );
}

export interface GiteaPullFields {
  number?: number;
  title?: string;
  body?: string;
  /** The pull request's author. */
  author?: string;
  headRef?: string;
  headSha?: string;
  baseRef?: string;
  baseSha?: string;
  mergeBase?: string;
}

function setPull(pr: RawJson, fields: GiteaPullFields, where: Where): void {
  const number = fields.number ?? pr.number;
  const htmlUrl = `${where.base}/${where.owner}/${where.repo}/pulls/${number}`;
  Object.assign(pr, { number, url: htmlUrl, html_url: htmlUrl, diff_url: `${htmlUrl}.diff`, patch_url: `${htmlUrl}.patch` });
  pr.title = fields.title ?? pr.title;
  pr.body = fields.body ?? pr.body;
  if (fields.author !== undefined) setUser(pr.user, fields.author);
  // Gitea's branch `label` is the bare branch name.
  const sides: Array<[RawJson, string | undefined, string | undefined]> = [
    [pr.head, fields.headRef, fields.headSha],
    [pr.base, fields.baseRef ?? where.overrides.defaultBranch ?? "main", fields.baseSha],
  ];
  for (const [side, ref, sha] of sides) {
    if (ref !== undefined) side.ref = side.label = ref;
    if (sha !== undefined) side.sha = sha;
    setRepository(side.repo, where);
  }
  pr.merge_base = fields.mergeBase ?? pr.base.sha;
}

export interface GiteaIssueCommentOverrides extends GiteaRepoOverrides {
  /** The comment's body. */
  body: string;
  action?: "created" | "edited" | "deleted";
  /** `edited` only: the body before the edit, sent as `changes.body.from`. */
  bodyFrom?: string;
  /** A comment on a pull request's conversation (event type `pull_request_comment`, `is_pull: true`). */
  pullRequest?: boolean;
  issueNumber?: number;
  issueTitle?: string;
  issueBody?: string;
  issueAuthor?: string;
  commentId?: number;
  /** The commenter, who is also the sender. */
  login?: string;
  /** Pull requests only. */
  pull?: Omit<GiteaPullFields, "number" | "title" | "body" | "author">;
}

/** An IssueCommentPayload from the kit's example, with the fields a test cares about replaced. */
export function makeGiteaIssueCommentEvent(o: GiteaIssueCommentOverrides): RawJson {
  const isPull = o.pullRequest === true;
  const { payload, where } = prepare(isPull ? "issue_comment_pull" : "issue_comment_issue", o);
  const { issue, comment } = payload;
  const number = o.issueNumber ?? issue.number;
  const htmlUrl = `${where.base}/${where.owner}/${where.repo}/${isPull ? "pulls" : "issues"}/${number}`;
  Object.assign(issue, { number, url: `${where.base}/api/v1/repos/${where.owner}/${where.repo}/issues/${number}`, html_url: htmlUrl });
  issue.title = o.issueTitle ?? issue.title;
  issue.body = o.issueBody ?? issue.body;
  if (o.issueAuthor !== undefined) setUser(issue.user, o.issueAuthor);
  issue.repository = { ...issue.repository, name: where.repo, owner: where.owner };
  comment.id = o.commentId ?? comment.id;
  comment.body = o.body;
  comment.html_url = `${htmlUrl}#issuecomment-${comment.id}`;
  comment.pull_request_url = isPull ? htmlUrl : "";
  comment.issue_url = isPull ? "" : htmlUrl;
  setUser(comment.user, o.login ?? "alice");
  setUser(payload.sender, o.login ?? "alice");
  if (isPull) setPull(payload.pull_request, { ...o.pull, number, title: issue.title, body: issue.body, author: o.issueAuthor }, where);
  payload.action = o.action ?? "created";
  return withChanges(payload, "comment", o.action === "edited" ? { body: { from: o.bodyFrom ?? "" } } : undefined);
}

export interface GiteaPullRequestOverrides extends GiteaRepoOverrides, GiteaPullFields {
  /** `opened` by default; `synchronized` goes with event type `pull_request_sync` (see giteaPullRequestEventType). */
  action?: string;
  /** Who caused the event; the author unless given. */
  sender?: string;
  /** `edited` only: the title before the edit (`changes.title.from`). */
  titleFrom?: string;
  /** `edited` only: the body before the edit (`changes.body.from`). */
  bodyFrom?: string;
}

/** A PullRequestPayload from the kit's example, with the fields a test cares about replaced. */
export function makeGiteaPullRequestEvent(o: GiteaPullRequestOverrides): RawJson {
  const { payload, where } = prepare("pull_request_opened", o);
  setPull(payload.pull_request, o, where);
  payload.number = payload.pull_request.number;
  setUser(payload.sender, o.sender ?? o.author ?? payload.pull_request.user.login);
  payload.action = o.action ?? "opened";
  const changes: RawJson = {};
  if (o.titleFrom !== undefined) changes.title = { from: o.titleFrom };
  if (o.bodyFrom !== undefined) changes.body = { from: o.bodyFrom };
  return withChanges(payload, "number", o.action === "edited" ? changes : undefined);
}

export interface GiteaPushOverrides extends GiteaRepoOverrides {
  ref: string;
  before?: string;
  after?: string;
  /** The pusher, who is also the sender. */
  pusher?: string;
  message?: string;
}

/** A PushPayload from the kit's example (one commit), with ref, before/after and the repository replaced. */
export function makeGiteaPushEvent(o: GiteaPushOverrides): RawJson {
  const { payload, where } = prepare("push", o);
  payload.ref = o.ref;
  payload.before = o.before ?? payload.before;
  payload.after = o.after ?? payload.after;
  payload.compare_url = `${where.base}/${where.owner}/${where.repo}/compare/${payload.before}...${payload.after}`;
  for (const commit of [...payload.commits, payload.head_commit]) {
    commit.id = payload.after;
    commit.url = `${where.base}/${where.owner}/${where.repo}/commit/${payload.after}`;
    if (o.message !== undefined) commit.message = o.message;
  }
  setUser(payload.pusher, o.pusher ?? where.owner);
  setUser(payload.sender, o.pusher ?? where.owner);
  return payload;
}
