/** A repository's web address from its clone URL: `https://host/owner/repo.git` → `https://host/owner/repo`. */
export function webUrlOf(cloneUrl: string): string {
  return cloneUrl.replace(/\.git$/, "");
}

/** A file path as a URL path: each segment encoded, the slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
