import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/triggers/parse-command.js";

describe("parseCommand", () => {
  it("reads /coder fix with instructions on the same and following lines", () => {
    expect(parseCommand("/coder fix use the new parser\nand keep the API")).toEqual({
      kind: "command",
      command: { name: "fix", instructions: "use the new parser\nand keep the API", dryRun: false },
    });
  });

  it("reads --dry-run", () => {
    expect(parseCommand("  /coder fix --dry-run please")).toEqual({
      kind: "command",
      command: { name: "fix", instructions: "please", dryRun: true },
    });
  });

  it("is case-insensitive for the command word and accepts cancel and help", () => {
    expect(parseCommand("/coder FIX")).toMatchObject({ kind: "command", command: { name: "fix" } });
    expect(parseCommand("/coder cancel")).toMatchObject({ kind: "command", command: { name: "cancel" } });
    expect(parseCommand("/coder")).toMatchObject({ kind: "command", command: { name: "help" } });
  });

  it("ignores text that only mentions the command, and other prefixes", () => {
    expect(parseCommand("Please run /coder fix")).toEqual({ kind: "none" });
    expect(parseCommand("> /coder fix")).toEqual({ kind: "none" });
    expect(parseCommand("/coderfix")).toEqual({ kind: "none" });
    expect(parseCommand("```\n/coder fix\n```")).toEqual({ kind: "none" });
  });

  it("reports unknown subcommands", () => {
    expect(parseCommand("/coder deploy prod")).toEqual({ kind: "unknown", word: "deploy" });
  });
});
