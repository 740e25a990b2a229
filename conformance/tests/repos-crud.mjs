// Repo CRUD and listings with the official client: createRepo (and its 409), repoExists, modelInfo,
// listModels / listDatasets across several pages (the xunit driver gives the hub a page size of 2),
// deleteRepo. Private repos stay out of anonymous listings.
import { createRepo, repoExists, deleteRepo, listModels, listDatasets, modelInfo } from "@huggingface/hub";
import { run, assert } from "../lib.mjs";

await run("repos-crud", async ({ hubUrl, accessToken, user }) => {
  const model = { type: "model", name: `${user}/crud-model` };
  const created = await createRepo({ repo: model, accessToken, hubUrl });
  assert.equal(created.repoUrl, `${hubUrl}/${user}/crud-model`);
  assert.match(created.id, /^[0-9a-f]{24}$/);
  await assert.rejects(createRepo({ repo: model, accessToken, hubUrl }), (e) => e.statusCode === 409 && /already created/.test(e.message));

  assert.equal(await repoExists({ repo: model, accessToken, hubUrl }), true);
  assert.equal(await repoExists({ repo: { type: "model", name: `${user}/does-not-exist` }, accessToken, hubUrl }), false);
  const info = await modelInfo({ name: model.name, accessToken, hubUrl });
  assert.equal(info.name, model.name);
  assert.equal(info.private, false);

  // trailing slash on hubUrl: the client then sends //api/... and must still work
  await createRepo({ repo: { type: "dataset", name: `${user}/crud-data-0` }, accessToken, hubUrl: hubUrl + "/" });
  for (let i = 1; i < 5; i++) {
    await createRepo({ repo: { type: "dataset", name: `${user}/crud-data-${i}` }, accessToken, hubUrl });
  }
  await createRepo({ repo: { type: "dataset", name: `${user}/crud-secret` }, accessToken, hubUrl, private: true });
  for (let i = 1; i < 4; i++) {
    await createRepo({ repo: { type: "model", name: `${user}/crud-model-${i}` }, accessToken, hubUrl });
  }

  const datasets = [];
  for await (const d of listDatasets({ search: { owner: user }, accessToken, hubUrl })) {
    datasets.push(d);
  }
  assert.equal(datasets.length, 6, `datasets: ${datasets.map((d) => d.name)}`);
  assert.ok(datasets.some((d) => d.name === `${user}/crud-secret` && d.private === true));
  assert.ok(datasets.every((d) => /^[0-9a-f]{24}$/.test(d.id) && d.updatedAt instanceof Date));

  const anonymous = [];
  for await (const d of listDatasets({ search: { owner: user }, hubUrl })) {
    anonymous.push(d.name);
  }
  assert.equal(anonymous.length, 5);
  assert.ok(!anonymous.includes(`${user}/crud-secret`));

  const models = [];
  for await (const m of listModels({ search: { owner: user }, accessToken, hubUrl })) {
    models.push(m.name);
  }
  assert.deepEqual(models.sort(), [`${user}/crud-model`, `${user}/crud-model-1`, `${user}/crud-model-2`, `${user}/crud-model-3`]);
  const limited = [];
  for await (const m of listModels({ search: { owner: user }, limit: 3, accessToken, hubUrl })) {
    limited.push(m.name);
  }
  assert.equal(limited.length, 3);

  await deleteRepo({ repo: model, accessToken, hubUrl });
  assert.equal(await repoExists({ repo: model, accessToken, hubUrl }), false);
  await assert.rejects(deleteRepo({ repo: model, accessToken, hubUrl }), (e) => e.statusCode === 404);
});
