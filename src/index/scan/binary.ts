/**
 * Extensions whose files are never text worth indexing. Checked before reading, so a 900 kB
 * image costs no read; anything not listed still gets the NUL-byte test.
 */
const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(
  [
    // images
    "png jpg jpeg gif bmp ico icns webp tif tiff psd avif heic xcf",
    // fonts
    "woff woff2 ttf otf eot",
    // archives and packages
    "zip gz tgz bz2 xz zst 7z rar tar jar war ear aar apk ipa deb rpm dmg iso whl egg crx vsix nupkg",
    // compiled code and native libraries
    "exe dll so dylib o obj a lib class pyc pyo pyd wasm node bin elf beam",
    // media
    "mp3 mp4 m4a m4v wav ogg oga flac aac avi mov mkv webm wmv flv mpg mpeg",
    // documents
    "pdf doc docx xls xlsx ppt pptx odt ods odp",
    // databases, models and data blobs
    "sqlite sqlite3 db mdb gguf onnx pt pth ckpt safetensors npy npz pkl pickle parquet feather arrow h5 hdf5 tflite pb",
    // other
    "dat swf fla blend fbx glb lockb keystore jks p12 pfx der",
  ]
    .join(" ")
    .split(" "),
);

/**
 * The lower-cased extension when it marks a binary format (`png`), or null.
 *
 * @example binaryExtension("logo.PNG") // "png"
 */
export function binaryExtension(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  const extension = name.slice(dot + 1).toLowerCase();
  return BINARY_EXTENSIONS.has(extension) ? extension : null;
}

/** How much of a file's head the NUL-byte test reads; git's own binary check uses the same 8 kB. */
export const BINARY_SNIFF_BYTES = 8000;

/** True when the head holds a NUL byte, which text in any encoding we index never contains. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, BINARY_SNIFF_BYTES);
  return head.includes(0);
}
