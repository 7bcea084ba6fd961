/** `coder/issue-12-fix-the-parser`: readable, stable for one issue, safe as a ref name. */
export function branchFor(prefix: string, kind: "issue" | "pr", number: number, title: string): string {
  const slug = title
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${prefix}${kind}-${number}${slug ? `-${slug}` : ""}`;
}

/** The n-th alternative when a branch is taken: `…-2`, `…-3`. */
export function suffixed(branch: string, n: number): string {
  return n <= 1 ? branch : `${branch}-${n}`;
}
