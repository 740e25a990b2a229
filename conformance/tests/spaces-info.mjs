// spaceInfo with additionalFields ["runtime"] (and host/subdomain) for a Space the driver prepared.
import { spaceInfo } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("spaces-info", async ({ hubUrl, accessToken, extra }) => {
  const info = await spaceInfo({ hubUrl, accessToken, name: extra.space, additionalFields: ["runtime", "subdomain", "host", "author"] });
  assert.equal(info.name, extra.space);
  assert.match(info.id, /^[0-9a-f]{24}$/);
  assert.equal(info.sdk, "docker");
  assert.ok(info.updatedAt instanceof Date && !isNaN(info.updatedAt));
  assert.equal(info.runtime.stage, "RUNNING");
  assert.equal(info.runtime.hardware.current, "cpu-basic");
  assert.equal(info.runtime.hardware.requested, "cpu-basic");
  assert.equal(info.subdomain, extra.subdomain);
  assert.equal(info.host, extra.host);
  assert.equal(info.author, extra.space.split("/")[0]);

  // With a revision too (the client always sends one; HEAD by default).
  const atMain = await spaceInfo({ hubUrl, accessToken, name: extra.space, revision: "main" });
  assert.equal(atMain.name, extra.space);

  await assert.rejects(
    spaceInfo({ hubUrl, accessToken, name: `${extra.space}-missing` }),
    (e) => e.statusCode === 404);
});
