import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";

export class PathError extends Error {
  readonly reason: "outside-workspace" | "git-directory" | "invalid";
  constructor(reason: PathError["reason"], message: string) {
    super(message);
    this.name = "PathError";
    this.reason = reason;
  }
}

/**
 * Resolves a path the model gave, relative to the workspace root, and refuses anything that
 * ends up outside it, including through symbolic links, and anything inside `.git/`.
 */
export class PathGuard {
  readonly #root: string;
  #realRoot: string | undefined;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  async #rootReal(): Promise<string> {
    this.#realRoot ??= await realpath(this.#root);
    return this.#realRoot;
  }

  /** The absolute host path for `relative`, whose nearest existing ancestor is inside the workspace. */
  async resolve(relative: string, options: { write?: boolean } = {}): Promise<string> {
    if (typeof relative !== "string" || relative.includes("\0")) throw new PathError("invalid", "the path is not a valid file name");
    const root = await this.#rootReal();
    // The model sees the repository at /workspace (the container's mount point); accept that prefix.
    const cleaned = relative.replace(/^\/workspace(\/|$)/, "").replace(/^\/+/, "");
    const target = path.resolve(root, cleaned === "" ? "." : cleaned);
    const real = await realpathOfNearest(target);
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new PathError("outside-workspace", `"${relative}" is outside the repository; use a path relative to the repository root`);
    }
    const touchesGit = [real, target].some((p) => path.relative(root, p).split(path.sep)[0] === ".git");
    if (options.write && touchesGit) {
      throw new PathError("git-directory", "files under .git/ cannot be changed with file tools");
    }
    return real;
  }

  /** The path relative to the workspace root, as shown to the model. */
  async relative(absolute: string): Promise<string> {
    return path.relative(await this.#rootReal(), absolute) || ".";
  }
}

/**
 * realpath of the path, or of its nearest existing ancestor joined with the missing tail. A
 * dangling symbolic link on the way is followed to where it points, so that writing through it
 * is judged by its target, not by the link's own location.
 */
async function realpathOfNearest(target: string, depth = 0): Promise<string> {
  if (depth > 40) throw new PathError("invalid", "too many levels of symbolic links");
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : path.join(real, ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      const link = await lstat(current).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      if (link) {
        const pointsTo = path.resolve(path.dirname(current), await readlink(current));
        return realpathOfNearest(path.join(pointsTo, ...missing.reverse()), depth + 1);
      }
      const parent = path.dirname(current);
      if (parent === current) throw error;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}
