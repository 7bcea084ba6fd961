import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

export type GitService = "git-upload-pack" | "git-receive-pack";

export interface GitRequestRecord {
  method: string;
  path: string;
  service: GitService | null;
  authorized: boolean;
  token: string | null;
  /** Status sent back; undefined while the response is still in flight. */
  status?: number;
}

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
  forced: boolean;
}

export interface GitServerOptions {
  root?: string;
  requireToken?: (token: string) => boolean;
}

export interface GitRunOptions {
  cwd?: string;
  /** Sent as `Authorization: Basic base64("x-access-token:<token>")` via http.extraHeader. */
  token?: string;
  env?: Record<string, string>;
}

export interface GitServer {
  url: string;
  root: string;
  /** Empty HOME shared by every git process this server spawns. */
  home: string;
  requests: GitRequestRecord[];
  close(): Promise<void>;
  createBareRepo(fullName: string): string;
  repoPath(fullName: string): string;
  cloneUrl(fullName: string, token?: string): string;
  /** Every ref update git was asked to make, including ones it then refused. */
  refUpdates(fullName: string): RefUpdate[];
  /** Only the ref updates git actually applied. */
  acceptedUpdates(fullName: string): RefUpdate[];
  /** Runs git with the same isolated environment the server uses. */
  git(args: string[], options?: GitRunOptions): Promise<string>;
}

export interface CommitOptions {
  branch?: string;
  message?: string;
  token?: string;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} exited with ${exitCode}: ${stderr.trim()}`);
    this.name = "GitCommandError";
  }
}

const TOKEN_USER = "x-access-token";
const ATTEMPTED_LOG = "ref-updates.log";
const ACCEPTED_LOG = "accepted-updates.log";
const REPO_CONFIG: Array<[string, string]> = [
  ["http.receivepack", "true"],
  ["receive.denyNonFastForwards", "true"],
  ["receive.denyDeletes", "true"],
  ["uploadpack.allowReachableSHA1InWant", "true"],
];
const TEST_IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export function basicAuthHeader(token: string): string {
  return `Basic ${Buffer.from(`${TOKEN_USER}:${token}`).toString("base64")}`;
}

/** A clean environment: nothing leaks in from the developer's git setup. */
export function gitEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_") && value !== undefined) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

export function runGit(args: string[], options: GitRunOptions & { home: string }): Promise<string> {
  const fullArgs = [...authArgs(options.token), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn("git", fullArgs, {
      cwd: options.cwd,
      env: gitEnv(options.home, options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout.trim());
      else reject(new GitCommandError(fullArgs, code, stdout, stderr));
    });
  });
}

function authArgs(token: string | undefined): string[] {
  return token === undefined ? [] : ["-c", `http.extraHeader=Authorization: ${basicAuthHeader(token)}`];
}

function gitSync(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync("git", args, { env, encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new GitCommandError(args, result.status, result.stdout, result.stderr);
  return result.stdout.trim();
}

function splitFullName(fullName: string): { owner: string; repo: string } {
  const match = /^([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(fullName);
  const owner = match?.[1];
  const repo = match?.[2];
  if (!owner || !repo || owner.startsWith(".") || repo.startsWith(".")) {
    throw new Error(`invalid repository name ${JSON.stringify(fullName)}; expected owner/repo`);
  }
  return { owner, repo };
}

function repoPathIn(root: string, fullName: string): string {
  const { owner, repo } = splitFullName(fullName);
  return join(root, owner, `${repo}.git`);
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The hook only records: git applies denyNonFastForwards/denyDeletes after pre-receive,
 * so a refused push still shows up in the pre-receive log. `forced` is computed here
 * because the pushed objects are only reachable (through the quarantine env) while hooks run.
 */
function recordingHook(logFile: string): string {
  return `#!/bin/sh
real() { case "$1" in *[!0]*) return 0 ;; *) return 1 ;; esac; }
while read -r old new ref; do
  forced=false
  if real "$old" && real "$new" && ! git merge-base --is-ancestor "$old" "$new" 2>/dev/null; then
    forced=true
  fi
  printf '%s %s %s %s\\n' "$old" "$new" "$ref" "$forced" >> ${shellQuote(logFile)}
