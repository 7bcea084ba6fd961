import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * What the fake GitHub knows about a diff, computed by git itself: GitHub's `files` entries and,
 * per file, every row a review comment may anchor to. Deliberately independent of the bot's own
 * diff parsing, so a mapping bug there cannot hide behind the same bug here.
 */
export type DiffStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed";

export interface DiffRow {
  readonly kind: "context" | "add" | "del";
  /** Line on the base side (LEFT); null for an added line. */
  readonly oldLine: number | null;
  /** Line on the head side (RIGHT); null for a removed line. */
  readonly newLine: number | null;
  /** GitHub's `position`: lines below the first `@@`, later hunk headers included. */
  readonly position: number;
  readonly hunk: number;
}

export interface DiffFile {
  readonly filename: string;
  readonly previousFilename: string | null;
  readonly status: DiffStatus;
  readonly additions: number;
  readonly deletions: number;
  /** Head-side blob; the removed blob for a deletion; null when only the mode changed. */
  readonly sha: string | null;
  /** From the first `@@` on, without a final newline; absent for binary files and pure renames, as on GitHub. */
  readonly patch: string | undefined;
  readonly rows: readonly DiffRow[];
}

const ZERO_SHA = /^0+$/;

/** The diff GitHub shows for `from..to` (callers pass the merge base as `from` for a three-dot diff). */
export async function diffFiles(gitDir: string, from: string, to: string): Promise<DiffFile[]> {
  // Settings a developer's git config may change are pinned: prefixes, quoting, colour, drivers.
  const args = [
    "-c",
    "core.quotePath=false",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.renames=true",
    "--git-dir",
    gitDir,
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--full-index",
    "-M",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    from,
    to,
    "--",
  ];
  const { stdout } = await execFileAsync("git", args, { maxBuffer: 256 * 1024 * 1024 });
  if (stdout === "") return [];
  const files = stdout
    .replace(/\n$/, "")
    .split(/\n(?=diff --git )/)
    .map(parseBlock);
  // A pure rename prints no `index` line, yet GitHub still names the blob.
  return Promise.all(
    files.map(async (file) =>
      file.sha === null && file.previousFilename !== null ? { ...file, sha: await blobSha(gitDir, to, file.filename) } : file,
    ),
  );
}

async function blobSha(gitDir: string, commit: string, path: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", `${commit}:${path}`]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

function parseBlock(block: string): DiffFile {
  const lines = block.split("\n");
  const header = lines[0] ?? "";
  const firstHunk = lines.findIndex((line) => line.startsWith("@@"));
  const meta = firstHunk === -1 ? lines.slice(1) : lines.slice(1, firstHunk);
  const field = (prefix: string) => meta.find((line) => line.startsWith(prefix))?.slice(prefix.length);
  const [headerOld, headerNew] = headerPaths(header.slice("diff --git ".length));
  const minus = field("--- ");
  const plus = field("+++ ");
  const renameFrom = field("rename from ") ?? field("copy from ");
  const renameTo = field("rename to ") ?? field("copy to ");
  const oldPath =
    renameFrom !== undefined ? unquote(renameFrom) : minus !== undefined && minus !== "/dev/null" ? stripPrefix(unquote(minus)) : headerOld;
  const newPath =
    renameTo !== undefined ? unquote(renameTo) : plus !== undefined && plus !== "/dev/null" ? stripPrefix(unquote(plus)) : headerNew;
  const [oldSha = "", newSha = ""] = (field("index ") ?? "").split(" ")[0]?.split("..") ?? [];
  const status: DiffStatus =
    field("new file mode ") !== undefined
      ? "added"
      : field("deleted file mode ") !== undefined
        ? "removed"
        : field("copy from ") !== undefined
          ? "copied"
          : renameFrom !== undefined
            ? "renamed"
            : "modified";
  const patch = firstHunk === -1 ? undefined : lines.slice(firstHunk).join("\n");
  const rows = patch === undefined ? [] : patchRows(patch);
  const sha = status === "removed" ? oldSha : newSha === "" || ZERO_SHA.test(newSha) ? null : newSha;
  return {
    filename: newPath,
    previousFilename: status === "renamed" || status === "copied" ? oldPath : null,
    status,
    additions: rows.filter((row) => row.kind === "add").length,
    deletions: rows.filter((row) => row.kind === "del").length,
    sha: sha === "" ? null : sha,
    patch,
    rows,
  };
}

/** Every row of a GitHub `patch` with its line numbers on both sides. */
export function patchRows(patch: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  let hunk = -1;
  patch.split("\n").forEach((text, index) => {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (header !== null) {
      hunk += 1;
      oldLine = Number(header[1]);
      newLine = Number(header[2]);
      return;
    }
    if (text.startsWith("+")) rows.push({ kind: "add", oldLine: null, newLine: newLine++, position: index, hunk });
    else if (text.startsWith("-")) rows.push({ kind: "del", oldLine: oldLine++, newLine: null, position: index, hunk });
    else if (text.startsWith(" ")) rows.push({ kind: "context", oldLine: oldLine++, newLine: newLine++, position: index, hunk });
    // "\ No newline at end of file" takes a position but carries no line.
  });
  return rows;
}

/** The row a comment's `line` on `side` anchors to, if that line is part of the diff. */
export function rowAt(file: DiffFile, side: "LEFT" | "RIGHT", line: number): DiffRow | undefined {
  return file.rows.find((row) =>
    side === "RIGHT" ? row.newLine === line && row.kind !== "del" : row.oldLine === line && row.kind !== "add",
  );
}

/** GitHub's `diff_hunk` of a comment: its hunk's header through the commented row. */
export function diffHunkThrough(file: DiffFile, row: DiffRow): string {
  const lines = (file.patch ?? "").split("\n");
  let start = row.position;
  while (start > 0 && !(lines[start] ?? "").startsWith("@@")) start -= 1;
  return lines.slice(start, row.position + 1).join("\n");
}

/** `a/x b/x` names one path twice unless renamed, which the rename lines then say exactly. */
function headerPaths(rest: string): [string, string] {
  if (rest.startsWith('"')) {
    const [first, remainder] = readQuoted(rest);
    return [stripPrefix(first), stripPrefix(remainder.startsWith(' "') ? readQuoted(remainder.slice(1))[0] : remainder.slice(1))];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) return [rest.slice(2, half), rest.slice(half + 3)];
  const split = rest.indexOf(" b/");
  return [stripPrefix(rest.slice(0, split)), stripPrefix(rest.slice(split + 1))];
}

function stripPrefix(path: string): string {
  return path.replace(/^[ab]\//, "");
}

function unquote(text: string): string {
  return text.startsWith('"') ? readQuoted(text)[0] : text.replace(/\t$/, "");
}

/** Reads git's C-style quoted path (`"a/tab\there"`); returns it and what follows it. */
function readQuoted(text: string): [string, string] {
  const bytes: number[] = [];
  let index = 1;
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
  while (index < text.length && text[index] !== '"') {
    const char = text[index] as string;
    if (char === "\\") {
      const next = text[index + 1] ?? "";
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(text.slice(index + 1, index + 4), 8));
        index += 4;
        continue;
      }
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      index += 2;
      continue;
    }
    bytes.push(...Buffer.from(char));
    index += 1;
  }
  return [Buffer.from(bytes).toString("utf8"), text.slice(index + 1)];
}
