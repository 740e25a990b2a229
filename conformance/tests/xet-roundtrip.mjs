// Xet with the official client: uploadFiles of several sizes to a Xet-enabled repo must go through
// Xet (the hub's counters show xorbs and a shard, no LFS PUT), listings carry xetHash, and
// downloadFile must come back through the client's Xet reconstruction (XetBlob: reconstruction +
// signed xorb ranges, not the resolve bridge), byte-exact, for whole files and slices. A second
// upload of the same bytes is deduplicated (a dedupe query, no new xorb). The xunit driver passes
// the hub's admin secret so the script can read /_localhub/xet.
import { createRepo, uploadFiles, listFiles, fileDownloadInfo, downloadFile } from "@huggingface/hub";
import { run, assert, bytes, sha256 } from "../lib.mjs";

await run("xet-roundtrip", async ({ hubUrl, accessToken, user, extra }) => {
  const stats = async () => {
    const response = await fetch(`${hubUrl}/_localhub/xet`, { headers: { "X-LocalHub-Admin": extra.admin } });
    assert.equal(response.status, 200);
    return response.json();
  };
  const repo = { type: "model", name: `${user}/xet-${extra.suffix}` };
  await createRepo({ repo, accessToken, hubUrl });

  // Several sizes: one byte, one chunk, a few chunks, many chunks, and a file that repeats itself.
  const half = bytes(1_500_000, 7);
  const repeated = new Uint8Array(3_000_000);
  repeated.set(half, 0);
  repeated.set(half, 1_500_000);
  const files = {
    "one.bin": bytes(1, 1),
    "small.bin": bytes(20_000, 2),
    "medium.bin": bytes(300_000, 3),
    "large.bin": bytes(3 * 1024 * 1024 + 17, 4),
    "repeated.bin": repeated,
  };
  const before = await stats();
  await uploadFiles({
    repo, accessToken, hubUrl,
    commitTitle: "Upload through Xet",
    files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
  });
  const afterUpload = await stats();
  assert.ok(afterUpload.xorbsStored > before.xorbsStored, `no xorb stored: ${JSON.stringify(afterUpload)}`);
  assert.ok(afterUpload.shardUploads > before.shardUploads, "no shard uploaded");
  assert.equal(afterUpload.filesRegistered - before.filesRegistered, Object.keys(files).length);
  assert.equal(afterUpload.lfsUploads, before.lfsUploads, "an LFS PUT was made instead of Xet");

  const listed = {};
  for await (const f of listFiles({ repo, accessToken, hubUrl })) {
    listed[f.path] = f;
  }
  for (const [path, content] of Object.entries(files)) {
    assert.equal(listed[path].lfs.oid, sha256(content), `${path}: lfs oid`);
    assert.match(listed[path].xetHash ?? "", /^[0-9a-f]{64}$/, `${path}: xetHash`);
  }

  for (const [path, content] of Object.entries(files)) {
    const info = await fileDownloadInfo({ repo, path, accessToken, hubUrl });
    assert.equal(info.size, content.length, `${path}: size`);
    assert.ok(info.xet, `${path}: no Xet info on resolve`);
    assert.equal(info.xet.hash, listed[path].xetHash);
    const blob = await downloadFile({ repo, path, accessToken, hubUrl });
    const got = new Uint8Array(await blob.arrayBuffer());
    assert.equal(got.length, content.length, `${path}: downloaded length`);
    assert.equal(sha256(got), sha256(content), `${path}: downloaded bytes`);
  }
  // Slices that cross chunk and term boundaries (and the repeated file's two halves).
  for (const [path, start, end] of [["large.bin", 60_000, 200_000], ["large.bin", 3 * 1024 * 1024, 3 * 1024 * 1024 + 17], ["repeated.bin", 1_400_000, 1_600_000], ["medium.bin", 0, 1]]) {
    const blob = await downloadFile({ repo, path, accessToken, hubUrl });
    const got = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    assert.equal(sha256(got), sha256(files[path].subarray(start, end)), `${path} [${start}, ${end})`);
  }
  const afterDownload = await stats();
  assert.ok(afterDownload.reconstructions > afterUpload.reconstructions, "no reconstruction was asked for");
  assert.ok(afterDownload.xorbRangeRequests > afterUpload.xorbRangeRequests, "no xorb range was fetched");
  assert.equal(afterDownload.bridgeDownloads, afterUpload.bridgeDownloads, "the client downloaded through the bridge, not Xet");

  // The same content in another repo: the batch asks for an upload, the client's dedupe query
  // finds the chunks in the CAS, and nothing new is stored.
  const other = { type: "model", name: `${user}/xet-${extra.suffix}-copy` };
  await createRepo({ repo: other, accessToken, hubUrl });
  await uploadFiles({ repo: other, accessToken, hubUrl, files: [{ path: "copy/large.bin", content: new Blob([files["large.bin"]]) }] });
  const afterCopy = await stats();
  assert.ok(afterCopy.dedupeQueries > afterDownload.dedupeQueries, "no dedupe query");
  assert.ok(afterCopy.shardUploads > afterDownload.shardUploads, "no shard for the copy");
  assert.equal(afterCopy.xorbsStored, afterDownload.xorbsStored, "the copy stored a new xorb");
  assert.equal(afterCopy.chunkBytesOnDisk, afterDownload.chunkBytesOnDisk, "the copy added chunk bytes on disk");
  assert.equal(afterCopy.lfsUploads, before.lfsUploads);
  const copy = await downloadFile({ repo: other, path: "copy/large.bin", accessToken, hubUrl });
  assert.equal(sha256(new Uint8Array(await copy.arrayBuffer())), sha256(files["large.bin"]));
});
