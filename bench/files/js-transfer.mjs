// The official client's side of the benchmark: upload or download one file.
// usage: node js-transfer.mjs upload <repo> <local file> <path in repo>
//        node js-transfer.mjs download <repo> <path in repo> <local file>
// HF_ENDPOINT and HF_TOKEN give the hub. Uses the pinned @huggingface/hub of conformance/.
import { createRequire } from "node:module";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";

const require = createRequire(new URL("../../conformance/package.json", import.meta.url));
const hub = await import(pathToFileURL(require.resolve("@huggingface/hub")).href);
const [mode, name, a, b] = process.argv.slice(2);
const common = { repo: { type: "model", name }, hubUrl: process.env.HF_ENDPOINT, accessToken: process.env.HF_TOKEN };

if (mode === "upload") {
  await hub.uploadFile({ ...common, file: { path: b, content: pathToFileURL(a) }, useXet: false });
} else if (mode === "download") {
  const blob = await hub.downloadFile({ ...common, path: a });
  await pipeline(Readable.fromWeb(blob.stream()), createWriteStream(b));
} else {
  console.error("usage: js-transfer.mjs upload|download …");
  process.exit(2);
}
