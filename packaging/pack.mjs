/*
 * The service as one file: dist/src/cli/stratum1d.packed.js (what the unit runs) and
 * dist/sim/simd.packed.js (the same with the simulator's emulated parts, for the tests,
 * the simulator and the bench), each made from the compiled dist/ by esbuild.
 * Why: Node keeps a record, a namespace and a source string for each of the ~200 ES
 * modules it loads; one file whose comments and indentation are gone costs the service
 * ~2.5 MB less memory (docs/bench.md, "Footprint"). Nothing is renamed, so stack traces
 * keep the functions' names.
 * The native addons stay outside (ours from native/build, onoff's from node_modules,
 * both loaded when needed), and so do the CommonJS packages' own requires of Node's
 * modules, answered by a require made for the packed file.
 */
import { build } from "esbuild";

await build({
  entryPoints: ["dist/src/cli/stratum1d.js", "dist/sim/simd.js"],
  outbase: "dist",
  outdir: "dist",
  entryNames: "[dir]/[name].packed",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["onoff", "*.node"],
  minifyWhitespace: true,
  legalComments: "none",
  banner: { js: 'import { createRequire as packedRequire } from "node:module"; const require = packedRequire(import.meta.url);' },
  logLevel: "warning",
});
