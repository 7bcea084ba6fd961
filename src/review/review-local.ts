import type { RepoConfig } from "../config/repo-config.js";
import { runGit } from "../git/run-git.js";
import type { LlmProvider } from "../llm/types.js";
import { conductReview, type ReviewIndex } from "./conduct-review.js";
import { DiffLineMap } from "../diff/line-map.js";
import { parseGitDiff } from "../diff/parse-git-diff.js";
import { noPlacement, placeFindings } from "./place-findings.js";
import { renderReviewBody } from "./render-review.js";

/**
 * A review of a local range (`base...head`, the changes since their merge base, as a pull request
 * shows them), printed instead of posted: inline comments as `path:line` blocks, then the summary.
 */
export async function reviewLocal(params: {
  readonly root: string;
  readonly base: string;
  readonly head: string;
  readonly config: RepoConfig;
  readonly provider: LlmProvider;
  readonly index?: ReviewIndex | null;
  readonly signal: AbortSignal;
}): Promise<string> {
  const { root, base, head, config, provider, signal } = params;
  const resolve = async (ref: string) => {
    const result = await runGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: root, allowFailure: true });
    if (result.exitCode !== 0) throw new Error(`${ref} is not a commit in ${root}`);
    return result.stdout.trim();
  };
  const [baseSha, headSha] = [await resolve(base), await resolve(head)];
  const diff = await runGit(["-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "-M", `${baseSha}...${headSha}`], {
    cwd: root,
  });
  const files = parseGitDiff(diff.stdout);
  const subject = await runGit(["log", "-1", "--format=%s%n%n%b", headSha], { cwd: root });
  const [title = "", ...rest] = subject.stdout.split("\n");
  const { plan, review } = await conductReview({
    provider,
    config,
    files,
    repoFullName: root,
    number: 0,
    title,
    body: rest.join("\n").trim(),
    incrementalFrom: null,
    guidance: config.review.instructions,
    index: params.index ?? null,
    readAtHead: async (path) => {
      const shown = await runGit(["show", `${headSha}:${path}`], { cwd: root, allowFailure: true });
      return shown.exitCode === 0 ? shown.stdout : null;
    },
    signal,
  });
  if (review === null)
    return renderReviewBody({
      walkthrough: "Nothing in this change is reviewable code.",
      placement: noPlacement(),
      plan,
      headSha,
      incrementalFrom: null,
      model: provider.label,
    });
  const placement = placeFindings(review.findings, DiffLineMap.from(files), { posted: new Set(), maxInline: config.review.maxFindings });
  const walkthrough = review.unreadable ? `The model's review could not be read (${review.unreadable}).` : review.summary;
  const inline = placement.inline.map(
    (c) =>
      `── ${c.path}:${c.startLine !== undefined ? `${c.startLine}-` : ""}${c.line}${c.side === "LEFT" ? " (removed line)" : ""}\n${c.body}`,
  );
  return [...inline, renderReviewBody({ walkthrough, placement, plan, headSha, incrementalFrom: null, model: provider.label })].join(
    "\n\n",
  );
}
