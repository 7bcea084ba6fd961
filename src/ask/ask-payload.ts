import type { RepoRef } from "../forge/forge.js";

/** `/coder ask` and `/coder explain`, answered on the issue or pull request they were asked on. */
export interface AskJobPayload {
  readonly installationId: number | null;
  readonly repo: RepoRef & { readonly cloneUrl: string; readonly defaultBranch: string };
  readonly issue: { readonly number: number; readonly isPullRequest: boolean };
  readonly comment: { readonly id: number; readonly author: string };
  readonly kind: "ask" | "explain";
  /** The question, or what follows `/coder explain`. */
  readonly text: string;
}

export const askJobKind = "ask";
