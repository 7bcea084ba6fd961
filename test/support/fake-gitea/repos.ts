import { repoKey } from "../fake-github/strings.js";
import { accessMode, permissionsObject } from "./access.js";
import type { FakeContext } from "./context.js";
import { timestamp } from "./ids.js";
import { issuesOf, pullsOf, requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import type { Handlers } from "./routing.js";
import type { AddRepoOptions } from "./test-api.js";
import { ensureUser, userObject } from "./users.js";

export function repoHtmlUrl(fake: FakeContext, repo: RepoState): string {
  return `${fake.url}/${repo.fullName}`;
}

export function repoApiUrl(fake: FakeContext, repo: RepoState): string {
  return `${fake.apiBase}/repos/${repo.fullName}`;
}

/**
 * A Repository as `convert.ToRepo` renders it for `doer`. Pointer fields Gitea leaves out when
 * nil (`parent`, `external_tracker`, `external_wiki`, `repo_transfer`) are left out here too.
 */
export function repoObject(fake: FakeContext, repo: RepoState, doer: string): Record<string, unknown> {
  const openIssues = issuesOf(fake.state, repo).filter((issue) => issue.state === "open").length;
  const openPulls = pullsOf(fake.state, repo).filter((pull) => pull.state === "open").length;
  return {
    id: repo.id,
    owner: userObject(fake, repo.owner),
    name: repo.name,
    full_name: repo.fullName,
    description: "",
    empty: false,
    private: false,
    fork: false,
    template: false,
    mirror: false,
    size: 0,
    language: "",
    languages_url: `${repoApiUrl(fake, repo)}/languages`,
    html_url: repoHtmlUrl(fake, repo),
    url: repoApiUrl(fake, repo),
    link: "",
    ssh_url: `ssh://git@127.0.0.1:2222/${repo.fullName}.git`,
    clone_url: repo.cloneUrl,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: openIssues,
    open_pr_counter: openPulls,
    release_counter: 0,
    default_branch: repo.defaultBranch,
    archived: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    archived_at: "1970-01-01T00:00:00Z",
    permissions: permissionsObject(accessMode(fake, repo, doer)),
    has_issues: true,
    internal_tracker: { enable_time_tracker: true, allow_only_contributors_to_track_time: true, enable_issue_dependencies: true },
    has_wiki: true,
    has_pull_requests: true,
    has_projects: true,
    projects_mode: "all",
    has_releases: true,
    has_packages: true,
    has_actions: false,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: true,
    allow_rebase_update: true,
    default_delete_branch_after_merge: false,
    default_merge_style: "merge",
    default_allow_maintainer_edit: false,
    avatar_url: "",
    internal: false,
    mirror_interval: "",
    object_format_name: "sha1",
    mirror_updated: "0001-01-01T00:00:00Z",
  };
}

export const repoHandlers: Handlers = {
  repoGet: (fake, { params, doer }) => ({ status: 200, json: repoObject(fake, requireRepo(fake, params), doer) }),
};

export function addRepo(fake: FakeContext, options: AddRepoOptions): RepoState {
  const key = repoKey(options.owner, options.repo);
  if (fake.state.repos.has(key)) throw new Error(`fake Gitea: ${options.owner}/${options.repo} was already added`);
  ensureUser(fake, options.owner);
  const permissions = new Map(Object.entries(options.permissions ?? {}).map(([login, mode]) => [login.toLowerCase(), mode]));
  for (const login of Object.keys(options.permissions ?? {})) ensureUser(fake, login);
  // The bot needs write access to comment, push and review; admin only when the test says so.
  if (!permissions.has(fake.botLogin.toLowerCase()))
    permissions.set(fake.botLogin.toLowerCase(), fake.options.botIsRepoAdmin ? "admin" : "write");
  const repo: RepoState = {
    id: fake.counters.repo++,
    owner: options.owner,
    name: options.repo,
    fullName: `${options.owner}/${options.repo}`,
    defaultBranch: options.defaultBranch ?? "main",
    gitDir: options.gitDir,
    cloneUrl: options.cloneUrl,
    permissions,
    protectedBranches: new Set(options.protectedBranches ?? []),
    createdAt: timestamp(),
  };
  fake.state.repos.set(key, repo);
  return repo;
}
