import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IndexCatalog, type CatalogEntry, type IndexRun } from "../../src/index/catalog.js";
import { FULL_NAME, Harness } from "../support/bot-harness.js";
import { waitFor } from "../support/net.js";
import type { ScriptedTurn } from "../support/scripted-ollama.js";
import { shopProject } from "../support/shop-fixture.js";

// Embedding runs at about ten chunks a second here, so the repository stays a handful of functions.
const shop = shopProject;

const REPO_KEY = FULL_NAME.toLowerCase();

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

function catalog(): IndexCatalog {
  return new IndexCatalog(h.bot!.services.db);
}

/** The index run of `main` newer than `afterId`, once it has ended. */
async function finishedRun(afterId = 0): Promise<IndexRun> {
  return waitFor(
    () => {
      const run = catalog().lastRun(REPO_KEY, "main");
      return run && run.id > afterId && run.status !== "running" ? run : null;
    },
    "an index run of main to finish",
    90_000,
  );
}

async function fileAt(rev: string, file: string): Promise<string> {
  return h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "show", `${rev}:${file}`]);
}

/**
 * Lines `start` to `end` (1-based, inclusive) of a file at a commit; throws when the range is not in
 * the file. The git helper trims its output, which these files (no leading blank line) survive.
 */
async function linesAt(rev: string, file: string, start: number, end: number): Promise<string> {
  const lines = (await fileAt(rev, file)).split("\n");
  if (start < 1 || end < start || end > lines.length) throw new Error(`${file}:${start}-${end} is not in the file (${lines.length} lines)`);
  return lines.slice(start - 1, end).join("\n");
}

async function trackedAt(rev: string): Promise<string[]> {
  const out = await h.git.git(["--git-dir", h.git.repoPath(FULL_NAME), "ls-tree", "-r", "--name-only", rev]);
  return out.split("\n").filter(Boolean).sort();
}

/** Whether the bot has ever fetched the repository (its mirror is made on the first fetch). */
function mirrored(): boolean {
  return existsSync(path.join(h.dataDir, "mirrors", `${REPO_KEY}.git`));
}

function uploadPacks(since: number) {
  return h.git.requests.slice(since).filter((r) => r.service === "git-upload-pack");
}

