import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The real diffs the diff layer is tested and benchmarked on: read from git and from node_modules. */

/**
 * Splits the output of `git cat-file --batch` for `count` requested objects into their contents;
 * null for a missing object.
 */
export function parseCatFileBatch(out: Buffer, count: number): (string | null)[] {
  const blobs: (string | null)[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString("utf8");
    at = eol + 1;
    if (header.endsWith(" missing")) {
      blobs.push(null);
      continue;
    }
    const size = Number(header.split(" ")[2]);
    blobs.push(out.subarray(at, at + size).toString("utf8"));
    at += size + 1;
  }
  return blobs;
}

/** Each file's hunk text exactly as git wrote it, without the final newline: GitHub's `patch`. */
export function rawPatches(diff: string): string[] {
  return diff
    .split(/^(?=diff --git )/m)
    .filter((section) => section.startsWith("diff --git "))
    .map((section) => {
      const start = section.search(/^@@/m);
      return start < 0 ? "" : section.slice(start).replace(/\n$/, "");
    });
}

export interface PackagePair {
  readonly name: string;
  /** Both relative to node_modules, the older version first. */
  readonly older: string;
  readonly newer: string;
  readonly olderVersion: string;
  readonly newerVersion: string;
}

/** Packages installed twice: each distinct nested version against the top-level copy. */
export function nestedPackagePairs(nodeModules: string): PackagePair[] {
  const version = (dir: string): string | null => {
    const file = path.join(nodeModules, dir, "package.json");
    return existsSync(file) ? ((JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? null) : null;
  };
  const names = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir).flatMap((n) =>
          n.startsWith("@") ? readdirSync(path.join(dir, n)).map((m) => `${n}/${m}`) : n.startsWith(".") ? [] : [n],
        )
      : [];
  const pairs: PackagePair[] = [];
  for (const owner of names(nodeModules)) {
    for (const name of names(path.join(nodeModules, owner, "node_modules"))) {
      const nested = `${owner}/node_modules/${name}`;
      const top = version(name);
      const inner = version(nested);
      if (!top || !inner || top === inner || pairs.some((p) => p.name === name && (p.olderVersion === inner || p.newerVersion === inner)))
        continue;
      // Older to newer, as an upgrade's pull request would show it; the nested copy may be either.
      const nestedIsOlder = compareVersions(inner, top) < 0;
      pairs.push(
        nestedIsOlder
          ? { name, older: nested, newer: name, olderVersion: inner, newerVersion: top }
          : { name, older: name, newer: nested, olderVersion: top, newerVersion: inner },
      );
    }
  }
  return pairs.sort((a, b) => a.name.localeCompare(b.name) || a.olderVersion.localeCompare(b.olderVersion));
}

/** Numeric comparison of `x.y.z` versions; pre-release tags are not needed here. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
