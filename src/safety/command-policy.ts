import { parse, type ParseEntry } from "shell-quote";

/**
 * Which commands the model may run in its workspace. The container is the security boundary;
 * this list keeps a small model from wandering (package managers that publish, shells that hide
 * what runs, git that writes refs) and tells it what it may do instead.
 */
export interface CommandPolicyConfig {
  /** Run the line through `sh -c` (pipes, redirects, `&&`); off by default. */
  readonly allowShell: boolean;
  /** Programs allowed in addition to the defaults. */
  readonly extraPrograms: readonly string[];
}

export type PolicyDecision =
  | { readonly allowed: true; readonly argv: readonly string[] }
  | { readonly allowed: true; readonly shell: string }
  | { readonly allowed: false; readonly message: string };

export const defaultPrograms: Readonly<Record<string, readonly string[]>> = {
  files: [
    "ls",
    "cat",
    "head",
    "tail",
    "wc",
    "grep",
    "rg",
    "find",
    "sort",
    "uniq",
    "diff",
    "cmp",
    "echo",
    "printf",
    "pwd",
    "true",
    "false",
    "test",
    "which",
    "file",
    "stat",
    "tree",
    "sed",
    "awk",
    "cut",
    "tr",
    "mkdir",
    "touch",
    "cp",
    "mv",
    "rm",
    "chmod",
    "tar",
    "gzip",
    "gunzip",
    "unzip",
    "basename",
    "dirname",
    "realpath",
    "date",
    "sleep",
    "du",
    "df",
    "jq",
    "id",
    "whoami",
    "uname",
    "nproc",
    "ps",
  ],
  node: ["node", "npm", "npx", "yarn", "pnpm", "tsc", "tsx", "jest", "vitest", "mocha", "eslint", "prettier"],
  python: ["python", "python3", "pip", "pip3", "pytest", "py.test", "tox", "mypy", "ruff", "black", "flake8", "uv"],
  go: ["go", "gofmt"],
  rust: ["cargo", "rustc", "rustfmt"],
  c: ["make", "cmake", "ctest", "ninja", "gcc", "g++", "cc", "c++", "clang", "clang++"],
  jvm: ["java", "javac", "mvn", "gradle"],
  ruby: ["ruby", "bundle", "rake", "rspec"],
  git: ["git"],
};

/** git in the workspace reads; commits and pushes are the bot's, on the host. */
export const readOnlyGitSubcommands = [
  "status",
  "diff",
  "log",
  "show",
  "blame",
  "grep",
  "ls-files",
  "ls-tree",
  "rev-parse",
  "describe",
  "shortlog",
  "cat-file",
  "rev-list",
  "merge-base",
  "name-rev",
  "whatchanged",
] as const;

const allDefaults = new Set(Object.values(defaultPrograms).flat());

function describeAllowed(config: CommandPolicyConfig): string {
  const extra = config.extraPrograms.length ? `, and this repository's ${config.extraPrograms.join(", ")}` : "";
  return `Allowed programs: ${[...allDefaults].filter((p) => p !== "git").join(", ")}; git ${readOnlyGitSubcommands.join("/")}; scripts inside the repository (./script)${extra}.`;
}

/** Decides whether the model's command line may run, and as what argv. */
export function checkCommand(line: string, config: CommandPolicyConfig): PolicyDecision {
  const text = line.trim();
  if (text === "") return { allowed: false, message: "The command is empty." };
  let entries: ParseEntry[];
  try {
    entries = parse(text, (name) => `$${name}`);
  } catch (error) {
    return { allowed: false, message: `The command could not be parsed: ${(error as Error).message}` };
  }
  const needsShell = entries.some((e) => typeof e === "object" && "op" in e && e.op !== "glob") || /\$\(|`|\$\{?[A-Za-z_]/.test(text);
  if (needsShell) {
    if (config.allowShell) return { allowed: true, shell: text };
    return {
      allowed: false,
      message:
        "Pipes, redirects, `&&`, `;`, subshells and variables need a shell, which this repository does not allow (sandbox.allowShell in .github/coder.yml). Run one program at a time, e.g. `npm test` then `git diff`.",
    };
  }
  const words = entries.map((e) => (typeof e === "string" ? e : "pattern" in e ? e.pattern : ""));
  const assignments: string[] = [];
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) assignments.push(words.shift()!);
  const program = words[0];
  if (program === undefined) return { allowed: false, message: "Only variable assignments were given; name a program to run." };
  const refusal = refuseProgram(program, words.slice(1), config);
  if (refusal) return { allowed: false, message: `${refusal} ${describeAllowed(config)}` };
  return { allowed: true, argv: assignments.length > 0 ? ["env", ...assignments, ...words] : words };
}

function refuseProgram(program: string, args: readonly string[], config: CommandPolicyConfig): string | null {
  if (program.startsWith("./") || (program.includes("/") && !program.startsWith("/"))) {
    return program.split("/").includes("..") ? `${program} is outside the repository.` : null;
  }
  if (program.includes("/")) return `Programs are named without a path (${program}).`;
  if (program === "git") return refuseGit(args);
  if (allDefaults.has(program) || config.extraPrograms.includes(program)) return null;
  if (
    [
      "sh",
      "bash",
      "dash",
      "zsh",
      "env",
      "xargs",
      "sudo",
      "su",
      "nohup",
      "setsid",
      "nsenter",
      "chroot",
      "docker",
      "curl",
      "wget",
      "ssh",
      "scp",
    ].includes(program)
  ) {
    return `${program} is not allowed: it would run other programs or reach outside the workspace.`;
  }
  return `${program} is not on this repository's list of programs.`;
}

function refuseGit(args: readonly string[]): string | null {
  const sub = args.find((a) => !a.startsWith("-"));
  if (args[0]?.startsWith("-") && args[0] !== "--no-pager") {
    return "git options before the subcommand (such as -c or -C) are not allowed.";
  }
  if (sub === undefined) return "Name a git subcommand, e.g. git status.";
  if (!(readOnlyGitSubcommands as readonly string[]).includes(sub)) {
    return `git ${sub} is not allowed: git in the workspace is read-only; the bot commits and pushes your changes itself after you call finish.`;
  }
  if (args.some((a) => a === "--output" || a.startsWith("--output=") || a.startsWith("--ext-diff") || a === "--textconv")) {
    return "git options that write files or run external programs are not allowed.";
  }
  return null;
}
