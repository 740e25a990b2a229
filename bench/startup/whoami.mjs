// The Node counterpart of `hfctl auth whoami`: one whoAmI call with HF_ENDPOINT and HF_TOKEN.
import { hub } from "./hub.mjs";

const me = await hub.whoAmI({ hubUrl: process.env.HF_ENDPOINT, accessToken: process.env.HF_TOKEN });
console.log(`user: ${me.name}`);
