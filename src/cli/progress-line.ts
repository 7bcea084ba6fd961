import type { IndexProgress } from "../index/indexer.js";

/**
 * One line of indexing progress: files, chunks, embeddings, rate and time left. On a terminal it
 * redraws in place; in a log it prints at most every few seconds.
 */
export function progressLine(stream: NodeJS.WriteStream): (p: IndexProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const final = p.phase === "done";
    if (!stream.isTTY && !final && now - last < 5_000) return;
    last = now;
    const seconds = p.elapsedMs / 1000;
    const rate = seconds > 0 ? p.filesDone / seconds : 0;
    const left = rate > 0 ? (p.filesTotal - p.filesDone) / rate : 0;
    const width = 24;
    const filled = p.filesTotal > 0 ? Math.round((p.filesDone / p.filesTotal) * width) : 0;
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const text =
      p.phase === "scan"
        ? "scanning files…"
        : `${bar} ${p.filesDone}/${p.filesTotal} files, ${p.chunks} chunks, ${p.embedded} embedded, ${rate.toFixed(1)} files/s, ${final ? `${seconds.toFixed(1)} s` : `ETA ${formatSeconds(left)}`}`;
    stream.write(stream.isTTY ? `\r\x1b[2K${text}${final ? "\n" : ""}` : `${text}\n`);
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.ceil(seconds - minutes * 60)} s`;
}
