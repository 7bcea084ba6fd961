import { branchHandlers } from "./branches.js";
import { collaboratorHandlers } from "./collaborators.js";
import { commentHandlers } from "./comments.js";
import { compareHandlers } from "./compare.js";
import { issueHandlers } from "./issues.js";
import { pullCreateHandlers } from "./pull-create.js";
import { pullDiffHandlers } from "./pull-diff.js";
import { pullHandlers } from "./pulls.js";
import { rawHandlers } from "./raw.js";
import { reactionHandlers } from "./reactions.js";
import { repoHandlers } from "./repos.js";
import { reviewCommentHandlers } from "./review-comments.js";
import { reviewHandlers } from "./reviews.js";
import type { Handlers } from "./routing.js";
import { userHandlers } from "./user.js";

const tables: Handlers[] = [
  userHandlers,
  repoHandlers,
  collaboratorHandlers,
  branchHandlers,
  rawHandlers,
  issueHandlers,
  commentHandlers,
  reactionHandlers,
  pullHandlers,
  pullCreateHandlers,
  pullDiffHandlers,
  compareHandlers,
  reviewHandlers,
  reviewCommentHandlers,
];

function merge(parts: Handlers[]): Handlers {
  const merged: Handlers = {};
  for (const part of parts) {
    for (const [operationId, handler] of Object.entries(part)) {
      if (operationId in merged) throw new Error(`fake Gitea: two handlers for ${operationId}`);
      merged[operationId] = handler;
    }
  }
  return merged;
}

/** Every operation the fake serves, by operationId; any other valid one is answered 404 and listed as unimplemented. */
export const handlers: Handlers = merge(tables);
