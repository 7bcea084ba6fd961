import { answerTool } from "./answer.js";
import { findFilesTool } from "./find-files.js";
import { gitStatusTool } from "./git-status.js";
import { grepTool } from "./grep.js";
import { listFilesTool } from "./list-files.js";
import { readFileTool } from "./read-file.js";
import { searchCodeTool } from "./search-code.js";
import type { Tool } from "./tool.js";

/** The tools of `/coder ask` and `/coder explain`: reading only; nothing runs, nothing is written. */
export const readOnlyTools: ReadonlyMap<string, Tool> = new Map(
  ([readFileTool, listFilesTool, findFilesTool, grepTool, gitStatusTool, answerTool] as Tool[]).map((t) => [t.name, t]),
);

/** The reading tools plus code search, for repositories with an index: a tool that can only fail is not offered. */
export const readOnlyToolsWithSearch: ReadonlyMap<string, Tool> = new Map([...readOnlyTools, [searchCodeTool.name, searchCodeTool]]);
