import picomatch from "picomatch";

export interface PathFilter {
  /** Why the path is left out (`not matched by include`, `matched exclude "docs/**"`), or null. */
  (path: string): string | null;
}

/**
 * Include and exclude globs with gitignore-like conveniences: a pattern without a slash matches a
 * name at any depth (`*.md`), a pattern matches everything below a directory it names
 * (`docs`, `docs/`), and dotfiles are ordinary files. An empty include list means everything.
 *
 * @example makePathFilter(["src/**"], ["**\/*.test.ts"])("src/a.test.ts") // 'matched exclude "**\/*.test.ts"'
 */
export function makePathFilter(include: readonly string[] = [], exclude: readonly string[] = []): PathFilter {
  const compile = (patterns: readonly string[]) =>
    patterns.map((pattern) => {
      const cleaned = pattern.replace(/^\.\//, "").replace(/\/+$/, "");
      // Decided here rather than by picomatch's `basename` option, which also applies it to
      // some patterns with a slash (`bin/*` would then never match `bin/tool`).
      return { pattern, test: picomatch(cleaned, { dot: true, basename: !cleaned.includes("/") }) };
    });
  const includes = compile(include);
  const excludes = compile(exclude);
  return (path) => {
    const candidates = selfAndAncestors(path);
    const hit = (rules: ReturnType<typeof compile>) => rules.find((rule) => candidates.some((candidate) => rule.test(candidate)));
    if (includes.length > 0 && !hit(includes)) return "not matched by include";
    const excluded = hit(excludes);
    return excluded ? `matched exclude "${excluded.pattern}"` : null;
  };
}

/** `a/b/c.ts` → `a/b/c.ts`, `a/b`, `a`: a pattern naming a directory covers what is inside. */
function selfAndAncestors(path: string): string[] {
  const parts = path.split("/");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("/"));
}
