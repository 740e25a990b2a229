// createRepo of a Space with the official client: static by default, docker with files, and the
// 409 of an existing Space. Then spaceInfo sees what was created.
import { createRepo, spaceInfo } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("spaces-create", async ({ hubUrl, accessToken, user }) => {
  const name = `${user}/conformance-static`;
  const created = await createRepo({ hubUrl, accessToken, repo: { type: "space", name } });
  assert.match(created.repoUrl, new RegExp(`/spaces/${name}$`));
  assert.match(created.id, /^[0-9a-f]{24}$/);
  const info = await spaceInfo({ hubUrl, accessToken, name });
  assert.equal(info.sdk, "static");
  assert.equal(info.name, name);
  assert.equal(info.private, false);

  const docker = `${user}/conformance-docker`;
  const dockerfile = new TextEncoder().encode("FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n");
  await createRepo({ hubUrl, accessToken, repo: { type: "space", name: docker }, sdk: "docker", private: true, files: [{ path: "Dockerfile", content: dockerfile }] });
  const dockerInfo = await spaceInfo({ hubUrl, accessToken, name: docker, additionalFields: ["runtime"] });
  assert.equal(dockerInfo.sdk, "docker");
  assert.equal(dockerInfo.private, true);
  assert.ok(["BUILDING", "APP_STARTING", "RUNNING"].includes(dockerInfo.runtime.stage), dockerInfo.runtime.stage);

  await assert.rejects(
    createRepo({ hubUrl, accessToken, repo: { type: "space", name }, sdk: "static" }),
    (e) => e.statusCode === 409 && /already created/.test(e.message));
});
