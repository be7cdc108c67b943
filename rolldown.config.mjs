// The synth fast path: main.ts and everything it loads (cdktf, the provider classes it uses, zod, yaml)
// in one minified CommonJS file. Node 20 has no compile cache, so loading hundreds of small modules is
// most of a one-domain synth; one file cuts that (figures in the README, `npm run bench`).
import { defineConfig } from "rolldown";

export default defineConfig({
  input: "main.ts",
  platform: "node",
  logLevel: "warn",
  output: { file: "dist/ses-domains.cjs", format: "cjs", minify: true, sourcemap: true },
});
