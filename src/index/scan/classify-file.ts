import { lstat, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ScannedFile, SkippedFile, SkipReason } from "../types.js";
import { binaryExtension, looksBinary } from "./binary.js";
import { decodeText } from "./decode-text.js";
import { generatedByHeader, generatedByName, minifiedByName } from "./generated.js";
import { detectLanguage } from "./language.js";
import { minifiedBecause } from "./minified.js";
import type { PathFilter } from "./path-filter.js";
import type { TrackedFile } from "./tracked-files.js";
import { vendoredBy } from "./vendored.js";

export interface ClassifyContext {
  /** The repository root, already passed through realpath. */
  readonly root: string;
  readonly filter: PathFilter;
  readonly maxFileBytes: number;
}

export type Classification = { readonly kept: ScannedFile } | { readonly skipped: SkippedFile };

/**
 * Decides one tracked file: kept with its language and size, or skipped with a reason. The cheap
 * tests on the name run before any disk access; the file is read at most once, and only when it
 * is under the size cap. Every failure to look at the file becomes an `unreadable` skip, never an
 * exception, because one bad file must not stop the scan of the rest.
 */
export async function classifyFile(file: TrackedFile, context: ClassifyContext): Promise<Classification> {
  const skip = (reason: SkipReason, detail: string): Classification => ({ skipped: { path: file.path, reason, detail } });
  if (file.mode === "160000") return skip("excluded", "submodule");
  const filtered = context.filter(file.path);
  if (filtered) return skip("excluded", filtered);
  const vendored = vendoredBy(file.path);
  if (vendored) return skip("vendored", `under ${vendored}`);
  const generated = generatedByName(file.path);
  if (generated) return skip("generated", generated);
  if (minifiedByName(file.path)) return skip("minified", "named .min");
  const extension = binaryExtension(file.path);
  if (extension) return skip("binary", `.${extension} file`);

  const absolute = path.join(context.root, file.path);
  let size: number;
  try {
    const info = await lstat(absolute);
    if (info.isSymbolicLink()) return await classifySymlink(absolute, context.root, skip);
    if (!info.isFile()) return skip("unreadable", "not a regular file");
    size = info.size;
  } catch (error) {
    return skip("unreadable", describeError(error));
  }
  if (size > context.maxFileBytes) return skip("too-large", `${formatBytes(size)}, over the ${formatBytes(context.maxFileBytes)} cap`);

  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    return skip("unreadable", describeError(error));
  }
  // The file may have grown since lstat.
  if (bytes.length > context.maxFileBytes)
    return skip("too-large", `${formatBytes(bytes.length)}, over the ${formatBytes(context.maxFileBytes)} cap`);
  if (looksBinary(bytes)) return skip("binary", "NUL byte in the first 8 kB");
  const text = decodeText(bytes);
  const header = generatedByHeader(text);
  if (header) return skip("generated", header);
  const minified = minifiedBecause(text);
  if (minified) return skip("minified", minified);
  return { kept: { path: file.path, language: detectLanguage(file.path, text.slice(0, 64 * 1024)), size: bytes.length } };
}

/**
 * A tracked symbolic link is never followed into the index: its target is either another tracked
 * file (scanned on its own) or outside the repository, where a link must not let the index read.
 */
async function classifySymlink(
  absolute: string,
  root: string,
  skip: (reason: SkipReason, detail: string) => Classification,
): Promise<Classification> {
  try {
    await stat(absolute);
  } catch (error) {
    return skip("unreadable", `dangling symbolic link (${describeError(error)})`);
  }
  const target = await realpath(absolute).catch(() => null);
  if (target === null) return skip("unreadable", "symbolic link that cannot be resolved");
  const inside = target === root || target.startsWith(root + path.sep);
  return skip("excluded", inside ? "symbolic link (its target is scanned on its own)" : "symbolic link to outside the repository");
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const known: Record<string, string> = {
    ENOENT: "missing from the work tree",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "a directory",
    ELOOP: "too many levels of symbolic links",
  };
  return code && known[code] ? `${known[code]} (${code})` : message;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}
