import { z } from "zod";
import { defineTool } from "./tool.js";

/** Ends a question-answering run: the answer is what the user reads. */
export const answerTool = defineTool("answer", {
  description:
    "Call this once, with your answer in Markdown. Cite the code you rely on as path:line or path:start-end (for example src/app.ts:12-30).",
  parameters: z.object({ answer: z.string().min(1).describe("The answer, in Markdown, citing path:line") }),
  execute({ answer }) {
    return Promise.resolve({ isError: false, output: "Answered.", finished: { summary: answer } });
  },
});
