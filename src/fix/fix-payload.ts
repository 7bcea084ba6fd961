import type { RepoRef } from "../forge/forge.js";

/** What the webhook handler stores for a `/coder fix` job: everything the worker needs, already narrowed. */
export interface FixJobPayload {
  readonly deliveryId: string;
  readonly installationId: number | null;
  readonly repo: RepoRef & { readonly cloneUrl: string; readonly defaultBranch: string };
  readonly issue: { readonly number: number; readonly title: string; readonly body: string; readonly isPullRequest: boolean };
  readonly comment: { readonly id: number; readonly author: string };
  readonly command: { readonly instructions: string; readonly dryRun: boolean };
}

/** `/coder cancel` and `/coder help`: answered by a small job that does not wait behind a fix. */
export interface NoticeJobPayload {
  readonly installationId: number | null;
  readonly repo: RepoRef & { readonly defaultBranch: string };
  readonly issueNumber: number;
  readonly comment: { readonly id: number; readonly author: string };
  readonly command: "cancel" | "help" | { readonly unknown: string };
}

export const fixJobKind = "fix";
export const noticeJobKind = "notice";

export function repoKeyOf(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`.toLowerCase();
}

export function subjectOf(issueNumber: number): string {
  return `issue#${issueNumber}`;
}
