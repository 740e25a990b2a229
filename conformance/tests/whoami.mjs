// whoAmI against the local hub, with and without a trailing slash on hubUrl (the client then sends //api/...).
import { whoAmI } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("whoami", async ({ hubUrl, accessToken, user }) => {
  for (const url of [hubUrl, hubUrl + "/"]) {
    const me = await whoAmI({ hubUrl: url, accessToken });
    assert.equal(me.type, "user");
    assert.equal(me.name, user);
    assert.match(me.id, /^[0-9a-f]{24}$/);
    assert.equal(me.auth.type, "access_token");
    assert.equal(me.auth.accessToken.role, "write");
    assert.ok(me.auth.accessToken.createdAt instanceof Date && !isNaN(me.auth.accessToken.createdAt));
    assert.ok(Array.isArray(me.orgs));
  }
  await assert.rejects(
    whoAmI({ hubUrl, accessToken: "hf_" + "x".repeat(34) }),
    (e) => e.statusCode === 401 && /Invalid credentials/.test(e.message));
});
