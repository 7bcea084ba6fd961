import { z } from "zod";
import { forgeAddressSchema } from "./forge-address.js";
import type { PullRequestInfo, RepoRef } from "./forge.js";

/** A repository as events and jobs name it: where it lives, its coordinates, how to clone it. */
export const repositorySchema = z.object({
  address: forgeAddressSchema,
  owner: z.string().min(1),
  repo: z.string().min(1),
  /** Empty when the delivery named none; jobs that clone require it when they are queued. */
  cloneUrl: z.string(),
  defaultBranch: z.string().min(1),
});

export type Repository = z.infer<typeof repositorySchema>;

/**
 * The key jobs, mirrors, reviews and the code index file a repository under. GitHub's keys are
 * `owner/repo` in lower case (GitHub's names are case-insensitive), as they have always been, so
 * state written before stays valid; other forges' keys carry the forge's name, so a repository of
 * the same name on two forges never shares a mirror, an index or a review history.
 */
export function repoKeyOf(repository: Pick<Repository, "address" | "owner" | "repo">): string {
  const name = `${repository.owner}/${repository.repo}`.toLowerCase();
  return repository.address.forge === "github" ? name : `${repository.address.forge}:${name}`;
}

/** `owner/repo` as people write it. */
export function fullNameOf(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`;
}

/** Whether a pull request's head branch lives in this repository (not in a fork, nor in a deleted one). */
export function headIsInRepository(pr: PullRequestInfo, repo: RepoRef): boolean {
  return pr.head.repoFullName?.toLowerCase() === fullNameOf(repo).toLowerCase();
}
