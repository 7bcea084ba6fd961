import { execFile, execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { validateRequest } from "./github-openapi.js";
import { readBody } from "./http-body.js";

const execFileAsync = promisify(execFile);

const API_PREFIX = "/api/v3";
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

  const state: FakeGitHubState = { tokens: [], repos: new Map(), issues: [], comments: [], reactions: [], pulls: [] };
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const unimplemented: string[] = [];
  const failures = new Map<string, Array<{ status: number; message: string; times: number }>>();
  const counters = { repo: 100_000, issue: 3_000_000, pull: 5_000_000, reaction: 7_000_000, comment: 9_000_000, request: 0 };

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
    return {
      ...simple,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: "unknown",
      merged_by: null,
      comments: state.comments.filter((comment) => comment.issueNumber === pull.number && repoKey(comment.owner, comment.repo) === repoKey(pull.owner, pull.repo)).length,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
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
