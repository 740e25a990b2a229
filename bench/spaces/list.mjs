// The same listing as `hfctl spaces list --author U --all` with the official client: every Space
// of the author with its runtime (stage, hardware) and host, printed one per line.
import { listSpaces } from "@huggingface/hub";

const hubUrl = process.env.HF_ENDPOINT;
const accessToken = process.env.HF_TOKEN;
const lines = [];
for await (const s of listSpaces({ hubUrl, accessToken, search: { owner: process.env.HF_USER }, additionalFields: ["runtime", "host", "author", "subdomain", "createdAt"] })) {
  lines.push(`${s.name}\t${s.runtime?.stage}\t${s.runtime?.hardware?.current ?? s.runtime?.hardware?.requested}\t${s.host}`);
}
process.stdout.write(lines.join("\n") + "\n");
