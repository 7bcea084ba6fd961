/**
 * Source text from a file's bytes. Invalid UTF-8 becomes U+FFFD instead of failing, because a
 * Latin-1 comment must not cost the whole file its place in the index; a leading byte-order mark
 * is dropped so that it never shows up in a chunk or its hash.
 *
 * @example decodeText(await readFile(path))
 */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
}
