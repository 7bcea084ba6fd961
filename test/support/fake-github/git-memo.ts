import { diffFiles, type DiffFile } from "./diff.js";
import { git } from "./git.js";

export interface GitMemo {
  gitOnce(gitDir: string, args: string[]): Promise<string | null>;
  isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean>;
  diffOnce(gitDir: string, from: string, to: string): Promise<DiffFile[]>;
}

/**
 * Answers about fixed commits (merge bases, ancestry, diffs) never change, and reviews ask them
 * again and again, so each is computed once. Failures are not kept: the commit may arrive later.
 */
export function createGitMemo(): GitMemo {
  const settled = new Map<string, Promise<unknown>>();
  function once<T>(key: string, compute: () => Promise<T | null>): Promise<T | null> {
    const known = settled.get(key) as Promise<T | null> | undefined;
    if (known !== undefined) return known;
    const pending = compute();
    settled.set(key, pending);
    const forget = () => void settled.delete(key);
    void pending.then((value) => (value === null ? forget() : undefined), forget);
    return pending;
  }
  const gitOnce = (gitDir: string, args: string[]) => once(`git\0${gitDir}\0${args.join("\0")}`, () => git(gitDir, args));
  const isAncestor = async (gitDir: string, ancestor: string, descendant: string) =>
    (await once(`ancestor\0${gitDir}\0${ancestor}\0${descendant}`, async () =>
      (await git(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant])) !== null ? "yes" : "no",
    )) === "yes";
  const diffOnce = (gitDir: string, from: string, to: string) =>
    once(`diff\0${gitDir}\0${from}\0${to}`, () => diffFiles(gitDir, from, to)) as Promise<DiffFile[]>;
  return { gitOnce, isAncestor, diffOnce };
}
