import type { RepoRef } from "../forge/forge.js";

/** Why a repository's default branch is (re-)indexed. */
export type IndexReason = "push" | "command" | "reconcile";

/** What the webhook side stores for an index job. */
export interface IndexJobPayload {
  readonly installationId: number | null;
  readonly repo: RepoRef & { readonly cloneUrl: string; readonly defaultBranch: string };
  readonly reason: IndexReason;
  /** The head the push brought, for the log; the job indexes whatever the branch holds when it runs. */
  readonly after?: string;
  /** For `/coder index`: where to answer. */
  readonly comment?: { readonly id: number; readonly author: string; readonly issueNumber: number };
}

export const indexJobKind = "index";

/** One index job per repository waits at a time: a burst of merges is indexed once, at the newest head. */
export const indexSubject = "index";
