/**
 * Gitea marks a draft pull request by its title: `WIP:` or `[WIP]` in front (its default
 * `WORK_IN_PROGRESS_PREFIXES`, matched regardless of case).
 */
export const WIP_PREFIX = /^\s*(?:WIP:|\[WIP\])/i;

export function isWorkInProgress(title: string): boolean {
  return WIP_PREFIX.test(title);
}
