// The same work as XetHashBench with the official @huggingface/xetchunk-wasm: stream the file
// through its chunker, group chunks into xorbs (64 MiB or 8 192 chunks), hash each xorb and its
// verification term, then the file. Prints "<file hash> <chunks> <xorbs>". Uses the pinned
// @huggingface/xetchunk-wasm of conformance/.
import { createRequire } from "node:module";
import { openSync, readSync, closeSync } from "node:fs";
import { pathToFileURL } from "node:url";

const require = createRequire(new URL("../../conformance/package.json", import.meta.url));
const { createChunker, nextBlock, finalize, hashToHex, xorbHash, fileHash, verificationHash } = await import(
  pathToFileURL(require.resolve("@huggingface/xetchunk-wasm")).href
);

const fd = openSync(process.argv[2], "r");
const buffer = new Uint8Array(8 * 1024 * 1024);
const chunker = createChunker();
const chunks = [];
for (;;) {
  const n = readSync(fd, buffer, 0, buffer.length, null);
  if (n === 0) break;
  for (const c of nextBlock(chunker, buffer.subarray(0, n))) chunks.push(c);
}
closeSync(fd);
const last = finalize(chunker);
if (last) chunks.push(last);
let xorbs = 0;
for (let start = 0; start < chunks.length; ) {
  let end = start;
  let bytes = 0;
  while (end < chunks.length && end - start < 8192 && bytes + chunks[end].length <= 64 * 1024 * 1024) bytes += chunks[end++].length;
  const xorb = chunks.slice(start, end);
  xorbHash(xorb);
  verificationHash(xorb.map((c) => c.hash));
  xorbs++;
  start = end;
}
console.log(`${hashToHex(fileHash(chunks))} ${chunks.length} ${xorbs}`);
