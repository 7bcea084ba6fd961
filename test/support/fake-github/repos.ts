import { pathToFileURL } from "node:url";
import type { FakeContext } from "./context.js";
import { fakeSha, nodeId, stableId, timestamp } from "./ids.js";
import { issuesOf, pullsOf, requireRepo } from "./lookups.js";
import type { RepoState } from "./records.js";
import type { Handlers } from "./routing.js";
import { repoKey } from "./strings.js";
import type { AddRepoOptions } from "./test-api.js";
import { userObject } from "./users.js";

const REPO_URL_TEMPLATES: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}",
  assignees_url: "/assignees{/user}",
  blobs_url: "/git/blobs{/sha}",
  branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}",
  comments_url: "/comments{/number}",
  commits_url: "/commits{/sha}",
  compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}",
  contributors_url: "/contributors",
  deployments_url: "/deployments",
  downloads_url: "/downloads",
  events_url: "/events",
  forks_url: "/forks",
  git_commits_url: "/git/commits{/sha}",
  git_refs_url: "/git/refs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}",
  issue_events_url: "/issues/events{/number}",
  issues_url: "/issues{/number}",
  keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}",
  languages_url: "/languages",
  merges_url: "/merges",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  pulls_url: "/pulls{/number}",
  releases_url: "/releases{/id}",
  stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  tags_url: "/tags",
  teams_url: "/teams",
  trees_url: "/git/trees{/sha}",
};

export function repoObject(fake: FakeContext, repo: RepoState): Record<string, unknown> {
  const { url, host } = fake;
  const repoUrl = `${fake.apiBase}/repos/${repo.fullName}`;
  const templated = Object.fromEntries(Object.entries(REPO_URL_TEMPLATES).map(([key, suffix]) => [key, `${repoUrl}${suffix}`]));
  const openIssues =
    issuesOf(fake.state, repo).filter((issue) => issue.state === "open").length +
    pullsOf(fake.state, repo).filter((pull) => pull.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: false,
    owner: userObject(fake, repo.owner),
    html_url: `${url}/${repo.fullName}`,
    description: null,
    fork: false,
    url: repoUrl,
    ...templated,
    git_url: `git://${host}/${repo.fullName}.git`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    clone_url: repo.cloneUrl,
    svn_url: `${url}/${repo.fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "public",
    license: null,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    allow_forking: true,
    web_commit_signoff_required: false,
  };
}

function fullRepoObject(fake: FakeContext, repo: RepoState): Record<string, unknown> {
  return { ...repoObject(fake, repo), network_count: 0, subscribers_count: 0, temp_clone_token: null };
}

/** A head repository the test did not register (a fork known only by name). */
export function foreignRepoObject(fake: FakeContext, fullName: string, cloneUrl: string): Record<string, unknown> {
  const [owner = "", name = ""] = fullName.split("/");
  const placeholder: RepoState = {
    id: stableId(fullName),
    owner,
    name,
    fullName,
    defaultBranch: "main",
    gitDir: undefined,
    cloneUrl,
    installationId: fake.defaultInstallationId,
    permissions: new Map(),
    protectedBranches: new Set(),
    files: new Map(),
    branches: new Map(),
    createdAt: fake.appCreatedAt,
  };
  return { ...repoObject(fake, placeholder), fork: true };
}

export const repoHandlers: Handlers = {
  "repos/get": (fake, { params }) => ({ status: 200, json: fullRepoObject(fake, requireRepo(fake.state, params)) }),
};

export function addRepo(fake: FakeContext, repoOptions: AddRepoOptions): RepoState {
  const { owner, repo: name } = repoOptions;
  const defaultBranch = repoOptions.defaultBranch ?? "main";
  const fullName = `${owner}/${name}`;
  const repo: RepoState = {
    id: fake.counters.repo++,
    owner,
    name,
    fullName,
    defaultBranch,
    gitDir: repoOptions.gitDir,
    cloneUrl:
      repoOptions.cloneUrl ?? (repoOptions.gitDir !== undefined ? pathToFileURL(repoOptions.gitDir).href : `${fake.url}/${fullName}.git`),
    installationId: repoOptions.installationId ?? fake.defaultInstallationId,
    permissions: new Map(Object.entries(repoOptions.permissions ?? {}).map(([login, permission]) => [login.toLowerCase(), permission])),
    protectedBranches: new Set(repoOptions.protectedBranches ?? []),
    files: new Map(),
    branches: new Map([[defaultBranch, fakeSha(`${fullName}:${defaultBranch}`)]]),
    createdAt: timestamp(),
  };
  fake.state.repos.set(repoKey(owner, name), repo);
  return repo;
}
