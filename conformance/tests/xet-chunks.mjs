// Chunk boundaries and every Xet hash of a list of files, computed by the official
// @huggingface/xetchunk-wasm, written as JSON for the xunit driver to compare with HfHub's.
// No hub needed. CONFORMANCE_ARGS: {"out": path, "key": hex, "files": [{"path", "ranges": [[start, end], ...]}]}
// (ranges are chunk-index ranges, end exclusive). Output per file: chunks [{hash, length}], fileHash,
// per range {xorbHash, verificationHash}, and per chunk the keyed hash under "key".
import { readFileSync, writeFileSync } from "node:fs";
import { getChunks, hashToHex, hexToBytes, xorbHash, fileHash, hmac, verificationHash } from "@huggingface/xetchunk-wasm";

try {
  const args = JSON.parse(process.env.CONFORMANCE_ARGS);
  const key = hexToBytes(args.key);
  const results = args.files.map(({ path, ranges }) => {
    const chunks = getChunks(new Uint8Array(readFileSync(path)));
    return {
      path,
      chunks: chunks.map((c) => ({ hash: hashToHex(c.hash), length: c.length })),
      fileHash: hashToHex(fileHash(chunks)),
      ranges: ranges.map(([start, end]) => {
        const slice = chunks.slice(start, end);
        return { start, end, xorbHash: hashToHex(xorbHash(slice)), verificationHash: hashToHex(verificationHash(slice.map((c) => c.hash))) };
      }),
      keyed: chunks.map((c) => hashToHex(hmac(c.hash, key))),
    };
  });
  writeFileSync(args.out, JSON.stringify(results));
  console.log(`ok xet-chunks ${results.length} files`);
} catch (error) {
  console.error(`FAIL xet-chunks: ${error?.stack ?? error}`);
  process.exit(1);
}
