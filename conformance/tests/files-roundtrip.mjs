// Files with the official client: uploadFiles with a regular file, a basic-LFS file and a file big
// enough for multipart (the xunit driver gives the hub a small chunk size), then listFiles,
// listCommits, countCommits, pathsInfo, fileDownloadInfo, downloadFile, fileExists, deleteFile.
import { createHash } from "node:crypto";
import {
  createRepo, uploadFiles, listFiles, listCommits, countCommits, pathsInfo, fileDownloadInfo, downloadFile, fileExists, deleteFile,
} from "@huggingface/hub";
import { run, assert, bytes, sha256 } from "../lib.mjs";

const gitSha = (data) => createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

await run("files-roundtrip", async ({ hubUrl, accessToken, user, extra }) => {
  const repo = { type: extra.type ?? "dataset", name: `${user}/files-${extra.type ?? "dataset"}` };
  await createRepo({ repo, accessToken, hubUrl });

  const text = new TextEncoder().encode("hello from the official client\n");
  const small = bytes(20_000, 1);
  const large = bytes(extra.multipartSize, 2);
  const commit = await uploadFiles({
    repo, accessToken, hubUrl, useXet: false,
    commitTitle: "Add three files",
    files: [
      { path: "README.txt", content: new Blob([text]) },
      { path: "weights/small.bin", content: new Blob([small]) },
      { path: "weights/large.bin", content: new Blob([large]) },
    ],
  });
  assert.match(commit.commit.oid, /^[0-9a-f]{40}$/);
  assert.ok(commit.commit.url.startsWith(hubUrl));

  const files = [];
  for await (const f of listFiles({ repo, recursive: true, accessToken, hubUrl })) {
    files.push(f);
  }
  const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  assert.deepEqual(Object.keys(byPath).sort(), [".gitattributes", "README.txt", "weights", "weights/large.bin", "weights/small.bin"]);
  assert.equal(byPath["README.txt"].oid, gitSha(text));
  assert.equal(byPath["README.txt"].lfs, undefined);
  assert.equal(byPath["weights/small.bin"].lfs.oid, sha256(small));
  assert.equal(byPath["weights/large.bin"].lfs.oid, sha256(large));
  assert.equal(byPath["weights/large.bin"].size, large.length);
  assert.equal(byPath["weights"].type, "directory");

  const commits = [];
  for await (const c of listCommits({ repo, accessToken, hubUrl })) {
    commits.push(c);
  }
  assert.equal(commits.length, 2);
  assert.equal(commits[0].oid, commit.commit.oid);
  assert.equal(commits[0].title, "Add three files");
  assert.equal(commits[0].authors[0].username, user);
  assert.equal(await countCommits({ repo, accessToken, hubUrl }), 2);

  const infos = await pathsInfo({ repo, paths: ["README.txt", "weights/large.bin", "nope.txt"], expand: true, accessToken, hubUrl });
  assert.equal(infos.length, 2);
  assert.equal(infos.find((i) => i.path === "README.txt").lastCommit.id, commit.commit.oid);
  assert.ok(infos.every((i) => i.lastCommit.date instanceof Date && !isNaN(i.lastCommit.date)));

  const regularInfo = await fileDownloadInfo({ repo, path: "README.txt", accessToken, hubUrl });
  assert.equal(regularInfo.size, text.length);
  assert.equal(regularInfo.etag.replaceAll('"', ""), gitSha(text));
  const lfsInfo = await fileDownloadInfo({ repo, path: "weights/large.bin", accessToken, hubUrl });
  assert.equal(lfsInfo.size, large.length);
  assert.equal(lfsInfo.etag.replaceAll('"', ""), sha256(large));
  assert.equal(await fileDownloadInfo({ repo, path: "missing.bin", accessToken, hubUrl }), null);

  const downloadedText = await downloadFile({ repo, path: "README.txt", accessToken, hubUrl });
  assert.deepEqual(new Uint8Array(await downloadedText.arrayBuffer()), text);
  const downloadedLarge = await downloadFile({ repo, path: "weights/large.bin", accessToken, hubUrl });
  assert.equal(sha256(new Uint8Array(await downloadedLarge.arrayBuffer())), sha256(large));
  assert.equal(await downloadFile({ repo, path: "missing.bin", accessToken, hubUrl }), null);

  assert.equal(await fileExists({ repo, path: "weights/small.bin", accessToken, hubUrl }), true);
  assert.equal(await fileExists({ repo, path: "weights/none.bin", accessToken, hubUrl }), false);

  // the same content again: the LFS objects are known, so nothing is uploaded twice
  await uploadFiles({ repo, accessToken, hubUrl, useXet: false, files: [{ path: "copy/large.bin", content: new Blob([large]) }] });

  await deleteFile({ repo, path: "weights/small.bin", accessToken, hubUrl });
  assert.equal(await fileExists({ repo, path: "weights/small.bin", accessToken, hubUrl }), false);
  assert.equal(await countCommits({ repo, accessToken, hubUrl }), 4);
});
