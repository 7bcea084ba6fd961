/**
 * What a job is about inside its repository. `/coder cancel` on an issue cancels the exclusive
 * jobs of `issue#N`; reviews, answers and index runs have subjects of their own, so cancelling a
 * fix never touches them.
 */
export function issueSubject(issueNumber: number): string {
  return `issue#${issueNumber}`;
}

export function askSubject(issueNumber: number): string {
  return `ask:${issueSubject(issueNumber)}`;
}

export function reviewSubject(number: number): string {
  return `review#${number}`;
}

/** One index job per repository waits at a time: a burst of merges is indexed once, at the newest head. */
export const indexSubject = "index";
