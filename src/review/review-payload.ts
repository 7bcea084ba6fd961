import type { RepoRef } from "../forge/forge.js";

export type ReviewReason = "opened" | "reopened" | "ready_for_review" | "synchronize" | "command";

/** What the webhook side stores for a review job; the job reads the pull request fresh when it runs. */
export interface ReviewJobPayload {
  readonly installationId: number | null;
  readonly repo: RepoRef & { readonly cloneUrl: string; readonly defaultBranch: string };
  readonly number: number;
  readonly reason: ReviewReason;
  /** For `/coder review`: who asked, and where to answer. */
  readonly comment?: { readonly id: number; readonly author: string };
}

export const reviewJobKind = "review";

export function reviewSubject(number: number): string {
  return `review#${number}`;
}
