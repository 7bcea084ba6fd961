import { execFile, execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { diffFiles, diffHunkThrough, rowAt, type DiffFile, type DiffRow } from "./fake-github-diff.js";
import { answerGraphql } from "./fake-github-graphql.js";
import { validateRequest } from "./github-openapi.js";
import { readBody } from "./http-body.js";

const execFileAsync = promisify(execFile);

const API_PREFIX = "/api/v3";
/** Where Octokit sends GraphQL queries for a GitHub Enterprise base URL ending in /api/v3. */
const GRAPHQL_PATH = "/api/graphql";
const JSON_TYPE = "application/json; charset=utf-8";
const DOCS_URL = "https://docs.github.com/rest";

export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface FakeGitHubOptions {
  appId?: number;
  appSlug?: string;
  /** Login of the account that owns the app. */
  appOwner?: string;
  /** Installation id for repositories that do not name one. */
  installationId?: number;
  /** Reject requests without a JWT (app routes) or an issued installation token (other routes). Default true. */
  checkAuth?: boolean;
  /** `permissions` reported for issued installation tokens, unless the request narrows them. */
  tokenPermissions?: Record<string, string>;
}

export interface AddRepoOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  /** A bare repository; branches, commits and file contents are read from it. */
  gitDir?: string;
  /** Defaults to a file:// URL of gitDir, or a URL on the fake (which serves no git) without one. */
  cloneUrl?: string;
  permissions?: Record<string, RepoPermission>;
  protectedBranches?: string[];
  installationId?: number;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  gitDir: string | undefined;
  cloneUrl: string;
  installationId: number;
  permissions: Map<string, RepoPermission>;
  protectedBranches: Set<string>;
  /** Files set with setFile; they win over gitDir, whatever the ref. */
  files: Map<string, Buffer>;
  /** Branch heads for repositories without gitDir. */
  branches: Map<string, string>;
  createdAt: string;
}

export interface IssueRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  user: string;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
}

export interface CommentRecord {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  /** Every body the comment has had, oldest first; the last one equals `body`. */
  history: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ReactionRecord {
  id: number;
  owner: string;
  repo: string;
  commentId: number;
  content: string;
  user: string;
  createdAt: string;
}

export interface PullRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  draft: boolean;
  state: "open" | "closed";
  headRef: string;
  /** The head as last known; GET reads the branch again when the head repository has a gitDir. */
  headSha: string;
  headRepoFullName: string;
  headCloneUrl: string;
  baseRef: string;
  user: string;
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = "PENDING" | "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED";

export interface ReviewRecord {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  user: string;
  body: string;
  state: ReviewState;
  /** The commit the review was made on; its comments were checked against that commit's diff. */
  commitId: string;
  submittedAt: string | null;
  createdAt: string;
}

export interface ReviewCommentRecord {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  reviewId: number;
  user: string;
  body: string;
  path: string;
  line: number;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  startSide: "LEFT" | "RIGHT" | null;
  position: number;
  diffHunk: string;
  commitId: string;
  originalCommitId: string;
  /** The thread's first comment, for a reply. */
  inReplyToId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenRecord {
  token: string;
  installationId: number;
  expiresAt: string;
  permissions: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  /** Path without the /api/v3 prefix and without the query string, percent-encoding intact. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  timestamp: number;
  operationId: string | null;
  /** Filled in once answered. */
  status: number | undefined;
}

export interface FakeGitHubState {
  tokens: TokenRecord[];
  repos: Map<string, RepoState>;
  issues: IssueRecord[];
  comments: CommentRecord[];
  reactions: ReactionRecord[];
  pulls: PullRecord[];
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
  /** Ids of the first comments of resolved threads. */
  resolvedThreads: Set<number>;
}

export interface AddIssueOptions {
  owner: string;
  repo: string;
  number?: number;
  title?: string;
  body?: string;
  user?: string;
  state?: "open" | "closed";
}

export interface AddCommentOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  /** Give one to match a webhook payload; otherwise one is allocated from 9_000_000 up. */
  id?: number;
  user?: string;
}

export interface AddPullRequestOptions {
  owner: string;
  repo: string;
  number?: number;
  headRef: string;
  /** Required unless the head repository has a gitDir holding headRef. */
  headSha?: string;
  headRepoFullName?: string;
  headCloneUrl?: string;
  baseRef?: string;
  title?: string;
  body?: string;
  draft?: boolean;
  user?: string;
  state?: "open" | "closed";
}

export interface AddReviewCommentOptions {
  owner: string;
  repo: string;
  pullNumber: number;
  body: string;
  /** Who wrote it; a person unless said otherwise. */
  user?: string;
  /** Makes it a reply in that comment's thread; path and line then come from the thread. */
  inReplyTo?: number;
  path?: string;
  line?: number;
  side?: "LEFT" | "RIGHT";
  startLine?: number;
  startSide?: "LEFT" | "RIGHT";
}

export interface InjectedFailure {
  status: number;
  message?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, for GHE_HOST. */
  host: string;
  /** `http://127.0.0.1:<port>/api/v3` */
  apiBase: string;
  appId: number;
  appSlug: string;
  /** `<slug>[bot]`, the author of everything the app writes. */
  botLogin: string;
  installationId: number;
  requests: RecordedRequest[];
  /** One line per contract problem, auth failure or fake error: `METHOD /path: problem`. */
  violations: string[];
  /** Valid GitHub operations the fake does not serve: `operationId: METHOD /path`. */
  unimplemented: string[];
  state: FakeGitHubState;
  addRepo(options: AddRepoOptions): RepoState;
  addIssue(options: AddIssueOptions): IssueRecord;
  addComment(options: AddCommentOptions): CommentRecord;
  addPullRequest(options: AddPullRequestOptions): PullRecord;
  /**
   * A review comment by someone else (a person answering the bot, say), placed with the same
   * rules as `POST …/reviews`; throws with GitHub's error text when GitHub would refuse it.
   */
  addReviewComment(options: AddReviewCommentOptions): Promise<ReviewCommentRecord>;
  /** Marks the thread of a review comment resolved, as a person does with "Resolve conversation". */
  resolveThread(commentId: number): void;
  setFile(owner: string, repo: string, path: string, content: string | Buffer): void;
  setBranch(owner: string, repo: string, branch: string, sha: string): void;
  setPermission(owner: string, repo: string, login: string, permission: RepoPermission): void;
  /** Makes the next matching requests to `operationId` fail with `status`. */
  failNext(operationId: string, failure: InjectedFailure): void;
  issueToken(installationId?: number): TokenRecord;
  isValidToken(token: string): boolean;
  close(): Promise<void>;
}

/** A PKCS#1 PEM RSA key like the ones GitHub issues for apps, for Probot's PRIVATE_KEY. */
export function makeRsaKey(): string {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return privateKey;
}

// ---------------------------------------------------------------- small helpers

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? status));
  }
}

function notFound(message = "Not Found"): HttpError {
  return new HttpError(404, { message, documentation_url: DOCS_URL, status: "404" });
}

function validationFailed(errors: Array<Record<string, unknown>>): HttpError {
  return new HttpError(422, { message: "Validation Failed", errors, documentation_url: DOCS_URL, status: "422" });
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function randomAlphanumeric(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

function stableId(text: string): number {
  return 10_000 + (createHash("sha1").update(text).digest().readUInt32BE(0) % 80_000_000);
}

function gitBlobSha(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

function fakeSha(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** GitHub wraps base64 content at 60 characters and ends every line, the last included, with \n. */
function wrappedBase64(content: Buffer): string {
  const encoded = content.toString("base64");
  let result = "";
  for (let index = 0; index < encoded.length; index += 60) result += `${encoded.slice(index, index + 60)}\n`;
  return result;
}

function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function stringField(body: unknown, key: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === "string" ? value : undefined;
}

// ---------------------------------------------------------------- git

async function git(gitDir: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

async function gitBuffer(gitDir: string, args: string[]): Promise<Buffer | null> {
  try {
    const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, ...args], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

async function resolveCommit(gitDir: string, rev: string): Promise<string | null> {
  const out = await git(gitDir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  return out === null ? null : out.trim();
}

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

async function lsTree(gitDir: string, commit: string, path: string): Promise<TreeEntry[]> {
  const out = await git(gitDir, ["ls-tree", "-l", "-z", commit, "--", path]);
  if (out === null) return [];
  return out
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const [meta = "", entryPath = ""] = line.split("\t");
      const [mode = "", type = "", sha = "", size = "0"] = meta.split(/\s+/);
      return { mode, type, sha, size: Number(size) || 0, path: entryPath };
    });
}

interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  message: string;
}

async function readCommit(gitDir: string, sha: string): Promise<CommitInfo | null> {
  const out = await git(gitDir, ["log", "-1", "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", sha]);
  if (out === null) return null;
  const [hash = sha, tree = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", message = ""] = out.split("\0");
  return {
    sha: hash,
    tree,
    parents: parents.split(" ").filter(Boolean),
    authorName: an,
    authorEmail: ae,
    authorDate: timestamp(new Date(ad)),
    committerName: cn,
    committerEmail: ce,
    committerDate: timestamp(new Date(cd)),
    message: message.replace(/\n+$/, ""),
  };
}

// ---------------------------------------------------------------- the fake

interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  accept: string;
}

interface Reply {
  status: number;
  json?: unknown;
  raw?: { contentType: string; data: Buffer };
  headers?: Record<string, string>;
}

type Handler = (context: RouteContext) => Promise<Reply> | Reply;

interface PullCreateBody {
  title?: string;
  head?: string;
  head_repo?: string;
  base?: string;
  body?: string;
  draft?: boolean;
  maintainer_can_modify?: boolean;
  issue?: number;
}

const ROLE_MAP: Record<RepoPermission, { permission: string; roleName: string }> = {
  admin: { permission: "admin", roleName: "admin" },
  maintain: { permission: "write", roleName: "maintain" },
  write: { permission: "write", roleName: "write" },
  triage: { permission: "read", roleName: "triage" },
  read: { permission: "read", roleName: "read" },
  none: { permission: "none", roleName: "none" },
};

const PERMISSION_RANK: RepoPermission[] = ["none", "read", "triage", "write", "maintain", "admin"];

const REPO_URL_TEMPLATES: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}",
  assignees_url: "/assignees{/user}",
  blobs_url: "/git/blobs{/sha}",
  branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}",
  comments_url: "/comments{/number}",
  commits_url: "/commits{/sha}",
  compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}",
  contributors_url: "/contributors",
  deployments_url: "/deployments",
  downloads_url: "/downloads",
  events_url: "/events",
  forks_url: "/forks",
  git_commits_url: "/git/commits{/sha}",
  git_refs_url: "/git/refs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}",
  issue_events_url: "/issues/events{/number}",
  issues_url: "/issues{/number}",
  keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}",
  languages_url: "/languages",
  merges_url: "/merges",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  pulls_url: "/pulls{/number}",
  releases_url: "/releases{/id}",
  stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  tags_url: "/tags",
  teams_url: "/teams",
  trees_url: "/git/trees{/sha}",
};

