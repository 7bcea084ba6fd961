import type { GitMemo } from "../fake-github/git-memo.js";
import type { FakeGiteaState, RecordedRequest } from "./records.js";
import type { FakeGiteaOptions } from "./test-api.js";

export interface Counters {
  user: number;
  repo: number;
  issue: number;
  pull: number;
  review: number;
  reaction: number;
  /** Issue comments, review timeline entries and code comments share one table in Gitea, and so one sequence. */
  comment: number;
}

export interface PendingFailure {
  status: number;
  message: string;
  times: number;
}

/** What one running fake shares between its handlers: settings, addresses, state and the request log. */
export interface FakeContext {
  readonly options: FakeGiteaOptions;
  readonly botLogin: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api/v1` */
  readonly apiBase: string;
  readonly state: FakeGiteaState;
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  readonly unimplemented: string[];
  /** Injected failures by operationId, oldest first. */
  readonly failures: Map<string, PendingFailure[]>;
  readonly counters: Counters;
  readonly git: GitMemo;
}
