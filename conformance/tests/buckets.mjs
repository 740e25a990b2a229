// Storage Buckets with the official client: createRepo of a bucket, uploadFiles into it (Xet only for
// buckets), listFiles with xetHash, downloadFile byte-exact, fileExists, deleteFile; then the file
// hfctl put in another bucket (named by the xunit driver) is read back byte-exact.
import { createRepo, uploadFiles, listFiles, downloadFile, fileExists, deleteFile } from "@huggingface/hub";
import { run, assert, bytes, sha256 } from "../lib.mjs";

await run("buckets", async ({ hubUrl, accessToken, user, extra }) => {
  const repo = { type: "bucket", name: `${user}/js-${extra.suffix}` };
  await createRepo({ repo, accessToken, hubUrl });
  const files = { "top.txt": new TextEncoder().encode("from js"), "dir/data.bin": bytes(300_000, 9) };
  await uploadFiles({
    repo, accessToken, hubUrl,
    files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
  });

  const listed = {};
  for await (const f of listFiles({ repo, accessToken, hubUrl, recursive: true })) {
    if (f.type === "file") {
      listed[f.path] = f;
    }
  }
  assert.deepEqual(Object.keys(listed).sort(), ["dir/data.bin", "top.txt"]);
  for (const [path, content] of Object.entries(files)) {
    assert.equal(listed[path].size, content.length, `size of ${path}`);
    assert.match(listed[path].xetHash ?? "", /^[0-9a-f]{64}$/, `xetHash of ${path}`);
    const blob = await downloadFile({ repo, path, accessToken, hubUrl });
    assert.ok(blob, `download of ${path}`);
    assert.equal(sha256(new Uint8Array(await blob.arrayBuffer())), sha256(content), `bytes of ${path}`);
  }
  assert.equal(await fileExists({ repo, path: "top.txt", accessToken, hubUrl }), true);
  assert.equal(await fileExists({ repo, path: "absent.txt", accessToken, hubUrl }), false);
  await deleteFile({ repo, path: "top.txt", accessToken, hubUrl });
  assert.equal(await fileExists({ repo, path: "top.txt", accessToken, hubUrl }), false, "deleted file still there");

  // What hfctl wrote.
  const seeded = { type: "bucket", name: extra.seeded };
  const blob = await downloadFile({ repo: seeded, path: extra.path, accessToken, hubUrl });
  assert.ok(blob, "download of hfctl's file");
  assert.equal(sha256(new Uint8Array(await blob.arrayBuffer())), extra.sha256, "bytes hfctl wrote");
  console.log(`js bucket ${repo.name}`);
  console.log(`js sha256 ${sha256(files["dir/data.bin"])}`);
});
