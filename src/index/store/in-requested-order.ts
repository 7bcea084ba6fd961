/** `ids` order, each once, skipping the ones not found. */
export function inRequestedOrder<T extends { readonly id: string }>(ids: readonly string[], found: Iterable<T>): T[] {
  const byId = new Map<string, T>();
  for (const item of found) byId.set(item.id, item);
  const result: T[] = [];
  for (const id of new Set(ids)) {
    const item = byId.get(id);
    if (item !== undefined) result.push(item);
  }
  return result;
}
