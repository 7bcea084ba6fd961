import { afterEach, describe, expect, it } from "vitest";
import { Harness, OWNER, REPO } from "../support/bot-harness.js";
import { shopCart, shopProject } from "../support/shop-fixture.js";

/** applyDiscount sits on lines 17-20 of the pull request's cart.js; line 19 leaves fractions of a cent. */
const cartWithDiscount = `${shopCart}\n/** Takes a percentage off every line of the cart. */\nexport function applyDiscount(cart, percent) {\n  for (const line of cart) line.price = line.price * (1 - percent / 100);\n  return cart;\n}\n`;

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

function chat(i: number) {
  return h.ollama.chatRequests()[i]!;
}

function toolNames(i: number): string[] {
  return (chat(i).tools ?? []).map((t) => (t as { function: { name: string } }).function.name).sort();
}

/** What a tool answered, as the model got it in the next request. */
function toolResult(i: number, name: string): string {
  return chat(i).messages.find((m) => m.role === "tool" && m.tool_name === name)?.content ?? "";
}

describe("/coder ask and /coder explain in the running bot", () => {
  it(
    "answers a question on an issue from the default branch, with links to the real lines and unfound citations marked",
    { timeout: 90_000 },
    async () => {
      h = await Harness.start({
        script: [
          { toolCalls: [{ name: "grep", arguments: { pattern: "salesTax" } }] },
          { toolCalls: [{ name: "read_file", arguments: { path: "src/tax.js" } }] },
          {
            toolCalls: [
              {
                name: "answer",
                arguments: {
                  answer:
                    "Sales tax is `salesTax` in `src/tax.js:4-6`: the amount times the rate, rounded down (src/tax.js:5). `cartTotal` adds it to the subtotal at src/cart.js:6. It is not in src/tax.js:40.",
                },
              },
            ],
          },
        ],
        files: shopProject,
      });
      await h.startBot();

      await h.comment({ body: "/coder ask how is sales tax computed?", login: "mallory" });
      await h.waitForComment(/only take `\/coder` commands/, 12, 20_000);
      await h.settled(1);
      expect(h.ollama.chatRequests()).toEqual([]);

      const asked = await h.comment({ body: "/coder ask how is sales tax computed?" });
      const reply = await h.waitForComment(/^> how is sales tax computed\?/, 12, 60_000);
      await h.settled(2);
      expect(h.github.state.reactions.map((r) => [r.content, r.commentId])).toEqual([["eyes", asked.commentId]]);

      // Only reading tools, and what they read is the repository's real code.
      // Without an index there is no search_code to offer.
      expect(toolNames(0)).toEqual(["answer", "find_files", "git_status", "grep", "list_files", "read_file"]);
      expect(toolResult(1, "grep")).toContain("src/tax.js:4:export function salesTax(amount, rate = DEFAULT_RATE) {");
      expect(toolResult(2, "read_file")).toContain("5\t  return Math.floor(amount * rate);");

      const web = h.git.cloneUrl(`${OWNER}/${REPO}`).replace(/\.git$/, "");
      const main = h.baseSha;
      expect(reply.body).toContain(`[\`src/tax.js:4-6\`](${web}/blob/${main}/src/tax.js#L4-L6)`);
      expect(reply.body).toContain(`[src/tax.js:5](${web}/blob/${main}/src/tax.js#L5)`);
      expect(reply.body).toContain(`[src/cart.js:6](${web}/blob/${main}/src/cart.js#L6)`);
      expect(reply.body).toContain("src/tax.js:40 _(not found in the code)_");
      expect(reply.body).toContain("Answered from `main` with");
      // Each cited line is what the answer says it is.
      const tax = (await h.fileAt(main, "src/tax.js")).split("\n");
      expect(tax.slice(3, 6).join("\n")).toMatch(/^export function salesTax[\s\S]*Math\.floor\(amount \* rate\);\n\}$/);
      expect((await h.fileAt(main, "src/cart.js")).split("\n")[5]).toBe("  return subtotal + salesTax(subtotal, rate);");
      expect(h.github.violations).toEqual([]);
    },
  );

  it(
    "explains code of a pull request as its head has it, and says how to ask when the target is missing",
    { timeout: 90_000 },
    async () => {
      h = await Harness.start({
        script: [
          { toolCalls: [{ name: "read_file", arguments: { path: "src/cart.js", start_line: 16, end_line: 21 } }] },
          {
            toolCalls: [
              {
                name: "answer",
                arguments: {
                  answer:
                    "`applyDiscount` (src/cart.js:17-20) takes `percent` off each line's price in place.\n\n**Improve:** prices are cents, so round them: src/cart.js:19 leaves fractions of a cent.",
                },
              },
            ],
          },
        ],
        files: shopProject,
      });
      await h.startBot();
      const pr = await h.openPullRequest({
        branch: "feature/discounts",
        commits: [{ files: { "src/cart.js": cartWithDiscount }, message: "Add applyDiscount" }],
        deliver: false,
      });

      await h.comment({ body: "/coder explain", issueNumber: pr.number, pullRequest: true });
      const help = await h.waitForComment(/Tell me what to explain/, pr.number, 20_000);
      await h.settled(1);
      expect(help.body).toBe("Tell me what to explain: `/coder explain path/to/file.ts` or `/coder explain path/to/file.ts:10-40`.");
      expect(h.ollama.chatRequests()).toEqual([]);

      await h.comment({ body: "/coder explain src/cart.js:16-21", issueNumber: pr.number, pullRequest: true });
      const reply = await h.waitForComment(/^> \/coder explain src\/cart\.js:16-21/, pr.number, 60_000);
      await h.settled(2);
      const task = chat(0).messages.find((m) => m.role === "user")?.content ?? "";
      expect(task).toContain("Explain src/cart.js lines 16-21: what it does, how it fits into the rest of the code");
      // The checkout is the pull request's head: applyDiscount is not on main.
      expect(toolResult(1, "read_file")).toContain("18\texport function applyDiscount(cart, percent) {");
      const web = h.git.cloneUrl(`${OWNER}/${REPO}`).replace(/\.git$/, "");
      expect(reply.body).toContain(`[src/cart.js:17-20](${web}/blob/${pr.head}/src/cart.js#L17-L20)`);
      expect(reply.body).toContain(`[src/cart.js:19](${web}/blob/${pr.head}/src/cart.js#L19)`);
      expect(reply.body).toContain("Answered from this pull request's head");
      expect((await h.fileAt(pr.head, "src/cart.js")).split("\n")[18]).toBe(
        "  for (const line of cart) line.price = line.price * (1 - percent / 100);",
      );
      expect(h.github.violations).toEqual([]);
    },
  );

  it("on an indexed repository, starts from the code context and searches by meaning", { timeout: 120_000 }, async () => {
    h = await Harness.start({
      script: [
        { toolCalls: [{ name: "search_code", arguments: { query: "how tax is rounded", k: 3 } }] },
        { toolCalls: [{ name: "answer", arguments: { answer: "Tax is rounded down in `salesTax`, src/tax.js:4-6." } }] },
      ],
      files: shopProject,
    });
    await h.startBot();
    await h.push();
    await h.settled(1, 90_000);

    await h.comment({ body: "/coder ask is the tax rounded?" });
    const reply = await h.waitForComment(/^> is the tax rounded\?/, 12, 60_000);
    await h.settled(2, 90_000);
    const firstPrompt = chat(0)
      .messages.map((m) => m.content ?? "")
      .join("\n");
    expect(firstPrompt).toContain("Code that may be relevant");
    expect(firstPrompt).toMatch(/^src\/tax\.js:\d+-\d+/m);
    expect(toolNames(0)).toContain("search_code");
    // search_code answered with real locations of the indexed branch.
    expect(toolResult(1, "search_code")).toMatch(/^src\/tax\.js:\d+-\d+ \(score [\d.]+\)/m);
    expect(reply.body).toContain(`/blob/${h.baseSha}/src/tax.js#L4-L6)`);
    expect(h.github.violations).toEqual([]);
  });
});
