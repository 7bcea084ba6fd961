export type CommandName = "fix" | "cancel" | "index" | "review" | "ask" | "explain" | "help";

export interface ParsedCommand {
  readonly name: CommandName;
  /** Free text after the command (and any flags), including following lines. */
  readonly instructions: string;
  readonly dryRun: boolean;
}

export type ParseResult =
  | { readonly kind: "none" }
  | { readonly kind: "command"; readonly command: ParsedCommand }
  | { readonly kind: "unknown"; readonly word: string };

const known: readonly CommandName[] = ["fix", "cancel", "index", "review", "ask", "explain", "help"];

/**
 * Reads a `/coder <command>` at the start of a comment. Anything else (the command quoted later
 * in a comment, inside a code block, another bot's prefix) is not a command.
 *
 * @example parseCommand("/coder fix --dry-run\nuse the new API") // fix, dryRun, "use the new API"
 */
export function parseCommand(body: string, prefix = "/coder"): ParseResult {
  const text = body.replace(/^\uFEFF/, "").trimStart();
  if (!text.toLowerCase().startsWith(prefix)) return { kind: "none" };
  const rest = text.slice(prefix.length);
  if (rest !== "" && !/^\s/.test(rest)) return { kind: "none" };
  const match = /^[ \t]*([A-Za-z-]*)([\s\S]*)$/.exec(rest);
  const word = (match?.[1] ?? "").toLowerCase();
  if (word === "") return { kind: "command", command: { name: "help", instructions: "", dryRun: false } };
  if (!known.includes(word as CommandName)) return { kind: "unknown", word };
  let remainder = match?.[2] ?? "";
  let dryRun = false;
  remainder = remainder.replace(/^[ \t]*--dry-run\b/, () => {
    dryRun = true;
    return "";
  });
  return { kind: "command", command: { name: word as CommandName, instructions: remainder.trim(), dryRun } };
}
