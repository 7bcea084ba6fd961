import { afterEach, describe, expect, it } from "vitest";
import { REDACTED } from "../../src/safety/redact.js";
import { FULL_NAME, Harness, SECRET } from "../support/bot-harness.js";
import { makeRsaKey } from "../support/fake-github.js";
import { brokenAddProject, fixAddScript } from "../support/fixtures.js";
import type { ScriptedTurn } from "../support/scripted-ollama.js";

/**
 * Every kind of job posts text with secrets in it — the model's words, a server's error, what a
 * person typed — and none of those secrets reaches the forge: the one writer every job posts
 * through redacts them.
 */

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** Installation tokens with no well-known shape: only knowing the token itself can catch them. */
const tokenSalt = "7c1f0e";
const tokenCandidates = Array.from({ length: 12 }, (_, i) => `plain-installation-token-${i + 1}-${tokenSalt}`);
function tokenFactory(): () => string {
  let issued = 0;
  return () => {
    const token = tokenCandidates[issued++];
    if (!token) throw new Error("the test ran out of installation tokens");
    return token;
  };
}

const githubToken = `ghp_${"A1b2C3d4".repeat(5)}`;
const awsKey = "AKIAIOSFODNN7EXAMPLE";
const openAiKey = "sk-proj-not-shaped-like-anything-0123";
const OPENAI_KEY_ENV = { CODER_OPENAI_API_KEY: "operator-openai-key-with-no-shape" };

/** A text that quotes every secret the bot could know of. */
function leaky(label: string, privateKey: string): string {
  return [
    `${label}:`,
    `the webhook secret is ${SECRET}`,
    `a token ${githubToken} and a key ${awsKey} and ${openAiKey}`,
    `the operator's key ${OPENAI_KEY_ENV.CODER_OPENAI_API_KEY}`,
    `git said: Authorization: Basic ${Buffer.from(`x-access-token:${tokenCandidates[1]}`).toString("base64")}`,
    `installation tokens: ${tokenCandidates.join(" ")}`,
    privateKey,
  ].join("\n");
}

/** Everything the bot wrote on the fake GitHub: comments and their every edit, pull requests, reviews, inline comments. */
function postedTexts(): string[] {
  const { comments, pulls, reviews, reviewComments } = h.github.state;
  const bot = h.github.botLogin;
  return [
    ...comments.filter((c) => c.user === bot).flatMap((c) => c.history),
    ...pulls.filter((p) => p.user === bot).flatMap((p) => [p.title, p.body ?? ""]),
    ...reviews.filter((r) => r.user === bot).map((r) => r.body),
    ...reviewComments.filter((c) => c.user === bot).map((c) => c.body),
  ];
}

/** The secrets this run had: the deployment's, the installation tokens the bot acted with, and credential shapes. */
function secretsOf(privateKey: string): string[] {
  const issued = new Set(h.github.state.tokens.map((t) => t.token));
  const used = [
    ...new Set(
      h.github.requests
        .map((r) => /^token (\S+)$/i.exec(r.authorization ?? "")?.[1])
        .filter((t): t is string => t !== undefined && issued.has(t)),
    ),
  ];
  // The texts quote every token the bot could have been given, or the test proves nothing.
  expect(used.length).toBeGreaterThan(0);
  expect(used.every((token) => tokenCandidates.includes(token))).toBe(true);
  const keyBody = privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
  return [SECRET, githubToken, awsKey, openAiKey, OPENAI_KEY_ENV.CODER_OPENAI_API_KEY, ...used, ...keyBody];
}

function expectNoSecretIn(texts: readonly string[], privateKey: string): void {
  const secrets = secretsOf(privateKey);
  for (const text of texts) {
    for (const secret of secrets) expect(text, `a posted text holds ${secret.slice(0, 12)}…`).not.toContain(secret);
  }
}

function review(summary: string, findings: Array<Record<string, unknown>>): ScriptedTurn {
  return { content: `\`\`\`json\n${JSON.stringify({ summary, findings })}\n\`\`\`` };
}

