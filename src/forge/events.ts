import type { Actor } from "./forge.js";
import type { Repository } from "./repository.js";

/**
 * What a forge delivery means to the bot, whichever forge sent it. Adapters narrow their own
 * payloads into these once, at the boundary; nothing past them reads a raw payload.
 */
export type ForgeEvent = CommentEvent | PullRequestEvent | PushEvent;

/** A new comment on an issue or a pull request. */
export interface CommentEvent {
  readonly type: "comment";
  /** The forge's id for this delivery: the same delivery sent twice is one job. */
  readonly deliveryId: string;
  readonly repository: Repository;
  /** Who wrote the comment; `isBot` also covers comments an app posted for someone. */
  readonly actor: Actor;
  readonly issue: { readonly number: number; readonly title: string; readonly body: string; readonly isPullRequest: boolean };
  readonly comment: { readonly id: number; readonly body: string };
}

/** The pull request changes a review reacts to; every other action narrows to nothing. */
export const pullRequestActions = ["opened", "reopened", "ready", "updated"] as const;
export type PullRequestAction = (typeof pullRequestActions)[number];

export interface PullRequestEvent {
  readonly type: "pull-request";
  readonly deliveryId: string;
  /** `ready`: no longer a draft; `updated`: new commits on its head. */
  readonly action: PullRequestAction;
  readonly repository: Repository;
  /** Who caused the event: on `updated`, whoever pushed (the bot itself after `/coder fix` on a pull request). */
  readonly actor: Actor;
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
  readonly author: Actor;
  /** `repoFullName` is null when the fork the head came from was deleted. */
  readonly head: { readonly sha: string; readonly ref: string; readonly repoFullName: string | null };
  readonly base: { readonly sha: string; readonly ref: string };
  /** The head before and after the push, on `updated` only; `before` may be gone after a force push. */
  readonly before: string | null;
  readonly after: string | null;
}

/** Commits pushed to (or a deletion of) a branch or tag. */
export interface PushEvent {
  readonly type: "push";
  readonly deliveryId: string;
  readonly repository: Repository;
  readonly actor: Actor;
  /** The full ref pushed, `refs/heads/main`. */
  readonly ref: string;
  readonly after: string;
  /** The push deleted the ref. */
  readonly deleted: boolean;
}
