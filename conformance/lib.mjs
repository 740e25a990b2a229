// Shared helpers for conformance scripts. Each script reads the local hub's address and a token
// from the environment, drives the official @huggingface/hub client, and exits non-zero with a
// one-line reason on the first mismatch. The xunit driver (tests/HfCtl.Tests/Conformance) runs them.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

export { assert };

export function env() {
  const hubUrl = process.env.HF_ENDPOINT;
  const accessToken = process.env.HF_TOKEN;
  if (!hubUrl || !accessToken) {
    throw new Error("HF_ENDPOINT and HF_TOKEN must be set");
  }
  return { hubUrl, accessToken, user: process.env.HF_USER, extra: process.env.CONFORMANCE_ARGS ? JSON.parse(process.env.CONFORMANCE_ARGS) : {} };
}

/** Runs a conformance script body; prints "ok <name>" or the failure and exits 1. */
export async function run(name, body) {
  try {
    await body(env());
    console.log(`ok ${name}`);
  } catch (error) {
    console.error(`FAIL ${name}: ${error?.stack ?? error}`);
    process.exit(1);
  }
}

/** Deterministic test bytes: the same size and seed give the same content in every script. */
export function bytes(size, seed) {
  const data = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

export const sha256 = (data) => createHash("sha256").update(data).digest("hex");
