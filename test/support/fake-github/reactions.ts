import type { FakeContext } from "./context.js";
import { nodeId, timestamp } from "./ids.js";
import { findComment, requireRepo } from "./lookups.js";
import type { CommentRecord, ReactionRecord } from "./records.js";
import { paginate, type Handlers } from "./routing.js";
import { stringField } from "./strings.js";
import { userObject } from "./users.js";

/** The `reactions` summary GitHub embeds in an issue comment. */
export function reactionRollup(fake: FakeContext, comment: CommentRecord): Record<string, unknown> {
  const reactions = fake.state.reactions.filter((reaction) => reaction.commentId === comment.id);
  const count = (content: string) => reactions.filter((reaction) => reaction.content === content).length;
  return {
    url: `${fake.apiBase}/repos/${comment.owner}/${comment.repo}/issues/comments/${comment.id}/reactions`,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    confused: count("confused"),
    heart: count("heart"),
    hooray: count("hooray"),
    eyes: count("eyes"),
    rocket: count("rocket"),
  };
}

function reactionObject(fake: FakeContext, reaction: ReactionRecord): Record<string, unknown> {
  return {
    id: reaction.id,
    node_id: nodeId("REA", reaction.id),
    user: userObject(fake, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

export const reactionHandlers: Handlers = {
  "reactions/create-for-issue-comment": (fake, { params, body }) => {
    const { state, botLogin } = fake;
    const repo = requireRepo(state, params);
    const comment = findComment(state, repo, Number(params.comment_id));
    const content = stringField(body, "content") ?? "";
    const existing = state.reactions.find(
      (reaction) => reaction.commentId === comment.id && reaction.content === content && reaction.user === botLogin,
    );
    if (existing !== undefined) return { status: 200, json: reactionObject(fake, existing) };
    const reaction: ReactionRecord = {
      id: fake.counters.reaction++,
      owner: repo.owner,
      repo: repo.name,
      commentId: comment.id,
      content,
      user: botLogin,
      createdAt: timestamp(),
    };
    state.reactions.push(reaction);
    return { status: 201, json: reactionObject(fake, reaction) };
  },

  "reactions/list-for-issue-comment": (fake, context) => {
    const repo = requireRepo(fake.state, context.params);
    const comment = findComment(fake.state, repo, Number(context.params.comment_id));
    const wanted = context.query.content;
    const reactions = fake.state.reactions.filter(
      (reaction) => reaction.commentId === comment.id && (wanted === undefined || reaction.content === wanted),
    );
    const { page, headers } = paginate(fake, reactions, context);
    return { status: 200, json: page.map((reaction) => reactionObject(fake, reaction)), headers };
  },
};
