import type { GitMemo } from "./git-memo.js";
import type { FakeGitHubState, RecordedRequest } from "./records.js";
import type { FakeGitHubOptions } from "./test-api.js";

export interface Counters {
  repo: number;
  issue: number;
  pull: number;
  review: number;
  reaction: number;
  reviewComment: number;
  comment: number;
  request: number;
}

export interface PendingFailure {
  status: number;
  message: string;
  times: number;
}

/** What one running fake shares between its handlers: settings, addresses, state and the request log. */
export interface FakeContext {
  readonly options: FakeGitHubOptions;
  readonly appId: number;
  readonly appSlug: string;
  readonly appOwner: string;
  readonly defaultInstallationId: number;
  readonly checkAuth: boolean;
  readonly botLogin: string;
  readonly appCreatedAt: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** `http://127.0.0.1:<port>/api/v3` */
  readonly apiBase: string;
  readonly state: FakeGitHubState;
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  readonly unimplemented: string[];
  /** Injected failures by operationId, oldest first. */
  readonly failures: Map<string, PendingFailure[]>;
  readonly counters: Counters;
  readonly git: GitMemo;
}