describe("index jobs in the running bot", () => {
  it("indexes the default branch after a merge, and nothing for other branches or tags", { timeout: 120_000 }, async () => {
    h = await Harness.start({ script: [], files: shop });
    await h.startBot();

    const feature = await h.push({
      ref: "refs/heads/feature/discounts",
      files: {
        "src/discount.js":
          "/** Takes a percentage off a price in cents. */\nexport function applyDiscount(cents, percent) {\n  return Math.round(cents * (1 - percent / 100));\n}\n",
      },
    });
    await h.tag("v1.0.0");
    const tag = await h.push({ ref: "refs/tags/v1.0.0" });
    expect([feature.status, tag.status]).toEqual([200, 200]);
    // A job queued by mistake would have been claimed and run by now.
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.jobCount()).toBe(0);
    expect(h.github.requests).toEqual([]);
    expect(mirrored()).toBe(false);
    expect(catalog().lastRun(REPO_KEY, "feature/discounts")).toBeNull();
    expect(catalog().lastRun(REPO_KEY, "main")).toBeNull();

    // From here on only the bot talks to the git server: the merge happens on the server.
    const gitBefore = h.git.requests.length;
    const merge = await h.merge("feature/discounts");
    const merged = await h.push();
    expect(merged.status).toBe(200);
    expect(merged.after).toBe(merge);
    const run = await finishedRun();
    await h.settled(1, 90_000);
    expect(await h.jobCount()).toBe(1);
    expect(run).toMatchObject({ status: "complete", commitSha: merge, tag: "main" });

    // Every file of the merge commit is in the catalog, the merged branch's own file included.
    const entries = catalog().entries(REPO_KEY, "main");
    expect([...entries.keys()].sort()).toEqual(await trackedAt(merge));
    expect(entries.has("src/discount.js")).toBe(true);
    for (const entry of entries.values()) expect(entry.chunkIds.length).toBeGreaterThan(0);
    expect(run.stats).toMatchObject({ files: entries.size, chunked: entries.size, unchanged: 0, removed: 0 });

    // The job read the configuration through the API and fetched the code over git, with the App's token.
    const fetches = uploadPacks(gitBefore);
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((r) => r.authorized && r.token !== null && h.github.isValidToken(r.token))).toBe(true);
    const operations = new Set(h.github.requests.map((r) => r.operationId));
    expect(operations).toContain("repos/get-content");
    expect(operations).toContain("apps/create-installation-access-token");
    // A push is answered by nobody: no comment, no reaction.
    expect(h.github.state.comments).toEqual([]);
    expect(h.github.state.reactions).toEqual([]);
    expect(h.github.violations).toEqual([]);
    expect(h.github.unimplemented).toEqual([]);
    await waitFor(() => h.worktreeDirs().length === 0, "the index worktree to be removed");
  });

  it("re-indexes only the file a later commit changed", { timeout: 120_000 }, async () => {
    h = await Harness.start({ script: [], files: shop });
    await h.startBot();
    const first = await h.push();
    expect(first.after).toBe(h.baseSha);
    const firstRun = await finishedRun();
    await h.settled(1, 90_000);
    expect(firstRun.status).toBe("complete");
    const before = catalog().entries(REPO_KEY, "main");
    expect(before.size).toBe(Object.keys(shop).length);

    const changed = shop["src/tax.js"]!.replace("Math.floor(amount * rate)", "Math.round(amount * rate)");
    const second = await h.push({ files: { "src/tax.js": changed }, message: "Round sales tax to the nearest cent" });
    expect(second.after).not.toBe(first.after);
    const secondRun = await finishedRun(firstRun.id);
    await h.settled(2, 90_000);
    expect(secondRun).toMatchObject({ status: "complete", commitSha: second.after });
    expect(secondRun.stats).toMatchObject({ files: before.size, chunked: 1, unchanged: before.size - 1, reused: 0, removed: 0 });

    const after = catalog().entries(REPO_KEY, "main");
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const differs = (a: CatalogEntry | undefined, b: CatalogEntry | undefined) =>
      a?.fileHash !== b?.fileHash || JSON.stringify(a?.chunkIds) !== JSON.stringify(b?.chunkIds);
    expect([...after.keys()].filter((p) => differs(before.get(p), after.get(p)))).toEqual(["src/tax.js"]);
    // Only the changed file's chunks were new to the run; each was embedded or found in the cache.
    const taxChunks = after.get("src/tax.js")!.chunkIds.length;
    expect(secondRun.stats.chunks).toBe(taxChunks);
    expect(Number(secondRun.stats.embedded) + Number(secondRun.stats.cached)).toBe(taxChunks);
    expect(Number(secondRun.stats.embedded)).toBeGreaterThan(0);

    // The index now answers with the new text of the function, not the old one.
    const hits = await h.bot!.services.codeIndex!.index.search(REPO_KEY, "main", "salesTax", 3);
    const tax = hits.find((hit) => hit.chunk.path === "src/tax.js" && hit.chunk.text.includes("salesTax"));
    expect(tax?.chunk.text).toContain("Math.round(amount * rate)");
    expect(hits.some((hit) => hit.chunk.text.includes("Math.floor(amount * rate)"))).toBe(false);
    expect(h.github.violations).toEqual([]);
  });

  it("/coder index by a maintainer: 👀, then a comment with the figures", { timeout: 120_000 }, async () => {
    h = await Harness.start({ script: [], files: shop });
    await h.startBot();
    const delivery = await h.comment({ body: "/coder index" });
    expect(delivery.status).toBe(200);
    const report = await h.waitForComment(/Indexed `main` at/, 12, 90_000);
    await h.settled(1, 90_000);
    expect(h.github.state.reactions.map((r) => ({ content: r.content, commentId: r.commentId }))).toEqual([
      { content: "eyes", commentId: delivery.commentId },
    ]);

    const match =
      /Indexed `main` at ([0-9a-f]{7}) in [\d.]+ s: (\d+) files \((\d+) new or changed, (\d+) unchanged, (\d+) removed\), (\d+) chunks, (\d+) embedded \((\d+) from the cache\)/.exec(
        report.body,
      );
    expect(match, report.body).not.toBeNull();
    const [, sha, files, chunked, unchanged, removed, chunks, embedded, cached] = match!.map((v, i) => (i === 1 ? v : Number(v))) as [
      string,
      string,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expect(sha).toBe(h.baseSha.slice(0, 7));
    const entries = catalog().entries(REPO_KEY, "main");
    const chunkTotal = [...entries.values()].reduce((n, e) => n + e.chunkIds.length, 0);
    expect({ files, chunked, unchanged, removed, chunks }).toEqual({
      files: entries.size,
      chunked: entries.size,
      unchanged: 0,
      removed: 0,
      chunks: chunkTotal,
    });
    expect(embedded + cached).toBe(chunkTotal);
    expect(catalog().lastRun(REPO_KEY, "main")).toMatchObject({ status: "complete", commitSha: h.baseSha });
    expect(h.botComments()).toHaveLength(1);
    expect(h.github.violations).toEqual([]);
    expect(h.github.unimplemented).toEqual([]);
  });

  it("/coder index by a commenter without write access: a polite refusal and no index run", { timeout: 60_000 }, async () => {
    h = await Harness.start({ script: [], files: shop });
    await h.startBot();
    const gitBefore = h.git.requests.length;
    await h.comment({ body: "/coder index", login: "mallory" });
    const refusal = await h.waitForComment(/only take `\/coder` commands/);
    await h.settled(1, 90_000);
    expect(refusal.body).toContain("@mallory");
    expect(h.botComments()).toHaveLength(1);
    expect(h.github.state.reactions).toEqual([]);
    expect(catalog().lastRun(REPO_KEY, "main")).toBeNull();
    expect(catalog().entries(REPO_KEY, "main").size).toBe(0);
    expect(uploadPacks(gitBefore)).toEqual([]);
    expect(mirrored()).toBe(false);
    expect(h.worktreeDirs()).toEqual([]);
    expect(h.github.violations).toEqual([]);
  });

  it("a fix on an indexed repository starts from the code context and can call search_code", { timeout: 120_000 }, async () => {
    const query = "where salesTax rounds the tax";
    const script: ScriptedTurn[] = [
      { toolCalls: [{ name: "search_code", arguments: { query, k: 3 } }] },
      { toolCalls: [{ name: "finish", arguments: { summary: "Looked at the tax code; nothing to change." } }] },
    ];
    h = await Harness.start({ script, files: shop });
    await h.startBot();
    await h.push();
    expect((await finishedRun()).status).toBe("complete");
    await h.settled(1, 90_000);

    await h.comment({ body: "/coder fix salesTax truncates instead of rounding to the nearest cent" });
    await h.waitForComment(/nothing to push/, 12, 90_000);
    await h.settled(2, 90_000);

    const chats = h.ollama.chatRequests();
    expect(chats).toHaveLength(2);
    const firstPrompt = chats[0]!.messages.map((m) => m.content ?? "").join("\n");
    expect(firstPrompt).toContain("Code that may be relevant");
    expect(firstPrompt).toContain("Repository map");
    // The context quotes real chunks of the indexed head, with the code that is at those lines.
    const quoted = [...firstPrompt.matchAll(/^(\S+):(\d+)-(\d+)[^\n]*\n```\n([\s\S]*?)\n```$/gm)];
    expect(quoted.map((q) => q[1])).toContain("src/tax.js");
    for (const [, file, start, end, code] of quoted) expect(code).toBe(await linesAt(h.baseSha, file!, Number(start), Number(end)));
    const toolNames = (chats[0]!.tools ?? []).map((t) => (t as { function?: { name?: string } }).function?.name);
    expect(toolNames).toContain("search_code");

    // The tool result the model got back: real locations of the repository, with the code at those lines.
    const result = chats[1]!.messages.find((m) => m.role === "tool" && m.tool_name === "search_code");
    expect(result, JSON.stringify(chats[1]!.messages.map((m) => m.role))).toBeDefined();
    const hits = [...result!.content!.matchAll(/^(\S+):(\d+)-(\d+) \(score [\d.]+\)[^\n]*\n/gm)];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(3);
    const tracked = await trackedAt(h.baseSha);
    for (const [i, hit] of hits.entries()) {
      const [, file, start, end] = hit;
      expect(tracked).toContain(file);
      const next = hits[i + 1]?.index ?? result!.content!.length;
      const code = result!.content!.slice(hit.index + hit[0].length, next).replace(/\n+$/, "");
      expect(code).toBe(await linesAt(h.baseSha, file!, Number(start), Number(end)));
    }
    expect(hits.map((hit) => hit[1])).toContain("src/tax.js");
    expect(h.github.state.pulls).toEqual([]);
    expect(h.github.violations).toEqual([]);
  });

  it("with index.enabled: false, /coder index says the index is off and a push indexes nothing", { timeout: 60_000 }, async () => {
    h = await Harness.start({ script: [], files: { ...shop, ".github/coder.yml": "index:\n  enabled: false\n" } });
    await h.startBot();
    await h.comment({ body: "/coder index" });
    const answer = await h.waitForComment(/switched off for this repository/);
    expect(answer.body).toContain("`index.enabled: false`");
    await h.settled(1, 90_000);

    const pushed = await h.push({ files: { "src/format.js": shop["src/format.js"]!.replace("€", "EUR ") } });
    expect(pushed.status).toBe(200);
    await h.settled(2, 90_000);
    expect(catalog().lastRun(REPO_KEY, "main")).toBeNull();
    expect(catalog().entries(REPO_KEY, "main").size).toBe(0);
    expect(mirrored()).toBe(false);
    expect(h.botComments()).toHaveLength(1);
    expect(h.github.violations).toEqual([]);
  });
});
