/**
 * A fake of Gitea's REST API on loopback, strict where Gitea is lenient: every request is checked
 * against Gitea's own Swagger description, and git data comes from real bare repositories. The
 * pieces live in ./fake-gitea/, one file per resource.
 */
export { findOperation, giteaSwaggerPath, validateRequest, validateResponse } from "./fake-gitea/gitea-swagger.js";
export type { GiteaRequestToValidate, GiteaRequestValidation, GiteaResponseToValidate } from "./fake-gitea/gitea-swagger.js";
export { ALLOWED_REACTIONS } from "./fake-gitea/reactions.js";
export { startFakeGitea } from "./fake-gitea/start.js";
export type {
  AccessMode,
  CommentRecord,
  FakeGiteaState,
  IssueRecord,
  PullRecord,
  ReactionRecord,
  RecordedRequest,
  RepoState,
  ReviewCommentRecord,
  ReviewRecord,
  ReviewState,
  TokenRecord,
  TokenScopes,
  UserRecord,
} from "./fake-gitea/records.js";
export type {
  AddCommentOptions,
  AddIssueOptions,
  AddPullRequestOptions,
  AddRepoOptions,
  AddReviewCommentOptions,
  FakeGitea,
  FakeGiteaOptions,
  InjectedFailure,
} from "./fake-gitea/test-api.js";
