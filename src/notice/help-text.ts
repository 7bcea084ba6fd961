/** What `/coder help` answers, and what follows an unknown command. */
export const helpText = [
  "**coder-bot commands** (for people with write access to this repository):",
  "",
  "- `/coder fix [instructions]` on an issue: I work on it in an isolated workspace and open a pull request.",
  "- `/coder fix [instructions]` on a pull request: I push commits on top of its branch (fast-forward only).",
  "- `/coder fix --dry-run …`: I post the diff instead of pushing anything.",
  "- `/coder cancel`: stops my running job on this issue or pull request.",
  "- `/coder review` on a pull request: I review its changes (only what changed since my last review) with inline comments.",
  "- `/coder ask <question>`: I answer from the code, citing `path:line`.",
  "- `/coder explain <path[:start-end]>`: I explain that code and suggest improvements.",
  "- `/coder index`: brings the code index of the default branch up to date now (it also follows every push to it).",
  "- `/coder help`: this list.",
].join("\n");
