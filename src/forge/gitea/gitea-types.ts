/**
 * The fields of Gitea's API objects the adapter reads (`#/definitions/…` in Gitea's API
 * description). Gitea sends more, may send `null` for an empty list, and older servers may lack a
 * field: every field is read defensively.
 */
export interface GiteaUser {
  readonly id: number;
  readonly login: string;
  readonly is_admin?: boolean;
}

export interface GiteaRepository {
  readonly name: string;
  readonly full_name: string;
  readonly clone_url: string;
  readonly default_branch: string;
  readonly owner: GiteaUser;
}

export interface GiteaBranchInfo {
  readonly ref: string;
  readonly sha: string;
  readonly repo: GiteaRepository | null;
}

export interface GiteaPullRequest {
  readonly number: number;
  readonly html_url: string;
  readonly title: string;
  readonly body: string | null;
  readonly state: string;
  readonly user: GiteaUser | null;
  readonly head: GiteaBranchInfo;
  readonly base: GiteaBranchInfo;
  /** Newer servers send it; older ones mark a draft only by its title. */
  readonly draft?: boolean;
}

export interface GiteaComment {
  readonly id: number;
  readonly html_url: string;
}

/** A comment read back: who wrote it, where (`…/issues/7` or `…/pulls/8`, the other empty), and what. */
export interface GiteaIssueComment extends GiteaComment {
  readonly user: GiteaUser | null;
  readonly body: string;
  readonly issue_url: string;
  readonly pull_request_url: string;
}

export type GiteaReviewState = "APPROVED" | "PENDING" | "COMMENT" | "REQUEST_CHANGES" | "REQUEST_REVIEW";

export interface GiteaReview {
  readonly id: number;
  readonly body: string;
  readonly commit_id: string;
  readonly state: GiteaReviewState;
  readonly user: GiteaUser | null;
  readonly submitted_at: string | null;
  readonly dismissed?: boolean;
}

export interface GiteaReviewComment {
  readonly id: number;
  readonly body: string;
  readonly path: string;
  /** The line on the new side; 0 for a comment on a removed line. */
  readonly position: number;
  /** The line on the old side; 0 for a comment on an added line. */
  readonly original_position: number;
  readonly commit_id: string;
  readonly original_commit_id: string;
  readonly user: GiteaUser | null;
  readonly pull_request_review_id: number;
  readonly html_url: string;
  readonly created_at: string;
  /** Who resolved the conversation; null while it is open. */
  readonly resolver: GiteaUser | null;
}

export interface GiteaBranch {
  readonly name: string;
  readonly protected: boolean;
}

export interface GiteaPermission {
  readonly permission: string;
  readonly role_name?: string;
}
