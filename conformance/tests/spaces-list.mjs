// listSpaces with the official client: author filter, search, runtime as an additional field,
// and pagination over more Spaces than one page (the driver makes the page size small).
import { listSpaces } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("spaces-list", async ({ hubUrl, accessToken, user, extra }) => {
  const all = [];
  for await (const space of listSpaces({ hubUrl, accessToken, search: { owner: user }, additionalFields: ["runtime", "author"] })) {
    all.push(space);
  }
  assert.equal(all.length, extra.count);
  assert.equal(new Set(all.map((s) => s.name)).size, extra.count);
  for (const space of all) {
    assert.ok(space.name.startsWith(`${user}/`), space.name);
    assert.match(space.id, /^[0-9a-f]{24}$/);
    assert.equal(space.sdk, "docker");
    assert.equal(space.author, user);
    assert.equal(typeof space.runtime.stage, "string");
    assert.ok("requested" in space.runtime.hardware);
  }
  assert.ok(all.some((s) => s.runtime.stage === "RUNNING"));

  const found = [];
  for await (const space of listSpaces({ hubUrl, accessToken, search: { owner: user, query: "list-007" } })) {
    found.push(space.name);
  }
  assert.deepEqual(found, [`${user}/list-007`]);
});
