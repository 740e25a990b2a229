// The Node counterpart of `hfctl --version`: load the client library and print its version.
import { version } from "./hub.mjs";

console.log(`@huggingface/hub ${version}`);
