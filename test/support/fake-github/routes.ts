import { appHandlers } from "./apps.js";
import { branchHandlers } from "./branches.js";
import { collaboratorHandlers } from "./collaborators.js";
import { commentHandlers } from "./comments.js";
import { compareHandlers } from "./compare.js";
import { contentHandlers } from "./contents.js";
import { issueHandlers } from "./issues.js";
import { pullCreateHandlers } from "./pull-create.js";
import { pullHandlers } from "./pulls.js";
import { reactionHandlers } from "./reactions.js";
import { repoHandlers } from "./repos.js";
import { reviewCommentHandlers } from "./review-comments.js";
import { reviewHandlers } from "./reviews.js";
import type { Handlers } from "./routing.js";

const tables: Handlers[] = [
  appHandlers,
  repoHandlers,
  collaboratorHandlers,
  branchHandlers,
  contentHandlers,
  issueHandlers,
  commentHandlers,
  reactionHandlers,
  pullHandlers,
  pullCreateHandlers,
  compareHandlers,
  reviewHandlers,
  reviewCommentHandlers,
];

function merge(parts: Handlers[]): Handlers {
  const merged: Handlers = {};
  for (const part of parts) {
    for (const [operationId, handler] of Object.entries(part)) {
      if (operationId in merged) throw new Error(`fake GitHub: two handlers for ${operationId}`);
      merged[operationId] = handler;
    }
  }
  return merged;
}

/** Every operation the fake serves, by operationId; anything else is answered 501 and listed as unimplemented. */
export const handlers: Handlers = merge(tables);
