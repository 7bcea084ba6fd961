import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FULL_NAME, Harness, type CommitSpec } from "../support/bot-harness.js";
import type { ReviewCommentRecord } from "../support/fake-github.js";
import { waitFor } from "../support/net.js";
import { shopCart, shopFormat, shopProject, shopTax } from "../support/shop-fixture.js";
import type { ScriptedTurn } from "../support/scripted-ollama.js";

const cart = shopCart;
const tax = shopTax;
const format = shopFormat;
const shop = shopProject;

/** Lines 16-21 of the new cart.js; line 19 rounds nothing. */
const cartWithDiscount = `${cart}\n/** Takes a percentage off every line of the cart. */\nexport function applyDiscount(cart, percent) {\n  for (const line of cart) line.price = line.price * (1 - percent / 100);\n  return cart;\n}\n`;
/** Lines 5-6 are new. */
const taxWithRefunds = tax.replace(
  "  return Math.floor(amount * rate);",
  "  if (amount < 0) return 0;\n  return Math.round(amount * rate);",
);
/** Lines 6-10 are new; line 9 is the finding the later pushes meet again. */
const formatWithDiscount = `${format}\n/** Formats a discount in percent: 15 becomes "15 %". */\nexport function formatDiscount(percent) {\n  return \`\${percent} %\`;\n}\n`;
/** One line added above that finding, which moves to line 10 and stays in the hunk as context. */
const formatChecked = formatWithDiscount.replace(
  "export function formatDiscount(percent) {\n",
  'export function formatDiscount(percent) {\n  if (!Number.isFinite(percent)) throw new TypeError("percent must be a number");\n',
);

interface FindingSpec {
  path: string;
  line: number;
  startLine?: number;
  side?: "RIGHT" | "LEFT";
  severity: "critical" | "major" | "minor" | "nit";
  category: "bug" | "security" | "performance" | "maintainability" | "tests" | "style";
  title: string;
  body?: string;
  replacement?: string;
}

const unroundedDiscount: FindingSpec = {
  path: "src/cart.js",
  line: 19,
  severity: "major",
  category: "bug",
  title: "Discounted prices are not whole cents",
  body: "`price * (1 - percent / 100)` leaves fractions of a cent in the cart; round each price.",
  replacement: "  for (const line of cart) line.price = Math.round(line.price * (1 - percent / 100));",
};
const refundTax: FindingSpec = {
  path: "src/tax.js",
  startLine: 5,
  line: 6,
  severity: "minor",
  category: "bug",
  title: "Refunds get no tax back",
  body: "A negative amount is a refund; its tax should be negative too, not 0.",
  replacement: "  return Math.round(amount * rate);",
};
/** Its replacement is the line as it already is: no suggestion to show. */
const docComment: FindingSpec = {
  path: "src/cart.js",
  line: 17,
  severity: "nit",
  category: "maintainability",
  title: "Say what range percent takes",
  body: "0 to 100, or 0 to 1? Say it in the comment.",
  replacement: "/** Takes a percentage off every line of the cart. */",
};
/** On a line the pull request does not change, far from any hunk. */
const untouchedLine: FindingSpec = {
  path: "src/cart.js",
  line: 4,
  severity: "nit",
  category: "style",
  title: "cartTotal could take the rate last",
  body: "Every other function takes the rate last.",
};
const percentSpace: FindingSpec = {
  path: "src/format.js",
  line: 9,
  severity: "minor",
  category: "style",
  title: "Use a narrow no-break space before %",
  body: "A plain space lets the sign wrap onto the next line.",
};
const throwsInCheckout: FindingSpec = {
  path: "src/format.js",
  line: 9,
  severity: "major",
  category: "bug",
  title: "A TypeError here breaks the checkout page",
  body: "formatDiscount runs while rendering; return an empty string instead of throwing.",
};
const refundsRounded: FindingSpec = {
  path: "src/tax.js",
  line: 5,
  severity: "minor",
  category: "tests",
  title: "No test for a refund",
  body: "Add a test with a negative amount.",
};

