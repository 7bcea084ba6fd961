import { stringField } from "../fake-github/strings.js";
import { forbidden } from "./errors.js";
import { timestamp } from "./ids.js";
import { findComment, requireRepo } from "./lookups.js";
import type { ReactionRecord } from "./records.js";
import type { Handlers } from "./routing.js";
import { userObject } from "./users.js";

/** `[ui] REACTIONS` by default; anything else is refused with 403. */
export const ALLOWED_REACTIONS = ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"];

export const reactionHandlers: Handlers = {
  /** 201 for a new reaction, 200 with the same shape when this user already reacted so. */
  issuePostCommentReaction: (fake, { params, body, doer }) => {
    const repo = requireRepo(fake, params);
    const comment = findComment(fake, repo, Number(params.id));
    const content = stringField(body, "content") ?? "";
    if (!ALLOWED_REACTIONS.includes(content)) throw forbidden(`'${content}' is not an allowed reaction`);
    const existing = fake.state.reactions.find(
      (reaction) => reaction.commentId === comment.id && reaction.content === content && reaction.user.toLowerCase() === doer.toLowerCase(),
    );
    const reaction: ReactionRecord = existing ?? {
      id: fake.counters.reaction++,
      owner: repo.owner,
      repo: repo.name,
      commentId: comment.id,
      content,
      user: doer,
      createdAt: timestamp(),
    };
    if (existing === undefined) fake.state.reactions.push(reaction);
    return {
      status: existing === undefined ? 201 : 200,
      json: { user: userObject(fake, reaction.user), content: reaction.content, created_at: reaction.createdAt },
    };
  },
};
