import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGitMemo } from "../fake-github/git-memo.js";
import { isValidToken, issueToken } from "./auth.js";
import { setPermission } from "./collaborators.js";
import { addComment } from "./comments.js";
import type { FakeContext, PendingFailure } from "./context.js";
import { addIssue } from "./issues.js";
import { addPullRequest } from "./pull-create.js";
import type { FakeGiteaState, RecordedRequest } from "./records.js";
import { addRepo } from "./repos.js";
import { addReviewComment, resolveThread } from "./review-comments.js";
import { API_PREFIX, handle } from "./server.js";
import type { FakeGitea, FakeGiteaOptions } from "./test-api.js";

export async function startFakeGitea(options: FakeGiteaOptions = {}): Promise<FakeGitea> {
  const botLogin = options.botLogin ?? "coder-bot";
  const state: FakeGiteaState = {
    users: new Map(),
    tokens: [],
    repos: new Map(),
    issues: [],
    comments: [],
    reactions: [],
    pulls: [],
    reviews: [],
    reviewComments: [],
  };
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const unimplemented: string[] = [];
  const failures = new Map<string, PendingFailure[]>();
  // Each kind counts in a range of its own, so an id of one kind never passes for another's.
  const counters = { user: 1, repo: 100, issue: 1_000, pull: 2_000, review: 5_000, reaction: 7_000, comment: 9_000 };

  // The port is known only once listening, so the context the handler needs is built after that.
  const server = createServer((request, response) => void handle(fake, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiBase = `${url}${API_PREFIX}`;
  const fake: FakeContext = {
    options,
    botLogin,
    url,
    apiBase,
    state,
    requests,
    violations,
    unimplemented,
    failures,
    counters,
    git: createGitMemo(),
  };
  const botToken = issueToken(fake, { scopes: options.scopes ?? "all" });

  return {
    url,
    apiBase,
    botLogin,
    token: botToken.token,
    requests,
    violations,
    unimplemented,
    state,
    addRepo: (repoOptions) => addRepo(fake, repoOptions),
    addIssue: (issueOptions) => addIssue(fake, issueOptions),
    addComment: (commentOptions) => addComment(fake, commentOptions),
    addPullRequest: (pullOptions) => addPullRequest(fake, pullOptions),
    addReviewComment: (commentOptions) => addReviewComment(fake, commentOptions),
    resolveThread: (commentId, by) => resolveThread(fake, commentId, by),
    setPermission: (owner, repo, login, permission) => setPermission(fake, owner, repo, login, permission),
    failNext: (operationId, failure) => {
      const queue = failures.get(operationId) ?? [];
      queue.push({ status: failure.status, times: failure.times ?? 1, message: failure.message ?? `injected failure ${failure.status}` });
      failures.set(operationId, queue);
    },
    issueToken: (tokenOptions) => issueToken(fake, tokenOptions).token,
    isValidToken: (token) => isValidToken(state, token),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