/** The model's reply, as a small model writes it: the JSON in a fence, with a sentence around it. */
function review(summary: string, findings: FindingSpec[]): ScriptedTurn {
  return { content: `Here is my review.\n\n\`\`\`json\n${JSON.stringify({ summary, findings }, null, 2)}\n\`\`\`\n` };
}

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** Waits until no job is queued or running (a delivery has stored its job, if any, by the time it is answered). */
async function idle(): Promise<void> {
  await waitFor(async () => {
    const counts = await h.bot!.services.queue.counts();
    if (counts.failed > 0) throw new Error(`a job failed: ${JSON.stringify(counts)}`);
    return counts.queued === 0 && counts.running === 0;
  }, "the queue to be idle");
}

/** Every review the bot tried to post, with GitHub's answer. */
function reviewPosts() {
  return h.github.requests.filter((r) => r.operationId === "pulls/create-review");
}

function suggestionIn(body: string): string | null {
  return /```suggestion\n([\s\S]*?)\n```/.exec(body)?.[1] ?? null;
}

/** The file's lines `start`..`end` (1-based) replaced by `text`, as GitHub applies a suggestion. */
function applySuggestion(file: string, start: number, end: number, text: string): string {
  const lines = file.split("\n");
  lines.splice(start - 1, end - start + 1, ...text.split("\n"));
  return lines.join("\n");
}

/** The commented line as the diff shows it: the last line of the comment's hunk, with its marker. */
function commentedLine(comment: ReviewCommentRecord): string {
  return comment.diffHunk.split("\n").at(-1) ?? "";
}

function titles(comments: ReviewCommentRecord[]): string[] {
  return comments.map((c) => /\*\*(.+?)\*\*/.exec(c.body)?.[1] ?? c.body);
}

function userPrompt(chat: number): string {
  return h.ollama.chatRequests()[chat]?.messages.find((m) => m.role === "user")?.content ?? "";
}

