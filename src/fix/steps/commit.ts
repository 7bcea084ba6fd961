import { commitStaged } from "../../git/commit-changes.js";
import type { FixContext } from "../fix-context.js";
import type { Committed, TestOutcome } from "../fix-checkpoint.js";
import { commitMessage } from "../pull-request-text.js";
import type { Prepared } from "./prepare.js";
import type { Worked } from "./work.js";

/**
 * Commits the staged change as the bot, with a message that names the issue (redacted like
 * everything posted), and checkpoints it: from here a retry publishes instead of working again.
 */
export async function commit(ctx: FixContext, ws: Prepared, worked: Worked, test: TestOutcome): Promise<Committed> {
  ctx.state.phase = "commit";
  const message = ctx.forge.redact(commitMessage(ctx.request, worked.summary));
  const sha = await commitStaged(ws, { message, authorName: ctx.deps.author.name, authorEmail: ctx.deps.author.email });
  const committed: Committed = {
    sha,
    baseSha: ws.baseSha,
    summary: worked.summary,
    test,
    files: [...worked.change.files],
    figures: worked.figures,
  };
  await ctx.checkpoint.save({ committed });
  return committed;
}
