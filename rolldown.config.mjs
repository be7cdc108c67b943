// The synth fast path: main.ts and everything it loads (cdktf, the provider classes it uses, zod, yaml)
// in one minified CommonJS file. Node 20 has no compile cache, so loading hundreds of small modules is
// most of a one-domain synth; one file cuts that (figures in the README, `npm run bench`).
import { defineConfig } from "rolldown";

/**
 * cdktf captures a full stack trace (Error.stackTraceLimit raised to the maximum) for every token it
 * creates, only to quote it if that token later fails to resolve. The app never prints those traces,
 * and at 1000 domains they are about 40% of the synth. In the bundle only, the capture returns an empty
 * trace; library users importing the modules keep cdktf as it is. A test proves the bundle writes
 * byte-identical output to the unbundled build.
 */
const noCreationStacks = {
  name: "cdktf-no-creation-stacks",
  load(id) {
    if (id.replace(/\\/g, "/").endsWith("/cdktf/lib/tokens/private/stack-trace.js")) {
      return '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.captureStackTrace = function captureStackTrace() { return []; };\n';
    }
    return null;
  },
};

export default defineConfig({
  input: "main.ts",
  platform: "node",
  logLevel: "warn",
  plugins: [noCreationStacks],
  output: { file: "dist/ses-domains.cjs", format: "cjs", minify: true, sourcemap: true },
});