function isAppAuthRoute(template: string): boolean {
  return (
    template === "/app" ||
    template.startsWith("/app/") ||
    template.startsWith("/marketplace_listing/") ||
    /^\/(orgs|repos|users|enterprises)\/.*\/installation$/.test(template)
  );
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

function jwtIssuer(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { iss?: unknown };
    return payload.iss === undefined ? undefined : String(payload.iss);
  } catch {
    return undefined;
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const appId = options.appId ?? 1;
  const appSlug = options.appSlug ?? "coder-bot";
  const appOwner = options.appOwner ?? "coder-bot-maintainers";
  const defaultInstallationId = options.installationId ?? 1;
  const checkAuth = options.checkAuth ?? true;
  const botLogin = `${appSlug}[bot]`;
  const appCreatedAt = timestamp();

  const state: FakeGitHubState = { tokens: [], repos: new Map(), issues: [], comments: [], reactions: [], pulls: [], reviews: [], reviewComments: [], resolvedThreads: new Set() };
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const unimplemented: string[] = [];
  const failures = new Map<string, Array<{ status: number; message: string; times: number }>>();
  const counters = { repo: 100_000, issue: 3_000_000, pull: 5_000_000, review: 6_000_000, reaction: 7_000_000, reviewComment: 8_000_000, comment: 9_000_000, request: 0 };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const apiBase = `${url}${API_PREFIX}`;

  // -------------------------------------------------------------- state helpers

  function findRepo(owner: string, repo: string): RepoState | undefined {
    return state.repos.get(repoKey(owner, repo));
  }

  function requireRepo(params: Record<string, string>): RepoState {
    const repo = findRepo(params.owner ?? "", params.repo ?? "");
    if (repo === undefined) throw notFound();
    return repo;
  }

  function issuesOf(repo: RepoState): IssueRecord[] {
    return state.issues.filter((issue) => repoKey(issue.owner, issue.repo) === repoKey(repo.owner, repo.name));
  }

  function pullsOf(repo: RepoState): PullRecord[] {
    return state.pulls.filter((pull) => repoKey(pull.owner, pull.repo) === repoKey(repo.owner, repo.name));
  }

  function numberTaken(repo: RepoState, number: number): boolean {
    return issuesOf(repo).some((issue) => issue.number === number) || pullsOf(repo).some((pull) => pull.number === number);
  }

  /** Issues and pull requests share a repository's numbers; the fake hands out 1000 and up. */
  function nextNumber(repo: RepoState): number {
    const used = [...issuesOf(repo).map((issue) => issue.number), ...pullsOf(repo).map((pull) => pull.number)];
    return Math.max(999, ...used) + 1;
  }

  function claimNumber(repo: RepoState, wanted: number | undefined): number {
    if (wanted === undefined) return nextNumber(repo);
    if (numberTaken(repo, wanted)) throw new Error(`${repo.fullName}#${wanted} is already an issue or pull request`);
    return wanted;
  }

  function nextCommentId(): number {
    return counters.comment++;
  }

  async function branchSha(repo: RepoState, branch: string): Promise<string | null> {
    if (repo.gitDir !== undefined) return resolveCommit(repo.gitDir, `refs/heads/${branch}`);
    return repo.branches.get(branch) ?? null;
  }

  /** For test setup, which is synchronous. */
  function branchShaSync(repo: RepoState, branch: string): string | null {
    if (repo.gitDir === undefined) return repo.branches.get(branch) ?? null;
    try {
      const args = ["--git-dir", repo.gitDir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`];
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  }

  function permissionOf(repo: RepoState, login: string): RepoPermission {
    return repo.permissions.get(login.toLowerCase()) ?? "read";
  }

  function isValidToken(token: string): boolean {
    const record = state.tokens.find((candidate) => candidate.token === token);
    return record !== undefined && Date.parse(record.expiresAt) > Date.now();
  }

  function issueToken(installationId = defaultInstallationId, permissions = options.tokenPermissions ?? {}): TokenRecord {
    const record: TokenRecord = {
      token: `ghs_${randomAlphanumeric(36)}`,
      installationId,
      expiresAt: timestamp(new Date(Date.now() + 60 * 60 * 1000)),
      permissions,
    };
    state.tokens.push(record);
    return record;
  }

  // -------------------------------------------------------------- response objects

  function userObject(login: string): Record<string, unknown> {
    const id = stableId(login);
    const userUrl = `${apiBase}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: nodeId(login.endsWith("[bot]") ? "BOT" : "U", id),
      avatar_url: `${url}/avatars/u/${id}?v=4`,
      gravatar_id: "",
      url: userUrl,
      html_url: login.endsWith("[bot]") ? `${url}/apps/${login.slice(0, -5)}` : `${url}/${login}`,
      followers_url: `${userUrl}/followers`,
      following_url: `${userUrl}/following{/other_user}`,
      gists_url: `${userUrl}/gists{/gist_id}`,
      starred_url: `${userUrl}/starred{/owner}{/repo}`,
      subscriptions_url: `${userUrl}/subscriptions`,
      organizations_url: `${userUrl}/orgs`,
      repos_url: `${userUrl}/repos`,
      events_url: `${userUrl}/events{/privacy}`,
      received_events_url: `${userUrl}/received_events`,
      type: login.endsWith("[bot]") ? "Bot" : "User",
      user_view_type: "public",
      site_admin: false,
    };
  }

  function repoObject(repo: RepoState): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${repo.fullName}`;
    const templated = Object.fromEntries(Object.entries(REPO_URL_TEMPLATES).map(([key, suffix]) => [key, `${repoUrl}${suffix}`]));
    const openIssues = issuesOf(repo).filter((issue) => issue.state === "open").length + pullsOf(repo).filter((pull) => pull.state === "open").length;
    return {
      id: repo.id,
      node_id: nodeId("R", repo.id),
      name: repo.name,
      full_name: repo.fullName,
      private: false,
      owner: userObject(repo.owner),
      html_url: `${url}/${repo.fullName}`,
      description: null,
      fork: false,
      url: repoUrl,
      ...templated,
      git_url: `git://${host}/${repo.fullName}.git`,
      ssh_url: `git@${host}:${repo.fullName}.git`,
      clone_url: repo.cloneUrl,
      svn_url: `${url}/${repo.fullName}`,
      mirror_url: null,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues: openIssues,
      open_issues_count: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: "public",
      license: null,
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      allow_forking: true,
      web_commit_signoff_required: false,
    };
  }

  function fullRepoObject(repo: RepoState): Record<string, unknown> {
    return { ...repoObject(repo), network_count: 0, subscribers_count: 0, temp_clone_token: null };
  }

  function issueHtmlUrl(repo: { owner: string; repo: string }, number: number): string {
    const isPull = state.pulls.some((pull) => pull.number === number && repoKey(pull.owner, pull.repo) === repoKey(repo.owner, repo.repo));
    return `${url}/${repo.owner}/${repo.repo}/${isPull ? "pull" : "issues"}/${number}`;
  }

  function commentObject(comment: CommentRecord): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${comment.owner}/${comment.repo}`;
    return {
      id: comment.id,
      node_id: nodeId("IC", comment.id),
      url: `${repoUrl}/issues/comments/${comment.id}`,
      html_url: `${issueHtmlUrl(comment, comment.issueNumber)}#issuecomment-${comment.id}`,
      body: comment.body,
      user: userObject(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
      author_association: comment.user === botLogin ? "NONE" : "CONTRIBUTOR",
      performed_via_github_app: comment.user === botLogin ? appObject() : null,
      reactions: reactionRollup(comment),
    };
  }

  function reactionRollup(comment: CommentRecord): Record<string, unknown> {
    const reactions = state.reactions.filter((reaction) => reaction.commentId === comment.id);
    const count = (content: string) => reactions.filter((reaction) => reaction.content === content).length;
    return {
      url: `${apiBase}/repos/${comment.owner}/${comment.repo}/issues/comments/${comment.id}/reactions`,
      total_count: reactions.length,
      "+1": count("+1"),
      "-1": count("-1"),
      laugh: count("laugh"),
      confused: count("confused"),
      heart: count("heart"),
      hooray: count("hooray"),
      eyes: count("eyes"),
      rocket: count("rocket"),
    };
  }

  function reactionObject(reaction: ReactionRecord): Record<string, unknown> {
    return {
      id: reaction.id,
      node_id: nodeId("REA", reaction.id),
      user: userObject(reaction.user),
      content: reaction.content,
      created_at: reaction.createdAt,
    };
  }

  function appObject(): Record<string, unknown> {
    return {
      id: appId,
      slug: appSlug,
      node_id: nodeId("A", appId),
      client_id: `Iv1.${fakeSha(appSlug).slice(0, 16)}`,
      owner: userObject(appOwner),
      name: appSlug,
      description: "A self-hosted coding partner",
      external_url: `${url}/apps/${appSlug}`,
      html_url: `${url}/apps/${appSlug}`,
      created_at: appCreatedAt,
      updated_at: appCreatedAt,
      permissions: { contents: "write", issues: "write", metadata: "read", pull_requests: "write" },
      events: ["issue_comment", "issues", "pull_request", "pull_request_review_comment"],
      installations_count: 1,
    };
  }

  function installationObject(installationId: number, account: string): Record<string, unknown> {
    return {
      id: installationId,
      account: userObject(account),
      repository_selection: "all",
      access_tokens_url: `${apiBase}/app/installations/${installationId}/access_tokens`,
      repositories_url: `${apiBase}/installation/repositories`,
      html_url: `${url}/settings/installations/${installationId}`,
      app_id: appId,
      app_slug: appSlug,
      target_id: stableId(account),
      target_type: "User",
      permissions: appObject().permissions,
      events: appObject().events,
      created_at: appCreatedAt,
      updated_at: appCreatedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  function issueObject(issue: IssueRecord): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${issue.owner}/${issue.repo}`;
    const issueUrl = `${repoUrl}/issues/${issue.number}`;
    return {
      id: issue.id,
      node_id: nodeId("I", issue.id),
      url: issueUrl,
      repository_url: repoUrl,
      labels_url: `${issueUrl}/labels{/name}`,
      comments_url: `${issueUrl}/comments`,
      events_url: `${issueUrl}/events`,
      html_url: `${url}/${issue.owner}/${issue.repo}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: null,
      title: issue.title,
      body: issue.body,
      user: userObject(issue.user),
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: state.comments.filter((comment) => comment.issueNumber === issue.number && repoKey(comment.owner, comment.repo) === repoKey(issue.owner, issue.repo)).length,
      closed_at: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      author_association: "CONTRIBUTOR",
    };
  }

  async function currentHeadSha(pull: PullRecord): Promise<string> {
    const [owner = "", name = ""] = pull.headRepoFullName.split("/");
    const headRepo = findRepo(owner, name);
    if (headRepo?.gitDir === undefined) return pull.headSha;
    return (await resolveCommit(headRepo.gitDir, `refs/heads/${pull.headRef}`)) ?? pull.headSha;
  }

  function branchSide(ref: string, sha: string, repoFullName: string, cloneUrl: string): Record<string, unknown> {
    const [owner = "", name = ""] = repoFullName.split("/");
    const known = findRepo(owner, name);
    const repo = known !== undefined ? { ...repoObject(known), clone_url: cloneUrl } : foreignRepoObject(repoFullName, cloneUrl);
    return { label: `${owner}:${ref}`, ref, sha, user: userObject(owner), repo };
  }

  /** A head repository the test did not register (a fork known only by name). */
  function foreignRepoObject(fullName: string, cloneUrl: string): Record<string, unknown> {
    const [owner = "", name = ""] = fullName.split("/");
    const placeholder: RepoState = {
      id: stableId(fullName),
      owner,
      name,
      fullName,
      defaultBranch: "main",
      gitDir: undefined,
      cloneUrl,
      installationId: defaultInstallationId,
      permissions: new Map(),
      protectedBranches: new Set(),
      files: new Map(),
      branches: new Map(),
      createdAt: appCreatedAt,
    };
    return { ...repoObject(placeholder), fork: true };
  }

  async function pullObject(pull: PullRecord, detailed: boolean): Promise<Record<string, unknown>> {
    const repo = findRepo(pull.owner, pull.repo) as RepoState;
    const repoUrl = `${apiBase}/repos/${repo.fullName}`;
    const pullUrl = `${repoUrl}/pulls/${pull.number}`;
    const htmlUrl = `${url}/${repo.fullName}/pull/${pull.number}`;
    const headSha = await currentHeadSha(pull);
    const baseSha = (await branchSha(repo, pull.baseRef)) ?? fakeSha(`${repo.fullName}:${pull.baseRef}`);
    const simple: Record<string, unknown> = {
      url: pullUrl,
      id: pull.id,
      node_id: nodeId("PR", pull.id),
      html_url: htmlUrl,
      diff_url: `${htmlUrl}.diff`,
      patch_url: `${htmlUrl}.patch`,
      issue_url: `${repoUrl}/issues/${pull.number}`,
      commits_url: `${pullUrl}/commits`,
      review_comments_url: `${pullUrl}/comments`,
      review_comment_url: `${repoUrl}/pulls/comments{/number}`,
      comments_url: `${repoUrl}/issues/${pull.number}/comments`,
      statuses_url: `${repoUrl}/statuses/${headSha}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: userObject(pull.user),
      body: pull.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branchSide(pull.headRef, headSha, pull.headRepoFullName, pull.headCloneUrl),
      base: branchSide(pull.baseRef, baseSha, repo.fullName, repo.cloneUrl),
      _links: {
        self: { href: pullUrl },
        html: { href: htmlUrl },
        issue: { href: `${repoUrl}/issues/${pull.number}` },
        comments: { href: `${repoUrl}/issues/${pull.number}/comments` },
        review_comments: { href: `${pullUrl}/comments` },
        review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
        commits: { href: `${pullUrl}/commits` },
        statuses: { href: `${repoUrl}/statuses/${headSha}` },
      },
      author_association: pull.user === botLogin ? "NONE" : "CONTRIBUTOR",
      auto_merge: null,
      draft: pull.draft,
    };
    if (!detailed) return simple;
    const figures = await pullFigures(pull);
    return {
      ...simple,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: "unknown",
      merged_by: null,
      comments: state.comments.filter((comment) => comment.issueNumber === pull.number && repoKey(comment.owner, comment.repo) === repoKey(pull.owner, pull.repo)).length,
      review_comments: state.reviewComments.filter((comment) => samePull(comment, pull)).length,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: figures.commits,
      additions: figures.additions,
      deletions: figures.deletions,
      changed_files: figures.changedFiles,
    };
  }

  async function commitObject(repo: RepoState, sha: string): Promise<Record<string, unknown>> {
    const info = repo.gitDir === undefined ? null : await readCommit(repo.gitDir, sha);
    const repoUrl = `${apiBase}/repos/${repo.fullName}`;
    const date = info?.committerDate ?? repo.createdAt;
    const person = (name: string | undefined, email: string | undefined, when: string) => ({ name: name ?? "Test", email: email ?? "test@example.com", date: when });
    return {
      sha,
      node_id: nodeId("C", stableId(sha)),
      url: `${repoUrl}/commits/${sha}`,
      html_url: `${url}/${repo.fullName}/commit/${sha}`,
      comments_url: `${repoUrl}/commits/${sha}/comments`,
      commit: {
        url: `${repoUrl}/git/commits/${sha}`,
        author: person(info?.authorName, info?.authorEmail, info?.authorDate ?? date),
        committer: person(info?.committerName, info?.committerEmail, date),
        message: info?.message ?? "",
        tree: { sha: info?.tree ?? fakeSha(`tree:${sha}`), url: `${repoUrl}/git/trees/${info?.tree ?? fakeSha(`tree:${sha}`)}` },
        comment_count: 0,
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
      author: null,
      committer: null,
      parents: (info?.parents ?? []).map((parent) => ({ sha: parent, url: `${repoUrl}/commits/${parent}`, html_url: `${url}/${repo.fullName}/commit/${parent}` })),
    };
  }

  function contentLinks(repo: RepoState, path: string, ref: string, sha: string, kind: "blob" | "tree") {
    const self = `${apiBase}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${apiBase}/repos/${repo.fullName}/git/${kind === "blob" ? "blobs" : "trees"}/${sha}`;
    const htmlUrl = `${url}/${repo.fullName}/${kind}/${ref}/${path}`;
    return { url: self, git_url: gitUrl, html_url: htmlUrl, _links: { self, git: gitUrl, html: htmlUrl } };
  }

  function fileObject(repo: RepoState, path: string, ref: string, sha: string, content: Buffer): Record<string, unknown> {
    return {
      type: "file",
      encoding: "base64",
      size: content.length,
      name: path.split("/").pop() ?? path,
      path,
      content: wrappedBase64(content),
      sha,
      ...contentLinks(repo, path, ref, sha, "blob"),
      download_url: `${url}/${repo.fullName}/raw/${ref}/${path}`,
    };
  }

  function directoryEntry(repo: RepoState, entry: TreeEntry, ref: string): Record<string, unknown> {
    const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : entry.mode === "120000" ? "symlink" : "file";
    return {
      type,
      size: entry.type === "blob" ? entry.size : 0,
      name: entry.path.split("/").pop() ?? entry.path,
      path: entry.path,
      sha: entry.sha,
      ...contentLinks(repo, entry.path, ref, entry.sha, entry.type === "tree" ? "tree" : "blob"),
      download_url: type === "file" ? `${url}/${repo.fullName}/raw/${ref}/${entry.path}` : null,
    };
  }

  // -------------------------------------------------------------- handlers

  function paginate<T>(items: T[], context: RouteContext): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(context.query.per_page ?? 30) || 30, 1), 100);
    const pageNumber = Math.max(Number(context.query.page ?? 1) || 1, 1);
    const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (page: number, rel: string) => {
      const query = new URLSearchParams({ ...context.query, per_page: String(perPage), page: String(page) });
      return `<${apiBase}${context.path}?${query.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (pageNumber > 1) links.push(link(pageNumber - 1, "prev"), link(1, "first"));
    if (pageNumber < lastPage) links.push(link(pageNumber + 1, "next"), link(lastPage, "last"));
    const headers: Record<string, string> = links.length > 0 ? { link: links.join(", ") } : {};
    return { page: items.slice((pageNumber - 1) * perPage, pageNumber * perPage), headers };
  }

  function findComment(repo: RepoState, commentId: number): CommentRecord {
    const comment = state.comments.find((candidate) => candidate.id === commentId && repoKey(candidate.owner, candidate.repo) === repoKey(repo.owner, repo.name));
    if (comment === undefined) throw notFound();
    return comment;
  }

  function requireIssueOrPull(repo: RepoState, number: number): void {
    if (!numberTaken(repo, number)) throw notFound();
  }

  const handlers: Record<string, Handler> = {
    "apps/get-authenticated": () => ({ status: 200, json: appObject() }),

    "apps/list-installations": () => {
      const ids = [...new Set([defaultInstallationId, ...[...state.repos.values()].map((repo) => repo.installationId)])];
      return { status: 200, json: ids.map((id) => installationObject(id, ownerForInstallation(id))) };
    },

    "apps/get-installation": ({ params }) => {
      const id = Number(params.installation_id);
      return { status: 200, json: installationObject(id, ownerForInstallation(id)) };
    },

    "apps/create-installation-access-token": ({ params, body }) => {
      const requested = (body as { permissions?: Record<string, string>; repositories?: string[] } | undefined) ?? {};
      const record = issueToken(Number(params.installation_id), requested.permissions ?? options.tokenPermissions ?? {});
      const json: Record<string, unknown> = {
        token: record.token,
        expires_at: record.expiresAt,
        permissions: record.permissions,
        repository_selection: requested.repositories === undefined ? "all" : "selected",
      };
      return { status: 201, json };
    },

    "apps/get-repo-installation": ({ params }) => {
      const repo = requireRepo(params);
      return { status: 200, json: installationObject(repo.installationId, repo.owner) };
    },

    "repos/get": ({ params }) => ({ status: 200, json: fullRepoObject(requireRepo(params)) }),

    "repos/get-collaborator-permission-level": ({ params }) => {
      const repo = requireRepo(params);
      const login = params.username ?? "";
      const role = ROLE_MAP[permissionOf(repo, login)];
      const rank = PERMISSION_RANK.indexOf(permissionOf(repo, login));
      const user = {
        ...userObject(login),
        permissions: { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 },
        role_name: role.roleName,
      };
      return { status: 200, json: { permission: role.permission, role_name: role.roleName, user } };
    },

    "reactions/create-for-issue-comment": ({ params, body }) => {
      const repo = requireRepo(params);
      const comment = findComment(repo, Number(params.comment_id));
      const content = stringField(body, "content") ?? "";
      const existing = state.reactions.find((reaction) => reaction.commentId === comment.id && reaction.content === content && reaction.user === botLogin);
      if (existing !== undefined) return { status: 200, json: reactionObject(existing) };
      const reaction: ReactionRecord = { id: counters.reaction++, owner: repo.owner, repo: repo.name, commentId: comment.id, content, user: botLogin, createdAt: timestamp() };
      state.reactions.push(reaction);
      return { status: 201, json: reactionObject(reaction) };
    },

    "reactions/list-for-issue-comment": (context) => {
      const repo = requireRepo(context.params);
      const comment = findComment(repo, Number(context.params.comment_id));
      const wanted = context.query.content;
      const reactions = state.reactions.filter((reaction) => reaction.commentId === comment.id && (wanted === undefined || reaction.content === wanted));
      const { page, headers } = paginate(reactions, context);
      return { status: 200, json: page.map(reactionObject), headers };
    },

    "issues/get": ({ params }) => {
      const repo = requireRepo(params);
      const number = Number(params.issue_number);
      const issue = issuesOf(repo).find((candidate) => candidate.number === number);
      if (issue !== undefined) return { status: 200, json: issueObject(issue) };
      const pull = pullsOf(repo).find((candidate) => candidate.number === number);
      if (pull === undefined) throw notFound();
      return { status: 200, json: pullAsIssue(pull) };
    },

    "issues/create-comment": ({ params, body }) => {
      const repo = requireRepo(params);
      const issueNumber = Number(params.issue_number);
      requireIssueOrPull(repo, issueNumber);
      const comment = storeComment({ owner: repo.owner, repo: repo.name, issueNumber, body: stringField(body, "body") ?? "", user: botLogin });
      return { status: 201, json: commentObject(comment), headers: { location: `${apiBase}/repos/${repo.fullName}/issues/comments/${comment.id}` } };
    },

    "issues/get-comment": ({ params }) => {
      const repo = requireRepo(params);
      return { status: 200, json: commentObject(findComment(repo, Number(params.comment_id))) };
    },

    "issues/update-comment": ({ params, body }) => {
      const repo = requireRepo(params);
      const comment = findComment(repo, Number(params.comment_id));
      comment.body = stringField(body, "body") ?? "";
      comment.history.push(comment.body);
      comment.updatedAt = timestamp();
      return { status: 200, json: commentObject(comment) };
    },

    "issues/list-comments": (context) => {
      const repo = requireRepo(context.params);
      const issueNumber = Number(context.params.issue_number);
      requireIssueOrPull(repo, issueNumber);
      const since = context.query.since === undefined ? undefined : Date.parse(context.query.since);
      const comments = state.comments
        .filter((comment) => comment.issueNumber === issueNumber && repoKey(comment.owner, comment.repo) === repoKey(repo.owner, repo.name))
        .filter((comment) => since === undefined || Date.parse(comment.updatedAt) >= since)
        .sort((a, b) => a.id - b.id);
      const { page, headers } = paginate(comments, context);
      return { status: 200, json: page.map(commentObject), headers };
    },

    "repos/get-content": (context) => getContent(context),

    "repos/get-branch": async ({ params }) => {
      const repo = requireRepo(params);
      const branch = params.branch ?? "";
      const sha = await branchSha(repo, branch);
      if (sha === null) throw notFound("Branch not found");
      const branchUrl = `${apiBase}/repos/${repo.fullName}/branches/${branch}`;
      const isProtected = repo.protectedBranches.has(branch);
      return {
        status: 200,
        json: {
          name: branch,
          commit: await commitObject(repo, sha),
          _links: { self: branchUrl, html: `${url}/${repo.fullName}/tree/${branch}` },
          protected: isProtected,
          protection: { enabled: isProtected, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
          protection_url: `${branchUrl}/protection`,
        },
      };
    },

    "pulls/get": async ({ params }) => {
      const repo = requireRepo(params);
      const pull = pullsOf(repo).find((candidate) => candidate.number === Number(params.pull_number));
      if (pull === undefined) throw notFound();
      return { status: 200, json: await pullObject(pull, true) };
    },

    "pulls/list": async (context) => {
      const repo = requireRepo(context.params);
      const pulls = sortPulls(pullsOf(repo).filter(pullFilter(context.query)), context.query);
      const { page, headers } = paginate(pulls, context);
      return { status: 200, json: await Promise.all(page.map((pull) => pullObject(pull, false))), headers };
    },

    "pulls/create": (context) => createPull(context),

    "pulls/list-files": (context) => listPullFiles(context),

    "repos/compare-commits-with-basehead": (context) => compareCommits(context),

    "repos/compare-commits": (context) => compareCommits(context),

    "pulls/create-review": (context) => createReview(context),

    "pulls/list-reviews": (context) => listReviews(context),

    "pulls/get-review": (context) => ({ status: 200, json: reviewObject(findReview(context)) }),

    "pulls/list-review-comments": (context) => listReviewComments(context),

    "pulls/list-comments-for-review": (context) => listCommentsForReview(context),

    "pulls/create-reply-for-review-comment": (context) => createReply(context),
  };

  function ownerForInstallation(installationId: number): string {
    return [...state.repos.values()].find((repo) => repo.installationId === installationId)?.owner ?? appOwner;
  }

  function pullAsIssue(pull: PullRecord): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${pull.owner}/${pull.repo}`;
    const issue: IssueRecord = { ...pull, id: pull.id, body: pull.body ?? "" };
    return {
      ...issueObject(issue),
      html_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}`,
      draft: pull.draft,
      pull_request: {
        url: `${repoUrl}/pulls/${pull.number}`,
        html_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}`,
        diff_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}.diff`,
        patch_url: `${url}/${pull.owner}/${pull.repo}/pull/${pull.number}.patch`,
        merged_at: null,
      },
    };
  }

  function storeComment(fields: Omit<CommentRecord, "id" | "history" | "createdAt" | "updatedAt"> & { id?: number }): CommentRecord {
    const now = timestamp();
    const comment: CommentRecord = { ...fields, id: fields.id ?? nextCommentId(), history: [fields.body], createdAt: now, updatedAt: now };
    state.comments.push(comment);
    return comment;
  }

  /**
   * GitHub ignores a `head` filter that lacks the `owner:` part and lists every pull request,
   * a classic source of "found an unrelated PR" bugs; the fake does the same.
   */
  function pullFilter(query: Record<string, string>): (pull: PullRecord) => boolean {
    const wantedState = query.state ?? "open";
    const [headOwner, headRef] = query.head?.includes(":") === true ? splitOnce(query.head, ":") : [undefined, undefined];
    return (pull) =>
      (wantedState === "all" || pull.state === wantedState) &&
      (query.base === undefined || pull.baseRef === query.base) &&
      (headOwner === undefined || (sameLogin(pull.headRepoFullName.split("/")[0] ?? "", headOwner) && pull.headRef === headRef));
  }

  function sortPulls(pulls: PullRecord[], query: Record<string, string>): PullRecord[] {
    const sort = query.sort ?? "created";
    const direction = query.direction ?? (sort === "created" ? "desc" : "asc");
    const key = (pull: PullRecord) => (sort === "updated" ? Date.parse(pull.updatedAt) : pull.id);
    const sorted = [...pulls].sort((a, b) => key(a) - key(b) || a.id - b.id);
    return direction === "desc" ? sorted.reverse() : sorted;
  }

  async function getContent(context: RouteContext): Promise<Reply> {
    const repo = requireRepo(context.params);
    const path = (context.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const ref = context.query.ref ?? repo.defaultBranch;
    const wantsRaw = /application\/vnd\.github(\.v3)?\.raw/.test(context.accept);
    const override = repo.files.get(path);
    if (override !== undefined) return contentReply(fileObject(repo, path, ref, gitBlobSha(override), override), override, wantsRaw);
    if (repo.gitDir === undefined) throw notFound();
    const commit = await resolveCommit(repo.gitDir, ref);
    if (commit === null) throw notFound(`No commit found for the ref ${ref}`);
    const [entry] = await lsTree(repo.gitDir, commit, path);
    if (entry === undefined || entry.path !== path) throw notFound();
    if (entry.type === "tree") {
      const children = await lsTree(repo.gitDir, commit, `${path}/`);
      return { status: 200, json: children.map((child) => directoryEntry(repo, child, ref)) };
    }
    const content = await gitBuffer(repo.gitDir, ["cat-file", "blob", entry.sha]);
    if (content === null) throw notFound();
    return contentReply(fileObject(repo, path, ref, entry.sha, content), content, wantsRaw);
  }

  function contentReply(json: Record<string, unknown>, content: Buffer, raw: boolean): Reply {
    return raw ? { status: 200, raw: { contentType: "application/vnd.github.raw; charset=utf-8", data: content } } : { status: 200, json };
  }

  async function createPull(context: RouteContext): Promise<Reply> {
    const repo = requireRepo(context.params);
    const body = (context.body ?? {}) as PullCreateBody;
    if (body.issue !== undefined) return notImplemented(context, "pulls/create with `issue`");
    if (body.title === undefined) throw validationFailed([{ resource: "PullRequest", code: "missing_field", field: "title" }]);
    const [headOwner, headRef] = (body.head ?? "").includes(":") ? splitOnce(body.head ?? "", ":") : [repo.owner, body.head ?? ""];
    const headRepo = body.head_repo !== undefined ? findRepo(...splitOnce(body.head_repo, "/")) : sameLogin(headOwner, repo.owner) ? repo : findRepo(headOwner, repo.name);
    const headSha = headRepo === undefined ? null : await branchSha(headRepo, headRef);
    if (headRepo === undefined || headSha === null) throw validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    const baseRef = body.base ?? "";
    const baseSha = await branchSha(repo, baseRef);
    if (baseSha === null) throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
    const duplicate = pullsOf(repo).find(
      (pull) => pull.state === "open" && sameLogin(pull.headRepoFullName, headRepo.fullName) && pull.headRef === headRef && pull.baseRef === baseRef,
    );
    if (duplicate !== undefined) {
      throw validationFailed([{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${headRepo.owner}:${headRef}.` }]);
    }
    if (headRepo === repo && repo.gitDir !== undefined && (await git(repo.gitDir, ["merge-base", "--is-ancestor", headSha, baseSha])) !== null) {
      throw validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${baseRef} and ${headRef}` }]);
    }
    const now = timestamp();
    const pull: PullRecord = {
      id: counters.pull++,
      owner: repo.owner,
      repo: repo.name,
      number: nextNumber(repo),
      title: body.title,
      body: body.body ?? null,
      draft: body.draft ?? false,
      state: "open",
      headRef,
      headSha,
      headRepoFullName: headRepo.fullName,
      headCloneUrl: headRepo.cloneUrl,
      baseRef,
      user: botLogin,
      maintainerCanModify: body.maintainer_can_modify ?? headRepo !== repo,
      createdAt: now,
      updatedAt: now,
    };
    state.pulls.push(pull);
    const json = await pullObject(pull, true);
    return { status: 201, json, headers: { location: String(json.url) } };
  }

  // -------------------------------------------------------------- pull request diffs and reviews

  const REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";
  const COMPARE_DOCS = "https://docs.github.com/rest/commits/commits#compare-two-commits";
  /** GitHub lists at most 3,000 files of a pull request and 300 of a comparison. */
  const MAX_PULL_FILES = 3000;
  const MAX_COMPARE_FILES = 300;
  /** Without paging parameters a comparison lists its newest 250 commits. */
  const MAX_COMPARE_COMMITS = 250;

  interface PullGit {
    gitDir: string;
    baseSha: string;
    headSha: string;
    mergeBase: string;
  }

  interface ReviewCommentInput {
    path?: string;
    line?: number;
    side?: string;
    start_line?: number;
    start_side?: string;
    position?: number;
    body?: string;
  }

  interface ReviewRequest {
    commit_id?: string;
    body?: string;
    event?: "APPROVE" | "REQUEST_CHANGES" | "COMMENT";
    comments?: ReviewCommentInput[];
  }

  type Placement = Pick<ReviewCommentRecord, "path" | "line" | "side" | "startLine" | "startSide" | "position" | "diffHunk">;

  /**
   * Answers about fixed commits (merge bases, ancestry, diffs) never change, and reviews ask them
   * again and again, so each is computed once. Failures are not kept: the commit may arrive later.
   */
  const settled = new Map<string, Promise<unknown>>();
  function once<T>(key: string, compute: () => Promise<T | null>): Promise<T | null> {
    const known = settled.get(key) as Promise<T | null> | undefined;
    if (known !== undefined) return known;
    const pending = compute();
    settled.set(key, pending);
    const forget = () => void settled.delete(key);
    void pending.then((value) => (value === null ? forget() : undefined), forget);
    return pending;
  }
  const gitOnce = (gitDir: string, args: string[]) => once(`git\0${gitDir}\0${args.join("\0")}`, () => git(gitDir, args));
  const isAncestor = async (gitDir: string, ancestor: string, descendant: string) =>
    (await once(`ancestor\0${gitDir}\0${ancestor}\0${descendant}`, async () => ((await git(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant])) !== null ? "yes" : "no"))) === "yes";
  const diffOnce = (gitDir: string, from: string, to: string) => once(`diff\0${gitDir}\0${from}\0${to}`, () => diffFiles(gitDir, from, to)) as Promise<DiffFile[]>;

  function requirePull(repo: RepoState, number: number): PullRecord {
    const pull = pullsOf(repo).find((candidate) => candidate.number === number);
    if (pull === undefined) throw notFound();
    return pull;
  }

  function samePull(record: { owner: string; repo: string; pullNumber: number }, pull: PullRecord): boolean {
    return record.pullNumber === pull.number && repoKey(record.owner, record.repo) === repoKey(pull.owner, pull.repo);
  }

  /**
   * The repository holding both ends of the pull request. GitHub keeps a fork's head in the base
   * repository as refs/pull/N/head; the fake fetches it there the same way when the head lives in
   * another bare repository.
   */
  async function pullGit(pull: PullRecord): Promise<PullGit> {
    const repo = findRepo(pull.owner, pull.repo) as RepoState;
    if (repo.gitDir === undefined) throw new Error(`fake GitHub: ${repo.fullName} needs a gitDir for pull request diffs`);
    const headSha = await currentHeadSha(pull);
    const baseSha = await branchSha(repo, pull.baseRef);
    if (baseSha === null) throw new Error(`fake GitHub: ${repo.fullName} has no branch ${pull.baseRef}`);
    const headRepo = findRepo(...splitOnce(pull.headRepoFullName, "/"));
    if (headRepo !== repo && (await git(repo.gitDir, ["cat-file", "-e", `${headSha}^{commit}`])) === null) {
      const fetched = headRepo?.gitDir !== undefined && headRepo !== repo && (await git(repo.gitDir, ["fetch", "--quiet", headRepo.gitDir, `+refs/heads/${pull.headRef}:refs/pull/${pull.number}/head`])) !== null;
      if (!fetched) throw new Error(`fake GitHub: head ${headSha} of ${repo.fullName}#${pull.number} is in no repository the fake can read`);
    }
    const mergeBase = (await gitOnce(repo.gitDir, ["merge-base", baseSha, headSha]))?.trim();
    if (!mergeBase) throw new Error(`fake GitHub: ${repo.fullName}#${pull.number} has no common ancestor with ${pull.baseRef}`);
    return { gitDir: repo.gitDir, baseSha, headSha, mergeBase };
  }

  /** The figures of a detailed pull request; a pull request without real git keeps GitHub-shaped placeholders. */
  async function pullFigures(pull: PullRecord): Promise<{ commits: number; additions: number; deletions: number; changedFiles: number }> {
    const repo = findRepo(pull.owner, pull.repo);
    const headRepo = findRepo(...splitOnce(pull.headRepoFullName, "/"));
    if (repo?.gitDir === undefined || headRepo?.gitDir === undefined) return { commits: 1, additions: 0, deletions: 0, changedFiles: 0 };
    try {
      const where = await pullGit(pull);
      const files = await diffOnce(where.gitDir, where.mergeBase, where.headSha);
      const commits = (await gitOnce(where.gitDir, ["rev-list", "--count", `${where.mergeBase}..${where.headSha}`]))?.trim();
      return {
        commits: Number(commits) || 0,
        additions: files.reduce((sum, file) => sum + file.additions, 0),
        deletions: files.reduce((sum, file) => sum + file.deletions, 0),
        changedFiles: files.length,
      };
    } catch {
      return { commits: 1, additions: 0, deletions: 0, changedFiles: 0 };
    }
  }

  function diffEntryObject(repo: RepoState, commit: string, file: DiffFile): Record<string, unknown> {
    const path = file.filename.split("/").map(encodeURIComponent).join("/");
    return {
      sha: file.sha,
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      blob_url: `${url}/${repo.fullName}/blob/${commit}/${path}`,
      raw_url: `${url}/${repo.fullName}/raw/${commit}/${path}`,
      contents_url: `${apiBase}/repos/${repo.fullName}/contents/${path}?ref=${commit}`,
      ...(file.patch !== undefined ? { patch: file.patch } : {}),
      ...(file.previousFilename !== null ? { previous_filename: file.previousFilename } : {}),
    };
  }

  async function listPullFiles(context: RouteContext): Promise<Reply> {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    const where = await pullGit(pull);
    const files = (await diffOnce(where.gitDir, where.mergeBase, where.headSha)).slice(0, MAX_PULL_FILES);
    const { page, headers } = paginate(files, context);
    return { status: 200, json: page.map((file) => diffEntryObject(repo, where.headSha, file)), headers };
  }

  /**
   * A ref or commit as GitHub finds it. A commit that no ref reaches any more (the old head after
   * a force push) is treated as gone, so comparing against it answers 404.
   */
  async function reachableCommit(repo: RepoState, gitDir: string, spec: string): Promise<string | null> {
    const [owner, ref] = spec.includes(":") ? splitOnce(spec, ":") : [repo.owner, spec];
    if (!sameLogin(owner, repo.owner) || ref === "") return null;
    const sha = await resolveCommit(gitDir, ref);
    if (sha === null) return null;
    const containing = await git(gitDir, ["for-each-ref", "--count=1", "--contains", sha, "--format=%(refname)"]);
    return containing?.trim() ? sha : null;
  }

  async function revList(gitDir: string, range: string): Promise<string[]> {
    return ((await git(gitDir, ["rev-list", "--reverse", range])) ?? "").split("\n").filter(Boolean);
  }

  async function compareCommits(context: RouteContext): Promise<Reply> {
    const repo = requireRepo(context.params);
    if (repo.gitDir === undefined) return notImplemented(context, "repos/compare-commits-with-basehead without a gitDir");
    // The deprecated `{base}...{head}` route matches the same paths; both land here.
    const basehead = context.params.basehead ?? `${context.params.base ?? ""}...${context.params.head ?? ""}`;
    const [baseSpec, headSpec] = splitOnce(basehead, "...");
    const missing = (message: string) => new HttpError(404, { message, documentation_url: COMPARE_DOCS, status: "404" });
    const base = await reachableCommit(repo, repo.gitDir, baseSpec);
    const head = await reachableCommit(repo, repo.gitDir, headSpec);
    if (base === null || head === null) throw missing("Not Found");
    const mergeBase = (await git(repo.gitDir, ["merge-base", base, head]))?.trim();
    if (!mergeBase) throw missing(`No common ancestor between ${baseSpec} and ${headSpec}.`);
    const ahead = await revList(repo.gitDir, `${mergeBase}..${head}`);
    const behindBy = (await revList(repo.gitDir, `${mergeBase}..${base}`)).length;
    const status = base === head ? "identical" : behindBy === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
    // Files come with the first page only, as GitHub documents for paged comparisons.
    const paged = context.query.page !== undefined || context.query.per_page !== undefined;
    const { page: commits, headers } = paged ? paginate(ahead, context) : { page: ahead.slice(-MAX_COMPARE_COMMITS), headers: {} };
    const firstPage = Number(context.query.page ?? 1) <= 1;
    const files = firstPage ? (await diffOnce(repo.gitDir, mergeBase, head)).slice(0, MAX_COMPARE_FILES) : [];
    const html = `${url}/${repo.fullName}/compare/${basehead}`;
    return {
      status: 200,
      headers,
      json: {
        url: `${apiBase}/repos/${repo.fullName}/compare/${basehead}`,
        html_url: html,
        permalink_url: `${url}/${repo.fullName}/compare/${repo.owner}:${base}...${repo.owner}:${head}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: await commitObject(repo, base),
        merge_base_commit: await commitObject(repo, mergeBase),
        status,
        ahead_by: ahead.length,
        behind_by: behindBy,
        total_commits: ahead.length,
        commits: await Promise.all(commits.map((sha) => commitObject(repo, sha))),
        ...(firstPage ? { files: files.map((file) => diffEntryObject(repo, head, file)) } : {}),
      },
    };
  }

  /** GitHub's answer when it cannot create a review: one sentence per refusal, joined as Rails does. */
  function reviewRefused(problems: string[]): HttpError {
    const sentence = problems.length <= 2 ? problems.join(" and ") : `${problems.slice(0, -1).join(", ")}, and ${problems.at(-1) ?? ""}`;
    return new HttpError(422, { message: "Unprocessable Entity", errors: [sentence], documentation_url: REVIEW_DOCS, status: "422" });
  }

  function isSide(value: string): value is "LEFT" | "RIGHT" {
    return value === "LEFT" || value === "RIGHT";
  }

  /** Where a comment lands in the diff at the review's commit, or the sentence GitHub refuses it with. */
  function placeComment(files: DiffFile[], input: ReviewCommentInput): Placement | string {
    const file = files.find((candidate) => candidate.filename === input.path);
    if (file === undefined) return "Path could not be resolved";
    let end: DiffRow | undefined;
    let side: "LEFT" | "RIGHT" = "RIGHT";
    if (input.line !== undefined) {
      const wanted = input.side ?? "RIGHT";
      if (isSide(wanted)) {
        side = wanted;
        end = rowAt(file, side, input.line);
      }
    } else if (input.position !== undefined) {
      end = file.rows.find((row) => row.position === input.position);
      side = end?.kind === "del" ? "LEFT" : "RIGHT";
    }
    if (end === undefined) return "Line could not be resolved";
    const line = (side === "LEFT" ? end.oldLine : end.newLine) as number;
    let startSide: "LEFT" | "RIGHT" | null = null;
    if (input.start_line !== undefined) {
      const wanted = input.start_side ?? side;
      const start = isSide(wanted) ? rowAt(file, wanted, input.start_line) : undefined;
      if (start === undefined || start.hunk !== end.hunk) return "Pull request review thread start line must be part of the same hunk as the line.";
      if (start.position >= end.position) return "Pull request review thread start line must precede the end line.";
      startSide = wanted as "LEFT" | "RIGHT";
    }
    return { path: file.filename, line, side, startLine: input.start_line ?? null, startSide, position: end.position, diffHunk: diffHunkThrough(file, end) };
  }

  /** A commit of the pull request: reachable from its head and not already on its base. */
  async function pullCommit(where: PullGit, commitId: string): Promise<string | null> {
    const sha = commitId === where.headSha ? commitId : await resolveCommit(where.gitDir, commitId);
    if (sha === null) return null;
    return (await isAncestor(where.gitDir, sha, where.headSha)) && !(await isAncestor(where.gitDir, sha, where.baseSha)) ? sha : null;
  }

  /** Creates a review as `user`, all or nothing: one refused comment refuses the whole review, as on GitHub. */
  async function recordReview(repo: RepoState, pull: PullRecord, user: string, request: ReviewRequest): Promise<ReviewRecord> {
    const where = await pullGit(pull);
    const commitId = await pullCommit(where, request.commit_id ?? where.headSha);
    if (commitId === null) throw reviewRefused(["The commitOID is not part of the pull request"]);
    const inputs = request.comments ?? [];
    const { event } = request;
    if (event === undefined && state.reviews.some((review) => samePull(review, pull) && review.user === user && review.state === "PENDING")) {
      throw reviewRefused(["User can only have one pending review per pull request"]);
    }
    if (sameLogin(pull.user, user) && event === "APPROVE") throw reviewRefused(["Can not approve your own pull request"]);
    if (sameLogin(pull.user, user) && event === "REQUEST_CHANGES") throw reviewRefused(["Can not request changes on your own pull request"]);
    if (event === "REQUEST_CHANGES" && !request.body && inputs.length === 0) throw reviewRefused(["You need to leave a comment indicating the requested changes."]);
    const mergeBase = (await gitOnce(where.gitDir, ["merge-base", where.baseSha, commitId]))?.trim() ?? where.mergeBase;
    const files = await diffOnce(where.gitDir, mergeBase, commitId);
    const placements = inputs.map((input) => placeComment(files, input));
    const problems = placements.filter((placement): placement is string => typeof placement === "string");
    if (problems.length > 0) throw reviewRefused(problems);
    const now = timestamp();
    const states = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" } as const;
    const review: ReviewRecord = {
      id: counters.review++,
      owner: repo.owner,
      repo: repo.name,
      pullNumber: pull.number,
      user,
      body: request.body ?? "",
      state: event === undefined ? "PENDING" : states[event],
      commitId,
      submittedAt: event === undefined ? null : now,
      createdAt: now,
    };
    state.reviews.push(review);
    placements.forEach((placement, index) => {
      const comment = { ...(placement as Placement), body: inputs[index]?.body ?? "" };
      state.reviewComments.push({ ...comment, id: counters.reviewComment++, owner: repo.owner, repo: repo.name, pullNumber: pull.number, reviewId: review.id, user, commitId, originalCommitId: commitId, inReplyToId: null, createdAt: now, updatedAt: now });
    });
    return review;
  }

  /** A reply joins the thread of the comment it answers; GitHub threads are one level deep. */
  function recordReply(repo: RepoState, pull: PullRecord, user: string, parentId: number, body: string): ReviewCommentRecord {
    const parent = state.reviewComments.find((comment) => comment.id === parentId && samePull(comment, pull));
    if (parent === undefined) throw notFound();
    const root = state.reviewComments.find((comment) => comment.id === (parent.inReplyToId ?? parent.id)) ?? parent;
    const now = timestamp();
    // Each reply is a submitted review of its own on GitHub, with an empty body.
    const review: ReviewRecord = { id: counters.review++, owner: repo.owner, repo: repo.name, pullNumber: pull.number, user, body: "", state: "COMMENTED", commitId: root.commitId, submittedAt: now, createdAt: now };
    state.reviews.push(review);
    const reply: ReviewCommentRecord = { ...root, id: counters.reviewComment++, reviewId: review.id, user, body, inReplyToId: root.id, createdAt: now, updatedAt: now };
    state.reviewComments.push(reply);
    return reply;
  }

  function reviewObject(review: ReviewRecord): Record<string, unknown> {
    const pullUrl = `${apiBase}/repos/${review.owner}/${review.repo}/pulls/${review.pullNumber}`;
    const htmlUrl = `${url}/${review.owner}/${review.repo}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
    return {
      id: review.id,
      node_id: nodeId("PRR", review.id),
      user: userObject(review.user),
      body: review.body,
      state: review.state,
      html_url: htmlUrl,
      pull_request_url: pullUrl,
      _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
      ...(review.submittedAt !== null ? { submitted_at: review.submittedAt } : {}),
      commit_id: review.commitId,
      author_association: review.user === botLogin ? "NONE" : "CONTRIBUTOR",
    };
  }

  function reviewCommentObject(comment: ReviewCommentRecord): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${comment.owner}/${comment.repo}`;
    const selfUrl = `${repoUrl}/pulls/comments/${comment.id}`;
    const pullUrl = `${repoUrl}/pulls/${comment.pullNumber}`;
    const htmlUrl = `${url}/${comment.owner}/${comment.repo}/pull/${comment.pullNumber}#discussion_r${comment.id}`;
    const zero = { "+1": 0, "-1": 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 };
    return {
      url: selfUrl,
      pull_request_review_id: comment.reviewId,
      id: comment.id,
      node_id: nodeId("PRRC", comment.id),
      diff_hunk: comment.diffHunk,
      path: comment.path,
      position: comment.position,
      original_position: comment.position,
      commit_id: comment.commitId,
      original_commit_id: comment.originalCommitId,
      ...(comment.inReplyToId !== null ? { in_reply_to_id: comment.inReplyToId } : {}),
      user: userObject(comment.user),
      body: comment.body,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url: htmlUrl,
      pull_request_url: pullUrl,
      author_association: comment.user === botLogin ? "NONE" : "CONTRIBUTOR",
      _links: { self: { href: selfUrl }, html: { href: htmlUrl }, pull_request: { href: pullUrl } },
      start_line: comment.startLine,
      original_start_line: comment.startLine,
      start_side: comment.startSide,
      line: comment.line,
      original_line: comment.line,
      side: comment.side,
      subject_type: "line",
      reactions: { url: `${selfUrl}/reactions`, total_count: 0, ...zero },
    };
  }

  async function createReview(context: RouteContext): Promise<Reply> {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    const review = await recordReview(repo, pull, botLogin, (context.body ?? {}) as ReviewRequest);
    return { status: 200, json: reviewObject(review) };
  }

  function listReviews(context: RouteContext): Reply {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    const reviews = state.reviews.filter((review) => samePull(review, pull)).sort((a, b) => a.id - b.id);
    const { page, headers } = paginate(reviews, context);
    return { status: 200, json: page.map(reviewObject), headers };
  }

  function findReview(context: RouteContext): ReviewRecord {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    const review = state.reviews.find((candidate) => candidate.id === Number(context.params.review_id) && samePull(candidate, pull));
    if (review === undefined) throw notFound();
    return review;
  }

  function listReviewComments(context: RouteContext): Reply {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    // Comments of a pending review are the author's draft; GitHub lists them only with that review.
    const pending = new Set(state.reviews.filter((review) => review.state === "PENDING").map((review) => review.id));
    const since = context.query.since === undefined ? undefined : Date.parse(context.query.since);
    const key = (comment: ReviewCommentRecord) => (context.query.sort === "updated" ? Date.parse(comment.updatedAt) : comment.id);
    const comments = state.reviewComments
      .filter((comment) => samePull(comment, pull) && !pending.has(comment.reviewId))
      .filter((comment) => since === undefined || Date.parse(comment.updatedAt) >= since)
      .sort((a, b) => key(a) - key(b) || a.id - b.id);
    if (context.query.sort !== undefined && context.query.direction === "desc") comments.reverse();
    const { page, headers } = paginate(comments, context);
    return { status: 200, json: page.map(reviewCommentObject), headers };
  }

  function listCommentsForReview(context: RouteContext): Reply {
    const review = findReview(context);
    const comments = state.reviewComments.filter((comment) => comment.reviewId === review.id).sort((a, b) => a.id - b.id);
    const { page, headers } = paginate(comments, context);
    return { status: 200, json: page.map(reviewCommentObject), headers };
  }

  function createReply(context: RouteContext): Reply {
    const repo = requireRepo(context.params);
    const pull = requirePull(repo, Number(context.params.pull_number));
    const reply = recordReply(repo, pull, botLogin, Number(context.params.comment_id), stringField(context.body, "body") ?? "");
    return { status: 201, json: reviewCommentObject(reply), headers: { location: `${apiBase}/repos/${repo.fullName}/pulls/comments/${reply.id}` } };
  }

  async function addReviewComment(options: AddReviewCommentOptions): Promise<ReviewCommentRecord> {
    const repo = mustFindRepo(options.owner, options.repo);
    const pull = pullsOf(repo).find((candidate) => candidate.number === options.pullNumber);
    if (pull === undefined) throw new Error(`fake GitHub: add ${repo.fullName}#${options.pullNumber} with addPullRequest first`);
    const user = options.user ?? "octocat";
    try {
      if (options.inReplyTo !== undefined) return recordReply(repo, pull, user, options.inReplyTo, options.body);
      const comment: ReviewCommentInput = { path: options.path ?? "", body: options.body };
      if (options.line !== undefined) comment.line = options.line;
      if (options.side !== undefined) comment.side = options.side;
      if (options.startLine !== undefined) comment.start_line = options.startLine;
      if (options.startSide !== undefined) comment.start_side = options.startSide;
      const review = await recordReview(repo, pull, user, { event: "COMMENT", comments: [comment] });
      return state.reviewComments.find((candidate) => candidate.reviewId === review.id) as ReviewCommentRecord;
    } catch (error) {
      if (error instanceof HttpError) throw new Error(`fake GitHub refuses the review comment: ${JSON.stringify(error.body)}`);
      throw error;
    }
  }

  function notImplemented(context: RouteContext, operation: string): Reply {
    unimplemented.push(`${operation}: ${context.method} ${context.path}`);
    return { status: 501, json: { message: `fake GitHub does not implement ${operation}`, documentation_url: DOCS_URL } };
  }

  // -------------------------------------------------------------- HTTP plumbing

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? "/", url);
    const method = (request.method ?? "GET").toUpperCase();
    const rawPath = (request.url ?? "/").split("?")[0] ?? "/";
    const query = Object.fromEntries(requestUrl.searchParams);
    const authorization = request.headers.authorization;
    const record: RecordedRequest = { method, path: rawPath, query, body: undefined, authorization, timestamp: Date.now(), operationId: null, status: undefined };
    requests.push(record);
    const reply = await answer(request, record).catch((error: unknown) => {
      violations.push(`${method} ${record.path}: fake error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { status: 500, json: { message: "fake GitHub failed" } } satisfies Reply;
    });
    record.status = reply.status;
    send(response, reply);
  }

  async function answer(request: IncomingMessage, record: RecordedRequest): Promise<Reply> {
    const { method } = record;
    const text = await readBody(request);
    if (record.path === GRAPHQL_PATH && method === "POST") return answerGraphqlRequest(text, record);
    if (!record.path.startsWith(`${API_PREFIX}/`)) {
      violations.push(`${method} ${record.path}: request outside ${API_PREFIX}`);
      return { status: 404, json: { message: "Not Found", documentation_url: DOCS_URL } };
    }
    record.path = record.path.slice(API_PREFIX.length);
    const complain = (problem: string) => violations.push(`${method} ${record.path}: ${problem}`);
    const parsed = parseBody(text, request.headers["content-type"]);
    if (parsed.error) {
      complain("request body is not valid JSON");
      return { status: 400, json: { message: "Problems parsing JSON", documentation_url: DOCS_URL } };
    }
    record.body = parsed.value;
    const validation = validateRequest({ method, path: record.path, query: record.query, body: record.body });
    record.operationId = validation.operationId;
    validation.problems.forEach(complain);
    if (validation.operationId === null || validation.template === null) return { status: 404, json: { message: "Not Found", documentation_url: DOCS_URL, status: "404" } };
    if (validation.problems.length > 0) {
      return { status: 422, json: { message: "Invalid request.", errors: validation.problems, documentation_url: DOCS_URL, status: "422" } };
    }
    const authProblem = checkAuth ? authenticate(validation.template, record.authorization) : null;
    if (authProblem !== null) {
      complain(`auth: ${authProblem}`);
      return { status: 401, json: { message: authProblem, documentation_url: DOCS_URL, status: "401" } };
    }
    const context: RouteContext = { method, path: record.path, params: validation.params, query: record.query, body: record.body, accept: request.headers.accept ?? "" };
    const injected = takeFailure(validation.operationId);
    if (injected !== undefined) return { status: injected.status, json: { message: injected.message, documentation_url: DOCS_URL, status: String(injected.status) } };
    const handler = handlers[validation.operationId];
    if (handler === undefined) return notImplemented(context, validation.operationId);
    try {
      return await handler(context);
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, json: error.body };
      throw error;
    }
  }

  function answerGraphqlRequest(text: string, record: RecordedRequest): Reply {
    record.operationId = "graphql";
    const parsed = parseBody(text, "application/json");
    record.body = parsed.value;
    const authProblem = checkAuth ? authenticate("/graphql", record.authorization) : null;
    if (authProblem !== null) {
      violations.push(`POST ${record.path}: auth: ${authProblem}`);
      return { status: 401, json: { message: authProblem, documentation_url: DOCS_URL } };
    }
    const injected = takeFailure("graphql");
    if (injected !== undefined) return { status: injected.status, json: { message: injected.message, documentation_url: DOCS_URL } };
    const answer = answerGraphql(parsed.error ? undefined : parsed.value, {
      threadsOf: (owner, name, number) => {
        const repo = findRepo(owner, name);
        if (repo === undefined) return "no-repo";
        const pull = pullsOf(repo).find((candidate) => candidate.number === number);
        if (pull === undefined) return "no-pull";
        return state.reviewComments
          .filter((comment) => comment.inReplyToId === null && samePull(comment, pull))
          .sort((a, b) => a.id - b.id)
          .map((root) => ({ rootId: root.id, url: `${url}/${root.owner}/${root.repo}/pull/${root.pullNumber}#discussion_r${root.id}`, resolved: state.resolvedThreads.has(root.id) }));
      },
    });
    if (answer.violation !== undefined) violations.push(`POST ${record.path}: ${answer.violation}`);
    if (answer.unimplemented !== undefined) unimplemented.push(answer.unimplemented);
    return { status: answer.status, json: answer.json };
  }

  function authenticate(template: string, authorization: string | undefined): string | null {
    const [, scheme = "", credential = ""] = /^(\w+)\s+(.+)$/.exec(authorization ?? "") ?? [];
    if (isAppAuthRoute(template)) {
      if (scheme.toLowerCase() !== "bearer" || !looksLikeJwt(credential)) return "A JSON web token could not be decoded";
      const issuer = jwtIssuer(credential);
      if (options.appId !== undefined && issuer !== undefined && issuer !== String(appId)) return `'Issuer' claim ('iss') ${issuer} is not app ${appId}`;
      return null;
    }
    if (authorization === undefined) return "Requires authentication";
    if (!["token", "bearer"].includes(scheme.toLowerCase()) || !isValidToken(credential)) return "Bad credentials";
    return null;
  }

  function takeFailure(operationId: string): { status: number; message: string } | undefined {
    const queue = failures.get(operationId);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) return undefined;
    next.times -= 1;
    if (next.times <= 0) queue.shift();
    return next;
  }

  function send(response: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = {
      "x-github-request-id": `FAKE:${(++counters.request).toString(16).toUpperCase()}`,
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...reply.headers,
    };
    if (reply.raw !== undefined) {
      response.writeHead(reply.status, { ...headers, "content-type": reply.raw.contentType, "content-length": String(reply.raw.data.length) });
      response.end(reply.raw.data);
      return;
    }
    if (reply.json === undefined) {
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    const payload = Buffer.from(JSON.stringify(reply.json));
    response.writeHead(reply.status, { ...headers, "content-type": JSON_TYPE, "x-github-media-type": "github.v3; format=json", "content-length": String(payload.length) });
    response.end(payload);
  }

  // -------------------------------------------------------------- test-facing API

  function addRepo(repoOptions: AddRepoOptions): RepoState {
    const { owner, repo: name } = repoOptions;
    const defaultBranch = repoOptions.defaultBranch ?? "main";
    const fullName = `${owner}/${name}`;
    const repo: RepoState = {
      id: counters.repo++,
      owner,
      name,
      fullName,
      defaultBranch,
      gitDir: repoOptions.gitDir,
      cloneUrl: repoOptions.cloneUrl ?? (repoOptions.gitDir !== undefined ? pathToFileURL(repoOptions.gitDir).href : `${url}/${fullName}.git`),
      installationId: repoOptions.installationId ?? defaultInstallationId,
      permissions: new Map(Object.entries(repoOptions.permissions ?? {}).map(([login, permission]) => [login.toLowerCase(), permission])),
      protectedBranches: new Set(repoOptions.protectedBranches ?? []),
      files: new Map(),
      branches: new Map([[defaultBranch, fakeSha(`${fullName}:${defaultBranch}`)]]),
      createdAt: timestamp(),
    };
    state.repos.set(repoKey(owner, name), repo);
    return repo;
  }

  function mustFindRepo(owner: string, repo: string): RepoState {
    const found = findRepo(owner, repo);
    if (found === undefined) throw new Error(`fake GitHub: add ${owner}/${repo} with addRepo first`);
    return found;
  }

  function addIssue(issueOptions: AddIssueOptions): IssueRecord {
    const repo = mustFindRepo(issueOptions.owner, issueOptions.repo);
    const now = timestamp();
    const number = claimNumber(repo, issueOptions.number);
    const issue: IssueRecord = {
      id: counters.issue++,
      owner: repo.owner,
      repo: repo.name,
      number,
      title: issueOptions.title ?? `Issue ${number}`,
      body: issueOptions.body ?? "",
      user: issueOptions.user ?? "octocat",
      state: issueOptions.state ?? "open",
      createdAt: now,
      updatedAt: now,
    };
    state.issues.push(issue);
    return issue;
  }

  function addComment(commentOptions: AddCommentOptions): CommentRecord {
    const repo = mustFindRepo(commentOptions.owner, commentOptions.repo);
    if (commentOptions.id !== undefined && state.comments.some((comment) => comment.id === commentOptions.id)) {
      throw new Error(`fake GitHub: comment ${commentOptions.id} already exists`);
    }
    // Keep allocated ids clear of ones the test chose.
    if (commentOptions.id !== undefined && commentOptions.id >= counters.comment) counters.comment = commentOptions.id + 1;
    const { issueNumber, body, user = "octocat", id } = commentOptions;
    return storeComment({ owner: repo.owner, repo: repo.name, issueNumber, body, user, id });
  }

  function addPullRequest(pullOptions: AddPullRequestOptions): PullRecord {
    const repo = mustFindRepo(pullOptions.owner, pullOptions.repo);
    const headRepoFullName = pullOptions.headRepoFullName ?? repo.fullName;
    const headRepo = findRepo(...splitOnce(headRepoFullName, "/"));
    const headSha = pullOptions.headSha ?? (headRepo === undefined ? null : branchShaSync(headRepo, pullOptions.headRef));
    if (headSha === null) throw new Error(`fake GitHub: give headSha, ${headRepoFullName} has no branch ${pullOptions.headRef}`);
    const now = timestamp();
    const number = claimNumber(repo, pullOptions.number);
    const pull: PullRecord = {
      id: counters.pull++,
      owner: repo.owner,
      repo: repo.name,
      number,
      title: pullOptions.title ?? `Pull request ${number}`,
      body: pullOptions.body ?? null,
      draft: pullOptions.draft ?? false,
      state: pullOptions.state ?? "open",
      headRef: pullOptions.headRef,
      headSha,
      headRepoFullName,
      headCloneUrl: pullOptions.headCloneUrl ?? headRepo?.cloneUrl ?? `${url}/${headRepoFullName}.git`,
      baseRef: pullOptions.baseRef ?? repo.defaultBranch,
      user: pullOptions.user ?? "octocat",
      maintainerCanModify: headRepoFullName !== repo.fullName,
      createdAt: now,
      updatedAt: now,
    };
    state.pulls.push(pull);
    return pull;
  }

  return {
    url,
    host,
    apiBase,
    appId,
    appSlug,
    botLogin,
    installationId: defaultInstallationId,
    requests,
    violations,
    unimplemented,
    state,
    addRepo,
    addIssue,
    addComment,
    addPullRequest,
    addReviewComment,
    resolveThread: (commentId) => {
      const comment = state.reviewComments.find((candidate) => candidate.id === commentId);
      if (comment === undefined) throw new Error(`fake GitHub: no review comment ${commentId}`);
      state.resolvedThreads.add(comment.inReplyToId ?? comment.id);
    },
    setFile: (owner, repo, path, content) => {
      mustFindRepo(owner, repo).files.set(path.replace(/^\/+/, ""), typeof content === "string" ? Buffer.from(content) : content);
    },
    setBranch: (owner, repo, branch, sha) => {
      mustFindRepo(owner, repo).branches.set(branch, sha);
    },
    setPermission: (owner, repo, login, permission) => {
      mustFindRepo(owner, repo).permissions.set(login.toLowerCase(), permission);
    },
    failNext: (operationId, failure) => {
      const queue = failures.get(operationId) ?? [];
      queue.push({ status: failure.status, times: failure.times ?? 1, message: failure.message ?? `injected failure ${failure.status}` });
      failures.set(operationId, queue);
    },
    issueToken: (installationId) => issueToken(installationId),
    isValidToken,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, ""] : [text.slice(0, index), text.slice(index + separator.length)];
}

function parseBody(text: string, contentType: string | undefined): { value: unknown; error: boolean } {
  if (text.trim() === "") return { value: undefined, error: false };
  // Markdown rendering and release uploads send text or bytes; everything else is JSON.
  if (contentType !== undefined && !/json/i.test(contentType)) return { value: text, error: false };
  try {
    return { value: JSON.parse(text) as unknown, error: false };
  } catch {
    return { value: text, error: true };
  }
}