/** The files the diff in a prompt shows, by their `### path` headings. */
function filesInPrompt(chat: number): string[] {
  return [...userPrompt(chat).matchAll(/^### (\S+)$/gm)].map((m) => m[1]!).sort();
}

/** GitHub's contract held: every request valid, and no review refused (the fake answers 422 to a comment off the diff). */
function expectCleanContract(): void {
  expect(reviewPosts().map((r) => r.status)).toEqual(reviewPosts().map(() => 200));
  expect(h.github.violations).toEqual([]);
  expect(h.github.unimplemented).toEqual([]);
}

const discountCommits: CommitSpec[] = [
  { files: { "src/cart.js": cartWithDiscount }, message: "Add applyDiscount" },
  { files: { "src/tax.js": taxWithRefunds }, message: "No sales tax on refunds" },
];

describe("pull request reviews in the running bot", () => {
  it("reviews an opened pull request once: inline comments on the diff, a suggestion, the rest in the summary", async () => {
    h = await Harness.start({
      script: [
        review("Adds applyDiscount to the cart and gives refunds no tax.", [untouchedLine, docComment, refundTax, unroundedDiscount]),
      ],
      files: shop,
    });
    await h.startBot();
    const opened = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits, title: "Discounts" });
    expect(opened.delivery?.status).toBe(200);
    const [posted] = await h.waitForReviews(opened.number, 1);
    await h.settled(1);

    expect(posted).toMatchObject({ state: "COMMENTED", commitId: opened.head, user: h.github.botLogin });
    // What the model was asked: no tools, a reply held to the review's schema, the whole numbered diff.
    const [chat] = h.ollama.chatRequests();
    expect(h.ollama.chatRequests()).toHaveLength(1);
    expect(chat?.tools ?? []).toEqual([]);
    expect((chat?.format as { required?: string[] } | undefined)?.required).toEqual(["summary", "findings"]);
    expect(filesInPrompt(0)).toEqual(["src/cart.js", "src/tax.js"]);
    expect(userPrompt(0)).toContain(" 19 +   for (const line of cart) line.price = line.price * (1 - percent / 100);");
    expect(userPrompt(0)).toContain("\nL5 -   return Math.floor(amount * rate);");
    expect(userPrompt(0)).not.toContain("Review only the changes since");

    const comments = h.reviewComments(posted!.id);
    expect(titles(comments)).toEqual([unroundedDiscount.title, refundTax.title, docComment.title]);
    const cartAtHead = await h.fileAt(opened.head, "src/cart.js");
    const taxAtHead = await h.fileAt(opened.head, "src/tax.js");
    // Each comment sits on a line its diff hunk shows, and that line is the file's line at the head.
    for (const c of comments) {
      const file = c.path === "src/tax.js" ? taxAtHead : cartAtHead;
      expect(commentedLine(c).slice(1), `${c.path}:${c.line}`).toBe(file.split("\n")[c.line - 1]);
    }
    const [discount, refunds, doc] = comments as [ReviewCommentRecord, ReviewCommentRecord, ReviewCommentRecord];
    expect(discount).toMatchObject({ path: "src/cart.js", line: 19, side: "RIGHT", startLine: null, commitId: opened.head });
    expect(commentedLine(discount)).toBe(`+${cartAtHead.split("\n")[18]}`);
    // The suggestion replaces exactly the commented line, and applying it gives the rounded price.
    expect(suggestionIn(discount.body)).toBe(unroundedDiscount.replacement);
    expect(applySuggestion(cartAtHead, 19, 19, suggestionIn(discount.body)!)).toBe(
      cartAtHead.replace("line.price = line.price * (1 - percent / 100)", "line.price = Math.round(line.price * (1 - percent / 100))"),
    );
    expect(discount.body).toMatch(/^⚠️ \*\*Discounted prices are not whole cents\*\* \(major, bug\)/);
    // A range: lines 5-6 of the new tax.js, replaced by one line.
    expect(refunds).toMatchObject({ path: "src/tax.js", startLine: 5, line: 6, side: "RIGHT", startSide: "RIGHT" });
    expect(taxAtHead.split("\n").slice(4, 6)).toEqual(["  if (amount < 0) return 0;", "  return Math.round(amount * rate);"]);
    expect(applySuggestion(taxAtHead, 5, 6, suggestionIn(refunds.body)!)).toBe(tax.replace("Math.floor", "Math.round").trimEnd());
    // A replacement that changes nothing is no suggestion.
    expect(doc).toMatchObject({ path: "src/cart.js", line: 17 });
    expect(suggestionIn(doc.body)).toBeNull();

    // The finding on an unchanged line is in the summary, with where and why; counts are by severity.
    expect(comments.some((c) => c.line === 4)).toBe(false);
    expect(posted!.body).toContain(`### 🤖 Review of this pull request at ${opened.head.slice(0, 7)}`);
    expect(posted!.body).toContain("Adds applyDiscount to the cart and gives refunds no tax.");
    expect(posted!.body).toContain("**Findings:** ⚠️ 1 major, 💡 1 minor, 🧹 2 nit.");
    expect(posted!.body).toContain(
      "- 🧹 **cartTotal could take the rate last** (`src/cart.js:4`, on a line the diff does not show): Every other function takes the rate last.",
    );
    expect(posted!.body).not.toContain("not repeated");
    expect(posted!.body).toContain("Reviewed 2 file(s) with");
    expectCleanContract();
    expect(reviewPosts()).toHaveLength(1);

    // The same delivery again queues nothing; `ready_for_review` for the same head reviews nothing.
    const again = await h.pullRequestEvent("opened", opened.number, { deliveryId: opened.delivery!.deliveryId });
    expect(again.status).toBe(200);
    expect(await h.jobCount()).toBe(1);
    const ready = await h.pullRequestEvent("ready_for_review", opened.number);
    expect(ready.status).toBe(200);
    expect(ready.head).toBe(opened.head);
    await idle();
    expect(h.botReviews(opened.number)).toHaveLength(1);
    expect(h.ollama.chatRequests()).toHaveLength(1);
    expect(h.botComments(opened.number)).toEqual([]);
    expectCleanContract();
  });

  it(
    "after a push reviews only what it changed and repeats nothing; after a force push reviews everything, still repeating nothing",
    { timeout: 90_000 },
    async () => {
      const script = [
        review("Adds discounts to the cart and their formatting.", [unroundedDiscount, percentSpace]),
        // The model meets the first review's finding again (same code, now one line lower) and finds one more.
        review("Checks the percent before formatting it.", [{ ...percentSpace, line: 10 }, throwsInCheckout]),
        // After the rewrite it sees the whole change: every earlier finding again, and one new one.
        review("Discounts, their formatting, and refunds.", [
          unroundedDiscount,
          { ...percentSpace, line: 10 },
          throwsInCheckout,
          refundsRounded,
        ]),
      ];
      h = await Harness.start({ script, files: shop });
      await h.startBot();

      const first = await h.openPullRequest({
        branch: "feature/discounts",
        commits: [{ files: { "src/cart.js": cartWithDiscount, "src/format.js": formatWithDiscount }, message: "Discounts" }],
      });
      await h.waitForReviews(first.number, 1);
      await h.settled(1);
      expect(titles(h.reviewComments(h.botReviews(first.number)[0]!.id))).toEqual([unroundedDiscount.title, percentSpace.title]);

      // Push 2: one more commit that changes one more file.
      const second = await h.pushToPullRequest(first.number, [{ files: { "src/format.js": formatChecked }, message: "Check the percent" }]);
      expect(second.before).toBe(first.head);
      const [, incremental] = await h.waitForReviews(first.number, 2);
      await h.settled(2);
      expect(filesInPrompt(1)).toEqual(["src/format.js"]);
      expect(userPrompt(1)).toContain(`Review only the changes since commit ${first.head.slice(0, 12)}`);
      expect(userPrompt(1)).toContain("  9 +   if (!Number.isFinite(percent))");
      expect(userPrompt(1)).not.toContain("applyDiscount");
      expect(incremental).toMatchObject({ state: "COMMENTED", commitId: second.head });
      const newComments = h.reviewComments(incremental!.id);
      expect(titles(newComments)).toEqual([throwsInCheckout.title]);
      expect(newComments[0]).toMatchObject({ path: "src/format.js", line: 9 });
      expect(commentedLine(newComments[0]!)).toBe(`+${(await h.fileAt(second.head, "src/format.js")).split("\n")[8]}`);
      expect(incremental!.body).toContain(`### 🤖 Review of the changes since ${first.head.slice(0, 7)} at ${second.head.slice(0, 7)}`);
      expect(incremental!.body).toContain("**Findings:** ⚠️ 1 major.");
      expect(incremental!.body).toContain("1 finding(s) already raised on an earlier commit are not repeated.");
      expect(incremental!.body).not.toContain(percentSpace.title);
      expect(h.github.requests.filter((r) => r.operationId === "repos/compare-commits").map((r) => r.status)).toEqual([200]);

      // Push 3: the branch is rewritten from main; the reviewed heads are gone from its history.
      const third = await h.pushToPullRequest(
        first.number,
        [
          {
            files: { "src/cart.js": cartWithDiscount, "src/format.js": formatChecked, "src/tax.js": taxWithRefunds },
            message: "Discounts and refunds, squashed",
          },
        ],
        { force: true },
      );
      expect(h.git.acceptedUpdates(FULL_NAME).at(-1)).toMatchObject({ oldSha: second.head, newSha: third.head, forced: true });
      const [, , full] = await h.waitForReviews(first.number, 3);
      await h.settled(3);
      expect(filesInPrompt(2)).toEqual(["src/cart.js", "src/format.js", "src/tax.js"]);
      expect(userPrompt(2)).not.toContain("Review only the changes since");
      expect(full).toMatchObject({ commitId: third.head });
      expect(titles(h.reviewComments(full!.id))).toEqual([refundsRounded.title]);
      expect(full!.body).toContain(`### 🤖 Review of this pull request at ${third.head.slice(0, 7)}`);
      expect(full!.body).toContain("**Findings:** 💡 1 minor.");
      expect(full!.body).toContain("3 finding(s) already raised on an earlier commit are not repeated.");
      // The comparison from the vanished head answered 404, so the pull request's own files were read.
      expect(h.github.requests.filter((r) => r.operationId === "repos/compare-commits").map((r) => r.status)).toEqual([200, 404]);
      const gone = h.github.requests.findIndex((r) => r.operationId === "repos/compare-commits" && r.status === 404);
      expect(h.github.requests.slice(gone).some((r) => r.operationId === "pulls/list-files" && r.status === 200)).toBe(true);

      // Over the three reviews, each finding was posted once.
      const everyTitle = h.botReviews(first.number).flatMap((r) => titles(h.reviewComments(r.id)));
      expect(everyTitle.sort()).toEqual([unroundedDiscount.title, percentSpace.title, throwsInCheckout.title, refundsRounded.title].sort());
      expect(h.ollama.chatRequests()).toHaveLength(3);
      expectCleanContract();
    },
  );

  it("asks again when the reply cannot be read, and says so when the second cannot be read either", async () => {
    const prose = "The change looks reasonable to me. I would round the discounted prices, though.";
    h = await Harness.start({
      script: [
        { content: prose },
        review("Adds applyDiscount.", [unroundedDiscount]),
        { content: prose },
        { content: "Sure! Everything is fine." },
      ],
      files: shop,
    });
    await h.startBot();

    const readable = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits });
    const [posted] = await h.waitForReviews(readable.number, 1);
    await h.settled(1);
    expect(titles(h.reviewComments(posted!.id))).toEqual([unroundedDiscount.title]);
    expect(posted!.body).toContain("Adds applyDiscount.");
    // The second request carried the unreadable reply and what was wrong with it.
    const retry = h.ollama.chatRequests()[1]!.messages;
    expect(retry.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(retry[2]?.content).toBe(prose);
    expect(retry[3]?.content).toMatch(/^Your reply held no JSON object\. Reply with one JSON object:/);

    const unreadable = await h.openPullRequest({ branch: "feature/other", commits: [{ files: { "src/format.js": formatWithDiscount } }] });
    const [note] = await h.waitForReviews(unreadable.number, 1);
    await h.settled(2);
    expect(h.ollama.chatRequests()).toHaveLength(4);
    expect(note).toMatchObject({ state: "COMMENTED", commitId: unreadable.head });
    expect(note!.body).toContain("I could not read the model's review (Your reply held no JSON object.");
    expect(note!.body).toContain("so there are no findings this time.");
    expect(note!.body).toContain("**Findings:** none.");
    expect(h.reviewComments(note!.id)).toEqual([]);
    expect(h.botComments(unreadable.number)).toEqual([]);
    expect((await h.bot!.services.queue.counts()).failed).toBe(0);
    expectCleanContract();
  });

  it("/coder review: a maintainer gets 👀 and a review, others a refusal, an issue an explanation", async () => {
    h = await Harness.start({ script: [review("Adds applyDiscount.", [unroundedDiscount])], files: shop });
    await h.startBot();
    const pr = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits, deliver: false });

    await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true, login: "mallory" });
    const refusal = await h.waitForComment(/only take `\/coder` commands/, pr.number, 20_000);
    await h.settled(1);
    expect(refusal.body).toContain("@mallory");
    expect(h.botReviews(pr.number)).toEqual([]);
    expect(h.github.state.reactions).toEqual([]);
    expect(h.ollama.chatRequests()).toEqual([]);

    const asked = await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
    const [posted] = await h.waitForReviews(pr.number, 1, 20_000);
    await h.settled(2);
    expect(h.github.state.reactions.map((r) => ({ content: r.content, commentId: r.commentId }))).toEqual([
      { content: "eyes", commentId: asked.commentId },
    ]);
    expect(posted).toMatchObject({ state: "COMMENTED", commitId: pr.head });
    expect(titles(h.reviewComments(posted!.id))).toEqual([unroundedDiscount.title]);
    expect(h.botComments(pr.number)).toHaveLength(1);

    // The same head asked again: an answer, not a second review.
    await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
    await h.waitForComment(new RegExp(`I already reviewed ${pr.head.slice(0, 7)}`), pr.number, 20_000);
    await h.settled(3);
    expect(h.botReviews(pr.number)).toHaveLength(1);

    await h.comment({ body: "/coder review" });
    const answer = await h.waitForComment(/works on pull requests/, 12, 20_000);
    await h.settled(4);
    expect(answer.body).toBe("`/coder review` works on pull requests; this is an issue.");
    expect(h.botComments()).toHaveLength(1);
    expect(h.ollama.chatRequests()).toHaveLength(1);
    expect(h.github.state.reviews).toHaveLength(1);
    expectCleanContract();
  });

  it("does not review drafts or bots' pull requests on its own", async () => {
    h = await Harness.start({ script: [review("Adds applyDiscount.", [unroundedDiscount])], files: shop });
    await h.startBot();
    const draft = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits, draft: true });
    await h.settled(1);
    const bump = await h.openPullRequest({
      branch: "renovate/prices",
      commits: [{ files: { "src/format.js": formatWithDiscount } }],
      login: "renovate[bot]",
    });
    await h.settled(2);
    expect([draft.delivery?.status, bump.delivery?.status]).toEqual([200, 200]);
    // Each job read the pull request and stopped there: no model, no review, no comment.
    expect(h.github.requests.filter((r) => r.operationId === "pulls/get")).toHaveLength(2);
    expect(h.github.state.reviews).toEqual([]);
    expect(h.ollama.chatRequests()).toEqual([]);
    expect(h.github.state.comments.filter((c) => c.user === h.github.botLogin)).toEqual([]);
    expectCleanContract();
  });

  it("with review.auto: false reviews nothing on its own, but /coder review still works", async () => {
    h = await Harness.start({
      script: [review("Adds applyDiscount.", [unroundedDiscount])],
      files: { ...shop, ".github/coder.yml": "review:\n  auto: false\n" },
    });
    await h.startBot();
    const pr = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits });
    await h.settled(1);
    await h.pushToPullRequest(pr.number, [{ files: { "src/format.js": formatWithDiscount } }]);
    await h.settled(2);
    expect(h.github.state.reviews).toEqual([]);
    expect(h.ollama.chatRequests()).toEqual([]);
    expect(h.botComments(pr.number)).toEqual([]);

    const asked = await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
    const [posted] = await h.waitForReviews(pr.number, 1);
    await h.settled(3);
    expect(h.github.state.reactions.map((r) => r.commentId)).toEqual([asked.commentId]);
    expect(posted).toMatchObject({ commitId: await h.headOf(pr.number) });
    expect(filesInPrompt(0)).toEqual(["src/cart.js", "src/format.js", "src/tax.js"]);
    expectCleanContract();
  });
});

