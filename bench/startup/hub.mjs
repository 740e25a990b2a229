// Loads @huggingface/hub from conformance/node_modules (the pinned version), wherever this script runs from.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const require = createRequire(new URL("../../conformance/package.json", import.meta.url));
const entry = require.resolve("@huggingface/hub");
export const hub = await import(pathToFileURL(entry).href);
export const version = JSON.parse(readFileSync(new URL("../../conformance/node_modules/@huggingface/hub/package.json", import.meta.url))).version;
