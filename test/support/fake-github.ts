/**
 * A fake of GitHub's REST API (and the GraphQL query the bot sends) on loopback, strict like
 * GitHub: every request is checked against GitHub's OpenAPI description. The pieces live in
 * ./fake-github/, one file per resource.
 */
export { makeRsaKey } from "./fake-github/apps.js";
export { startFakeGitHub } from "./fake-github/start.js";
export type {
  CommentRecord,
  FakeGitHubState,
  IssueRecord,
  PullRecord,
  ReactionRecord,
  RecordedRequest,
  RepoPermission,
  RepoState,
  ReviewCommentRecord,
  ReviewRecord,
  ReviewState,
  TokenRecord,
} from "./fake-github/records.js";
export type {
  AddCommentOptions,
  AddIssueOptions,
  AddPullRequestOptions,
  AddRepoOptions,
  AddReviewCommentOptions,
  FakeGitHub,
  FakeGitHubOptions,
  InjectedFailure,
} from "./fake-github/test-api.js";
