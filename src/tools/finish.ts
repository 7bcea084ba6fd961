import { z } from "zod";
import { defineTool } from "./tool.js";

export const finishTool = defineTool("finish", {
  description:
    "Call this once the task is done (or cannot be done), with a short summary of what you changed and why, for the pull request.",
  parameters: z.object({ summary: z.string().min(1).describe("What you changed and why, in a few sentences") }),
  execute({ summary }) {
    return Promise.resolve({ isError: false, output: "Finished.", finished: { summary } });
  },
});