done
exit 0
`;
}

function installHook(repoPath: string, name: string, logFile: string): void {
  const hookPath = join(repoPath, "hooks", name);
  writeFileSync(hookPath, recordingHook(logFile));
  chmodSync(hookPath, 0o755);
}

function initBareRepo(path: string, env: NodeJS.ProcessEnv): void {
  mkdirSync(dirname(path), { recursive: true });
  gitSync(["init", "--quiet", "--bare", "--initial-branch=main", path], env);
  for (const [key, value] of REPO_CONFIG) gitSync(["-C", path, "config", key, value], env);
  installHook(path, "pre-receive", join(path, ATTEMPTED_LOG));
  installHook(path, "post-receive", join(path, ACCEPTED_LOG));
}

function readUpdates(logFile: string): RefUpdate[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(parseUpdateLine);
}

function parseUpdateLine(line: string): RefUpdate {
  const [oldSha = "", newSha = "", ref = "", forced = ""] = line.trim().split(" ");
  return { ref, oldSha, newSha, forced: forced === "true" };
}

/** GitHub-style installation token auth: Basic x-access-token:<token>, or Bearer <token>. */
export function tokenFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme = "", value = ""] = header.trim().split(/\s+/);
  if (/^bearer$/i.test(scheme)) return value || null;
  if (!/^basic$/i.test(scheme)) return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0 || decoded.slice(0, colon) !== TOKEN_USER) return null;
  return decoded.slice(colon + 1) || null;
}

function serviceOf(url: URL): GitService | null {
  const candidate = url.searchParams.get("service") ?? url.pathname.split("/").pop() ?? "";
  return candidate === "git-upload-pack" || candidate === "git-receive-pack" ? candidate : null;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

interface CgiContext {
  root: string;
  home: string;
  req: IncomingMessage;
  url: URL;
  token: string | null;
}

function cgiEnv({ root, home, req, url, token }: CgiContext): NodeJS.ProcessEnv {
  const optional: Record<string, string | undefined> = {
    CONTENT_LENGTH: headerValue(req, "content-length"),
    REMOTE_USER: token === null ? undefined : TOKEN_USER,
    GIT_PROTOCOL: headerValue(req, "git-protocol"),
    HTTP_CONTENT_ENCODING: headerValue(req, "content-encoding"),
  };
  const present = Object.fromEntries(Object.entries(optional).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return gitEnv(home, {
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: decodePath(url.pathname),
    REQUEST_METHOD: req.method ?? "GET",
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: headerValue(req, "content-type") ?? "",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    ...present,
  });
}

function findHeaderEnd(buffer: Buffer): { headerEnd: number; bodyStart: number } | null {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return null;
}

function parseCgiHeaders(head: string): { status: number; headers: OutgoingHttpHeaders } {
  let status = 200;
  const headers: Record<string, string | string[]> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else appendHeader(headers, name, value);
  }
  return { status, headers };
}

function appendHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

/** Reads only the CGI header block, then hands stdout to the response as a stream. */
function bridgeCgiOutput(child: ChildProcess, res: ServerResponse): void {
  const stdout = child.stdout;
  if (!stdout) throw new Error("CGI child has no stdout");
  let pending = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    const split = findHeaderEnd(pending);
    if (!split) return;
    stdout.off("data", onData);
    stdout.pause();
    const { status, headers } = parseCgiHeaders(pending.subarray(0, split.headerEnd).toString("latin1"));
    res.writeHead(status, headers);
    const rest = pending.subarray(split.bodyStart);
    if (rest.length > 0) res.write(rest);
    stdout.pipe(res);
  };
  stdout.on("data", onData);
}

function sendText(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}

function runBackend(ctx: CgiContext, res: ServerResponse, children: Set<ChildProcess>): void {
  const child = spawn("git", ["http-backend"], { env: cgiEnv(ctx), stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
  // http-backend may exit before reading the whole body (e.g. on a 404); that is not our error.
  child.stdin.on("error", () => {});
  ctx.req.pipe(child.stdin);
  bridgeCgiOutput(child, res);
  child.on("error", (error) => sendText(res, 500, `cannot run git http-backend: ${error.message}\n`));
  child.on("close", (code) => {
    children.delete(child);
    if (!res.headersSent) sendText(res, 500, `git http-backend exited with ${code}\n${stderr}`);
  });
  res.on("close", () => {
    if (!res.writableFinished && child.exitCode === null) child.kill("SIGKILL");
  });
}

interface ServerState {
  root: string;
  home: string;
  requireToken: ((token: string) => boolean) | undefined;
  requests: GitRequestRecord[];
  children: Set<ChildProcess>;
}

function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const token = tokenFromAuthorization(headerValue(req, "authorization"));
  const authorized = state.requireToken ? token !== null && state.requireToken(token) : true;
  const record: GitRequestRecord = {
    method: req.method ?? "GET",
    path: url.pathname,
    service: serviceOf(url),
    authorized,
    token,
  };
  state.requests.push(record);
  res.on("finish", () => (record.status = res.statusCode));
  if (!authorized) {
    req.resume();
    sendText(res, 401, "Authentication required\n", { "WWW-Authenticate": 'Basic realm="git"' });
    return;
  }
  runBackend({ root: state.root, home: state.home, req, url, token }, res, state.children);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const ownsRoot = options.root === undefined;
  const root = options.root ?? mkdtempSync(join(tmpdir(), "git-server-root-"));
  const home = mkdtempSync(join(tmpdir(), "git-server-home-"));
  mkdirSync(root, { recursive: true });
  const state: ServerState = {
    root,
    home,
    requireToken: options.requireToken,
    requests: [],
    children: new Set(),
  };
  const server = createServer((req, res) => handleRequest(state, req, res));
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  let closed = false;

  return {
    url,
    root,
    home,
    requests: state.requests,
    createBareRepo(fullName) {
      const path = repoPathIn(root, fullName);
      if (existsSync(path)) throw new Error(`repository ${fullName} already exists at ${path}`);
      initBareRepo(path, gitEnv(home));
      return path;
    },
    repoPath: (fullName) => repoPathIn(root, fullName),
    cloneUrl(fullName, token) {
      const { owner, repo } = splitFullName(fullName);
      const credentials = token === undefined ? "" : `${TOKEN_USER}:${encodeURIComponent(token)}@`;
      return `http://${credentials}127.0.0.1:${port}/${owner}/${repo}.git`;
    },
    refUpdates: (fullName) => readUpdates(join(repoPathIn(root, fullName), ATTEMPTED_LOG)),
    acceptedUpdates: (fullName) => readUpdates(join(repoPathIn(root, fullName), ACCEPTED_LOG)),
    git: (args, runOptions = {}) => runGit(args, { ...runOptions, home }),
    async close() {
      if (closed) return;
      closed = true;
      for (const child of state.children) child.kill("SIGKILL");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(home, { recursive: true, force: true });
      if (ownsRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Creates the repository if needed, commits `files` on `branch` (default main) and pushes it. */
export async function seedRepo(
  server: GitServer,
  fullName: string,
  files: Record<string, string>,
  options: CommitOptions = {},
): Promise<string> {
  if (!existsSync(server.repoPath(fullName))) server.createBareRepo(fullName);
  return commitAndPush(server, fullName, files, { message: "Initial commit", ...options });
}

/** Adds one more commit on top of `branch` (default main), e.g. to move it under the bot's feet. */
export async function pushFiles(
  server: GitServer,
  fullName: string,
  files: Record<string, string>,
  options: CommitOptions = {},
): Promise<string> {
  return commitAndPush(server, fullName, files, { message: "Update files", ...options });
}

async function commitAndPush(server: GitServer, fullName: string, files: Record<string, string>, options: CommitOptions): Promise<string> {
  const branch = options.branch ?? "main";
  const work = mkdtempSync(join(tmpdir(), "git-seed-"));
  const git = (args: string[]) => server.git(args, { cwd: work, token: options.token, env: TEST_IDENTITY });
  try {
    await git(["clone", "--quiet", server.cloneUrl(fullName), "."]);
    await checkoutBranch(git, branch);
    writeFiles(work, files);
    await git(["add", "--all"]);
    await git(["commit", "--quiet", "--allow-empty", "-m", options.message ?? "Update files"]);
    const sha = await git(["rev-parse", "HEAD"]);
    await git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`]);
    return sha;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function checkoutBranch(git: (args: string[]) => Promise<string>, branch: string): Promise<void> {
  if (await succeeds(git(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`]))) {
    await git(["checkout", "--quiet", "-B", branch, `origin/${branch}`]);
  } else if (await succeeds(git(["rev-parse", "--verify", "--quiet", "HEAD"]))) {
    await git(["checkout", "--quiet", "-B", branch]);
  } else {
    // Empty repository: point the unborn HEAD at the branch we are about to create.
    await git(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  }
}

async function succeeds(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return true;
  } catch {
    return false;
  }
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = resolve(dir, name);
    if (relative(dir, path).startsWith("..")) throw new Error(`file ${name} is outside the repository`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
