import { defaultRepoConfig, describeConfigProblems, parseRepoConfig, REPO_CONFIG_PATH, RepoConfigError, type RepoConfig } from "../config/repo-config.js";
import type { Forge, RepoRef } from "../forge/forge.js";
import { isAllowed } from "./authorize.js";

export type Gate = { readonly kind: "go"; readonly config: RepoConfig } | { readonly kind: "stop" };

/**
 * The first steps of every job a comment or an event starts: read `.github/coder.yml` from the
 * default branch, and, for a comment, check the commenter may give commands, answer a refusal in
 * the words of the repository's own rules, and react 👀. A broken config is reported only to
 * someone allowed to act on it; any other failure (the forge down, a timeout) is thrown, so the
 * queue retries the job instead of recording a wrong answer.
 */
export async function passGate(forge: Forge, repo: RepoRef & { readonly defaultBranch: string }, comment: { readonly id: number; readonly author: string; readonly issueNumber: number } | null, what: string): Promise<Gate> {
  let config: RepoConfig = defaultRepoConfig;
  let problem: RepoConfigError | null = null;
  try {
    config = parseRepoConfig(await forge.getFile(repo, REPO_CONFIG_PATH, repo.defaultBranch));
  } catch (error) {
    if (!(error instanceof RepoConfigError)) throw error;
    problem = error;
  }
  if (comment) {
    if (!isAllowed(config.triggers, comment.author, await forge.getPermission(repo, comment.author))) {
      await forge.createComment(repo, comment.issueNumber, `Thanks for the request, @${comment.author}! I only take \`/coder\` commands from people with ${config.triggers.permissions.join(", ")} access to this repository, so I'll leave this one to a maintainer.`);
      return { kind: "stop" };
    }
    await forge.addReaction(repo, comment.id, "eyes");
  }
  if (problem) {
    if (comment) await forge.createComment(repo, comment.issueNumber, `I cannot ${what}: ${describeConfigProblems(problem)}`);
    return { kind: "stop" };
  }
  return { kind: "go", config };
}
