// Creates N docker Spaces (no files: NO_APP_FILE, so nothing builds) in the token's namespace.
import { createRepo } from "@huggingface/hub";

const hubUrl = process.env.HF_ENDPOINT;
const accessToken = process.env.HF_TOKEN;
const user = process.env.HF_USER;
const count = Number(process.env.COUNT ?? 1000);
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    await createRepo({ hubUrl, accessToken, repo: { type: "space", name: `${user}/bench-${String(i).padStart(4, "0")}` }, sdk: "docker" });
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
console.log(`seeded ${count} Spaces`);
