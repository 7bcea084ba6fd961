import { z } from "zod";
import { defineTool, fail, ok } from "./tool.js";

export const searchCodeTool = defineTool("search_code", {
  description:
    'Search the repository\'s code index by meaning and by name: describe what you are looking for ("where the retry delay is computed", "parseConfig"). Returns the best matching functions and classes as path:start-end with their code. Use grep for exact text.',
  parameters: z.object({
    query: z.string().min(1).describe("what to find, in words or identifiers"),
    k: z.number().int().min(1).max(20).optional().describe("how many results (default 5)"),
  }),
  async execute({ query, k }, context) {
    if (!context.codeSearch)
      return fail("no-index", "The code index is not available for this repository yet. Use grep and find_files instead.");
    const hits = await context.codeSearch(query, k ?? 5);
    if (hits.length === 0) return ok("No matches in the code index. Try other words, or grep for an exact name.");
    return ok(
      hits
        .map(
          (h) =>
            `${h.path}:${h.startLine}-${h.endLine} (score ${h.score.toFixed(3)})${h.symbols.length > 0 ? ` ${h.symbols.join(".")}` : ""}\n${h.text}`,
        )
        .join("\n\n"),
    );
  },
});
