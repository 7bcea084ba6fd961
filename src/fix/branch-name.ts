/**
 * `coder/issue-12-fix-the-parser` (`pr-12-…` on a pull request, `task-…` for a task typed on the
 * command line): readable, stable for one issue, safe as a ref name.
 */
export function branchFor(
  prefix: string,
  subject: { readonly number: number | null; readonly isPullRequest: boolean },
  title: string,
): string {
  const slug = title
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const kind = subject.number === null ? "task" : `${subject.isPullRequest ? "pr" : "issue"}-${subject.number}`;
  return `${prefix}${kind}${slug ? `-${slug}` : ""}`;
}

/** The n-th alternative when a branch is taken: `…-2`, `…-3`. */
export function suffixed(branch: string, n: number): string {
  return n <= 1 ? branch : `${branch}-${n}`;
}
