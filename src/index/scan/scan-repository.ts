import { realpath } from "node:fs/promises";
import type { ScanResult, ScannedFile, SkippedFile } from "../types.js";
import { classifyFile, type Classification } from "./classify-file.js";
import { makePathFilter } from "./path-filter.js";
import { trackedFiles } from "./tracked-files.js";

export interface ScanOptions {
  /** Globs a path must match to be scanned; empty or absent means every tracked file. */
  readonly include?: readonly string[];
  /** Globs that leave a path out. A pattern without a slash matches at any depth. */
  readonly exclude?: readonly string[];
  /** Files above this size are skipped as `too-large`. Default 1 MiB. */
  readonly maxFileBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Reads overlap with each other, not with the CPU work; a handful in flight is enough. */
const CONCURRENT_READS = 16;

/**
 * The files of a git work tree worth indexing, and every other tracked file with the reason it
 * was left out. Only tracked files are considered, so whatever .gitignore keeps out stays out.
 * Both lists keep git's (sorted) order. Throws `ScanError` only when `root` is not a work tree;
 * a single file that cannot be read is reported as skipped.
 *
 * @example
 * const { files, skipped } = await scanRepository("/work/repo", { exclude: ["docs"] });
 * console.log(`${files.length} files; ${summarizeSkipped(skipped)}`);
 */
export async function scanRepository(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const realRoot = await realpath(root);
  const tracked = await trackedFiles(realRoot);
  const context = {
    root: realRoot,
    filter: makePathFilter(options.include, options.exclude),
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
  const results = new Array<Classification>(tracked.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tracked.length; i = next++) {
      const file = tracked[i];
      if (!file) continue;
      results[i] = await classifyFile(file, context).catch((error: unknown): Classification => ({
        skipped: { path: file.path, reason: "unreadable", detail: String(error) },
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, tracked.length) }, worker));

  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const result of results) {
    if ("kept" in result) files.push(result.kept);
    else skipped.push(result.skipped);
  }
  return { files, skipped };
}
