/**
 * better-sqlite3 works synchronously; a store's promises still carry its errors as rejections, as
 * an async method's would, so a caller's `.catch` sees them.
 */
export function settled<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