describe("secrets in what every job posts", () => {
  it("fix, ask, explain, review, notices and a failure post none of the secrets they were given", { timeout: 240_000 }, async () => {
    const key = makeRsaKey();
    const text = (label: string) => leaky(label, key);
    const fix = fixAddScript();
    fix[fix.length - 1] = { toolCalls: [{ name: "finish", arguments: { summary: text("summary") } }] };
    const script: ScriptedTurn[] = [
      ...fix,
      { toolCalls: [{ name: "answer", arguments: { answer: text("answer") } }] },
      { toolCalls: [{ name: "answer", arguments: { answer: text("explanation") } }] },
      review(text("review summary"), [
        {
          path: "src/add.js",
          line: 3,
          severity: "major",
          category: "security",
          title: `Leaks ${githubToken}`,
          body: text("finding"),
          replacement: `  return a + b; // ${awsKey}`,
        },
      ]),
      { error: { status: 400, message: text("model server error") } },
    ];
    h = await Harness.start({
      script,
      files: brokenAddProject,
      github: { tokenFactory: tokenFactory() },
      env: { ...OPENAI_KEY_ENV, PRIVATE_KEY: key },
    });
    await h.startBot();

    await h.comment({ body: "/coder fix" });
    await h.waitForComment(/Opened pull request/);
    await h.settled(1);

    await h.comment({ body: "/coder ask where is add defined?" });
    await h.waitForComment(/^> where is add defined\?/);
    await h.settled(2);

    await h.comment({ body: "/coder explain src/add.js" });
    await h.waitForComment(/^> \/coder explain src\/add\.js/);
    await h.settled(3);

    const pr = await h.openPullRequest({
      branch: "feature/add",
      commits: [{ files: { "src/add.js": "/** Adds two numbers. */\nexport function add(a, b) {\n  return a + b + 0;\n}\n" } }],
    });
    await h.waitForReviews(pr.number, 1);
    await h.settled(4);

    // Someone pastes the webhook secret as a command: the notice quotes the unknown command back.
    await h.comment({ body: `/coder ${SECRET}` });
    await h.waitForComment(/I don't know the command/);
    await h.settled(5);

    h.github.addIssue({ owner: "acme", repo: "widgets", number: 13, title: "Make add faster", body: "It is slow." });
    await h.comment({ body: "/coder fix", issueNumber: 13 });
    const failure = await h.waitForComment(/❌ Failed while working on the change/, 13);

    // Each job's text did reach the forge, with the secrets taken out.
    const comments = h.github.state.comments;
    for (const [issue, pattern] of [
      [12, /Opened pull request/],
      [12, /^> where is add defined/],
      [12, /^> \/coder explain/],
      [12, /I don't know the command/],
    ] as const) {
      expect(comments.find((c) => c.issueNumber === issue && pattern.test(c.body))?.body).toContain(REDACTED);
    }
    expect(failure.body).toContain(REDACTED);
    expect(h.github.state.pulls.find((p) => p.headRef.startsWith("coder/issue-12-"))?.body).toContain(REDACTED);
    const [posted] = h.botReviews(pr.number);
    expect(posted?.body).toContain(REDACTED);
    expect(
      h
        .reviewComments(posted!.id)
        .map((c) => c.body)
        .join("\n"),
    ).toContain(REDACTED);

    expect(postedTexts().length).toBeGreaterThan(8);
    expectNoSecretIn(postedTexts(), key);
    // The commit went into git, not the forge; its message is redacted all the same.
    const log = await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "log", "--all", "--format=%B"]);
    expect(log).toContain(REDACTED);
    expectNoSecretIn([log], key);
    expect(h.github.violations).toEqual([]);
  });

  it("an index job that fails on a model server with credentials in its URL does not post them", { timeout: 120_000 }, async () => {
    h = await Harness.start({
      script: [],
      files: brokenAddProject,
      github: { tokenFactory: tokenFactory() },
      env: { CODER_EMBEDDINGS: "ollama", CODER_MAX_ATTEMPTS: "1" },
    });
    // Behind an authenticating proxy, operators write the password into the URL; HTTP clients quote the URL in their errors.
    const url = new URL(h.env.OLLAMA_HOST!);
    url.username = "coder";
    url.password = "proxy-password-1234567";
    h.env.OLLAMA_HOST = url.toString();
    await h.startBot();
    await h.comment({ body: "/coder index" });
    const failure = await h.waitForComment(/I could not index the repository/);
    expect(failure.body).toContain(REDACTED);
    expect(postedTexts().join("\n")).not.toContain("proxy-password-1234567");
    expectNoSecretIn(postedTexts(), h.env.PRIVATE_KEY!);
  });
});