describe("reviews across drafts, untouched files and large changes", () => {
  it("reviews a draft once it is marked ready, with no new commit", async () => {
    h = await Harness.start({ script: [review("Adds applyDiscount.", [unroundedDiscount])], files: shop });
    await h.startBot();
    const draft = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits, draft: true });
    await h.settled(1);
    expect(h.github.state.reviews).toEqual([]);
    const ready = await h.pullRequestEvent("ready_for_review", draft.number);
    expect(ready.status).toBe(200);
    // The skipped draft's job did not keep the head: this delivery queues a second job.
    expect(await h.jobCount()).toBe(2);
    const [posted] = await h.waitForReviews(draft.number, 1);
    expect(posted).toMatchObject({ commitId: draft.head });
  });

  it("does not repeat a finding on a file the push did not touch", async () => {
    h = await Harness.start({
      script: [review("Adds applyDiscount.", [unroundedDiscount]), review("Formats discounts.", [unroundedDiscount, percentSpace])],
      files: shop,
    });
    await h.startBot();
    const pr = await h.openPullRequest({ branch: "feature/discounts", commits: [{ files: { "src/cart.js": cartWithDiscount } }] });
    await h.waitForReviews(pr.number, 1);
    await h.settled(1);
    await h.pushToPullRequest(pr.number, [{ files: { "src/format.js": formatWithDiscount } }]);
    const [, second] = await h.waitForReviews(pr.number, 2);
    await h.settled(2);
    expect(filesInPrompt(1)).toEqual(["src/format.js"]);
    expect(titles(h.reviewComments(second!.id))).toEqual([percentSpace.title]);
    // The finding on cart.js, posted inline on the first review, is not listed again in the summary.
    expect(second!.body).not.toContain(unroundedDiscount.title);
    expect(second!.body).toContain("1 finding(s) already raised on an earlier commit are not repeated.");
  });

  it("reviews on /coder review after saying a pull request is too large to review on its own", async () => {
    h = await Harness.start({
      script: [review("Adds applyDiscount.", [unroundedDiscount])],
      files: { ...shop, ".github/coder.yml": "review:\n  maxDiffLines: 5\n" },
    });
    await h.startBot();
    const pr = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits });
    await h.waitForComment(/Comment `\/coder review` and I review the most important files/, pr.number);
    await h.settled(1);
    await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
    await h.settled(2);
    // The note gave its head back, so the answer is a review, not "I already reviewed …".
    expect(
      h
        .botComments(pr.number)
        .map((c) => c.body)
        .join("\n"),
    ).not.toMatch(/I already reviewed/);
    const [posted] = await h.waitForReviews(pr.number, 1, 10_000);
    expect(posted).toMatchObject({ commitId: pr.head });
  });
});

