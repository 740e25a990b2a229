// Shared helpers for conformance scripts. Each script reads the local hub's address and a token
// from the environment, drives the official @huggingface/hub client, and exits non-zero with a
// one-line reason on the first mismatch. The xunit driver (tests/HfCtl.Tests/Conformance) runs them.
import assert from "node:assert/strict";

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
