import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { isValidToken, issueToken } from "./auth.js";
import { setBranch } from "./branches.js";
import { setPermission } from "./collaborators.js";
import { addComment } from "./comments.js";
import { setFile } from "./contents.js";
import type { FakeContext, PendingFailure } from "./context.js";
import { createGitMemo } from "./git-memo.js";
import { timestamp } from "./ids.js";
import { addIssue } from "./issues.js";
import { addPullRequest } from "./pull-create.js";
import type { FakeGitHubState, RecordedRequest } from "./records.js";
import { addRepo } from "./repos.js";
import { addReviewComment, resolveThread } from "./review-comments.js";
import { API_PREFIX, handle } from "./server.js";
import type { FakeGitHub, FakeGitHubOptions } from "./test-api.js";

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const appId = options.appId ?? 1;
  const appSlug = options.appSlug ?? "coder-bot";
  const appOwner = options.appOwner ?? "coder-bot-maintainers";
  const defaultInstallationId = options.installationId ?? 1;
  const checkAuth = options.checkAuth ?? true;
  const botLogin = `${appSlug}[bot]`;
  const appCreatedAt = timestamp();

  const state: FakeGitHubState = {
    tokens: [],
    repos: new Map(),
    issues: [],
    comments: [],
    reactions: [],
    pulls: [],
    reviews: [],
    reviewComments: [],
    resolvedThreads: new Set(),
  };
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const unimplemented: string[] = [];
  const failures = new Map<string, PendingFailure[]>();
  const counters = {
    repo: 100_000,
    issue: 3_000_000,
    pull: 5_000_000,
    review: 6_000_000,
    reaction: 7_000_000,
    reviewComment: 8_000_000,
    comment: 9_000_000,
    request: 0,
  };

  // The port is known only once listening, so the context the handler needs is built after that.
  const server = createServer((request, response) => {
    void handle(fake, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const apiBase = `${url}${API_PREFIX}`;

  const fake: FakeContext = {
    options,
    appId,
    appSlug,
    appOwner,
    defaultInstallationId,
    checkAuth,
    botLogin,
    appCreatedAt,
    url,
    host,
    apiBase,
    state,
    requests,
    violations,
    unimplemented,
    failures,
    counters,
    git: createGitMemo(),
  };

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
    addRepo: (repoOptions) => addRepo(fake, repoOptions),
    addIssue: (issueOptions) => addIssue(fake, issueOptions),
    addComment: (commentOptions) => addComment(fake, commentOptions),
    addPullRequest: (pullOptions) => addPullRequest(fake, pullOptions),
    addReviewComment: (commentOptions) => addReviewComment(fake, commentOptions),
    resolveThread: (commentId) => resolveThread(fake, commentId),
    setFile: (owner, repo, path, content) => setFile(fake, owner, repo, path, content),
    setBranch: (owner, repo, branch, sha) => setBranch(fake, owner, repo, branch, sha),
    setPermission: (owner, repo, login, permission) => setPermission(fake, owner, repo, login, permission),
    failNext: (operationId, failure) => {
      const queue = failures.get(operationId) ?? [];
      queue.push({ status: failure.status, times: failure.times ?? 1, message: failure.message ?? `injected failure ${failure.status}` });
      failures.set(operationId, queue);
    },
    issueToken: (installationId) => issueToken(fake, installationId),
    isValidToken: (token) => isValidToken(state, token),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