describe("what people did with earlier findings", () => {
  /** Line 19 of cart.js and line 9 of format.js rewritten: the findings on them now sit on other code. */
  const cartRewritten = cartWithDiscount.replace(
    "line.price = line.price * (1 - percent / 100);",
    "line.price = line.price - (line.price * percent) / 100;",
  );
  const formatRewritten = formatWithDiscount.replace("  return `${percent} %`;", '  return String(percent) + " %";');

  it(
    "reads the changed files whole, does not raise again what a person answered or resolved, and repeats nothing after losing its data directory",
    { timeout: 120_000 },
    async () => {
      const script = [
        review("Adds discounts and their formatting.", [unroundedDiscount, percentSpace]),
        // After the rewrite the model raises both subjects again, on the new code, and one new finding.
        review("Rewrites the discount.", [unroundedDiscount, percentSpace, throwsInCheckout]),
        // A bot with a fresh data directory meets every earlier finding again, and one new one.
        review("Refunds.", [throwsInCheckout, unroundedDiscount, refundsRounded]),
      ];
      h = await Harness.start({ script, files: shop });
      await h.startBot();
      const pr = await h.openPullRequest({
        branch: "feature/discounts",
        commits: [{ files: { "src/cart.js": cartWithDiscount, "src/format.js": formatWithDiscount }, message: "Discounts" }],
      });
      const [first] = await h.waitForReviews(pr.number, 1);
      await h.settled(1);
      // The model saw each changed file whole, numbered as the diff numbers it, beside the diff.
      expect(userPrompt(0)).toContain("The changed files in full at the head");
      expect(userPrompt(0)).toContain('### src/cart.js (whole file)\n  1   import { salesTax } from "./tax.js";');
      expect(userPrompt(0)).toContain("\n  5     const subtotal = items.reduce(");
      expect(userPrompt(0)).toContain("### src/format.js (whole file)");
      const [discount, percent] = h.reviewComments(first!.id);
      expect(titles([discount!, percent!])).toEqual([unroundedDiscount.title, percentSpace.title]);

      // Alice answers one finding; someone resolves the other's thread.
      await h.github.addReviewComment({
        owner: "acme",
        repo: "widgets",
        pullNumber: pr.number,
        inReplyTo: discount!.id,
        body: "Intended: prices are rounded once, at checkout.",
        user: "alice",
      });
      h.github.resolveThread(percent!.id);

      const second = await h.pushToPullRequest(pr.number, [
        { files: { "src/cart.js": cartRewritten, "src/format.js": formatRewritten }, message: "Rewrite the discount" },
      ]);
      const [, rewritten] = await h.waitForReviews(pr.number, 2);
      await h.settled(2);
      expect(userPrompt(1)).toContain(`Review only the changes since commit ${pr.head.slice(0, 12)}`);
      expect(titles(h.reviewComments(rewritten!.id))).toEqual([throwsInCheckout.title]);
      expect(rewritten!.body).toContain("2 finding(s) on threads already answered or resolved are not raised again.");
      expect(rewritten!.body).not.toContain("not repeated");

      // A new data directory: the bot knows nothing of this pull request but what GitHub shows.
      await h.bot!.stop();
      rmSync(h.dataDir, { recursive: true, force: true });
      h.dataDir = mkdtempSync(path.join(os.tmpdir(), "coder-bot-e2e-"));
      h.env = { ...h.env, CODER_DATA_DIR: h.dataDir };
      await h.startBot();
      // Asked for the head it reviewed last, the fresh bot finds that review on the pull request.
      await h.comment({ body: "/coder review", issueNumber: pr.number, pullRequest: true });
      await h.waitForComment(new RegExp(`I already reviewed ${second.head.slice(0, 7)}`), pr.number, 20_000);
      await h.settled(1);
      expect(h.ollama.chatRequests()).toHaveLength(2);

      await h.pushToPullRequest(pr.number, [{ files: { "src/tax.js": taxWithRefunds }, message: "No sales tax on refunds" }]);
      const [, , third] = await h.waitForReviews(pr.number, 3);
      await h.settled(2);
      // Incremental from the head GitHub shows was reviewed last, though the bot's own records are gone.
      expect(userPrompt(2)).toContain(`Review only the changes since commit ${second.head.slice(0, 12)}`);
      expect(filesInPrompt(2)).toEqual(["src/tax.js"]);
      expect(titles(h.reviewComments(third!.id))).toEqual([refundsRounded.title]);
      expect(third!.body).toContain("1 finding(s) already raised on an earlier commit are not repeated.");
      expect(third!.body).toContain("1 finding(s) on threads already answered or resolved are not raised again.");
      expect(h.botReviews(pr.number)).toHaveLength(3);
      expect(h.ollama.chatRequests()).toHaveLength(3);
      expect(h.github.requests.filter((r) => r.operationId === "graphql").map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expectCleanContract();
    },
  );

  it("still reviews when the forge cannot say which threads are resolved", async () => {
    h = await Harness.start({ script: [review("Adds applyDiscount.", [unroundedDiscount])], files: shop });
    await h.startBot();
    // What an installation without the GraphQL scope it needs, or a proxy that blocks /graphql, answers.
    h.github.failNext("graphql", { status: 403, message: "Resource not accessible by integration" });
    const pr = await h.openPullRequest({ branch: "feature/discounts", commits: discountCommits });
    const [posted] = await h.waitForReviews(pr.number, 1);
    await h.settled(1);
    expect(titles(h.reviewComments(posted!.id))).toEqual([unroundedDiscount.title]);
    expect(h.github.requests.filter((r) => r.operationId === "graphql").map((r) => r.status)).toEqual([403]);
  });
});
