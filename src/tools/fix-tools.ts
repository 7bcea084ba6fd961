import { editFileTool } from "./edit-file.js";
import { findFilesTool } from "./find-files.js";
import { finishTool } from "./finish.js";
import { gitDiffTool } from "./git-diff.js";
import { gitStatusTool } from "./git-status.js";
import { grepTool } from "./grep.js";
import { listFilesTool } from "./list-files.js";
import { readFileTool } from "./read-file.js";
import { runCommandTool } from "./run-command.js";
import type { Tool } from "./tool.js";
import { searchCodeTool } from "./search-code.js";
import { writeFileTool } from "./write-file.js";

/** The tools of the fix agent. The model never commits or pushes: there is no tool for it. */
export const fixTools: ReadonlyMap<string, Tool> = new Map(
  (
    [
      readFileTool,
      writeFileTool,
      editFileTool,
      listFilesTool,
      findFilesTool,
      grepTool,
      runCommandTool,
      gitStatusTool,
      gitDiffTool,
      finishTool,
    ] as Tool[]
  ).map((t) => [t.name, t]),
);

/** The fix agent's tools plus code search, for repositories with an index. */
export const fixToolsWithSearch: ReadonlyMap<string, Tool> = new Map([...fixTools, [searchCodeTool.name, searchCodeTool]]);
