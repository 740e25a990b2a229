// Files uploaded by the official client (uploadFiles: a regular file, an LFS file and a
// multipart-size LFS file), for hfctl to read back. The bytes are generated from a rule the
// C# side repeats: byte i = (i * 31 + seed) & 255.
// CONFORMANCE_ARGS: {"repo": "user/name", "type": "dataset", "files": {"path": [size, seed]}, "useXet": false}
import { uploadFiles } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("interop-write", async ({ hubUrl, accessToken, extra }) => {
  const repo = { type: extra.type ?? "model", name: extra.repo };
  const files = Object.entries(extra.files).map(([path, [size, seed]]) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 255;
    return { path, content: new Blob([bytes]) };
  });
  const result = await uploadFiles({ repo, files, hubUrl, accessToken, commitTitle: "Upload from @huggingface/hub", useXet: extra.useXet ?? false });
  assert.match(result.commit.oid, /^[0-9a-f]{40}$/);
  console.log(result.commit.oid);
});
