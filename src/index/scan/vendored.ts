/**
 * Directories that hold other people's code checked into the repository. linguist-languages
 * ships only language data, not Linguist's vendor.yml, so this is a curated subset of that list:
 * package-manager trees and the directory names projects use for copied-in dependencies. It
 * leaves out the entries that catch a project's own code as often as vendored code (`dist/`,
 * `external/`, `lib/`); a minified bundle in `dist/` is caught by the minified check instead.
 */
const VENDORED_DIRECTORIES: readonly RegExp[] = [
  /(^|\/)node_modules\//,
  /(^|\/)bower_components\//,
  /(^|\/)jspm_packages\//,
  /(^|\/)web_modules\//,
  /(^|\/)vendors?\//,
  /(^|\/)third[-_]?party\//i,
  /(^|\/)3rd[-_]?party\//i,
  /(^|\/)\.yarn\/(releases|plugins|sdks|cache|unplugged)\//,
  /(^|\/)\.pnpm-store\//,
  /(^|\/)Pods\//,
  /(^|\/)Carthage\/(Build|Checkouts)\//,
  /(^|\/)Godeps\/_workspace\//,
  /(^|\/)\.?venv\//,
  /(^|\/)site-packages\//,
  /(^|\/)\.bundle\//,
];

/** Single files a package manager writes next to the code (Yarn Plug'n'Play loaders). */
const VENDORED_FILES: readonly RegExp[] = [/(^|\/)\.pnp\.(c?js|loader\.mjs)$/];

/**
 * The vendored directory a path lies in (`node_modules/`), or null.
 *
 * @example vendoredBy("web/vendor/jquery.js") // "vendor/"
 */
export function vendoredBy(path: string): string | null {
  for (const pattern of VENDORED_DIRECTORIES) {
    const match = pattern.exec(path);
    if (match) return match[0].replace(/^\//, "");
  }
  for (const pattern of VENDORED_FILES) if (pattern.test(path)) return path.slice(path.lastIndexOf("/") + 1);
  return null;
}
