// Files uploaded by hfctl, read back by the official client: downloadFile, fileDownloadInfo, listFiles.
// CONFORMANCE_ARGS: {"repo": "user/name", "type": "model", "files": {"path": "<sha256 hex>"}}
import { createHash } from "node:crypto";
import { downloadFile, fileDownloadInfo, listFiles } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("interop-read", async ({ hubUrl, accessToken, extra }) => {
  const repo = { type: extra.type ?? "model", name: extra.repo };
  const listed = [];
  for await (const entry of listFiles({ repo, recursive: true, hubUrl, accessToken })) {
    if (entry.type === "file") listed.push(entry.path);
  }
  for (const [path, sha256] of Object.entries(extra.files)) {
    assert.ok(listed.includes(path), `listFiles lacks ${path}: ${listed.join(", ")}`);
    const blob = await downloadFile({ repo, path, hubUrl, accessToken });
    assert.ok(blob, `downloadFile returned nothing for ${path}`);
    const bytes = Buffer.from(await blob.arrayBuffer());
    assert.equal(createHash("sha256").update(bytes).digest("hex"), sha256, `content of ${path}`);
    const info = await fileDownloadInfo({ repo, path, hubUrl, accessToken });
    assert.equal(info.size, bytes.length, `fileDownloadInfo size of ${path}`);
  }
});
