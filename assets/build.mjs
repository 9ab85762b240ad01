// Builds static/css/site.min.css: the Bootstrap rules our templates use, then ours.
// Deterministic: same inputs, same output. Run through `make assets`.
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const bootstrap = "node_modules/bootstrap/dist/css/bootstrap.min.css";
const [result] = await new PurgeCSS().purge({
  content: [
    "templates/**/*.html",
    "pages/**/*.py",
    "locations/**/*.py",
    "consultations/**/*.py",
    "static/js/**/*.js",
  ],
  css: [bootstrap],
  variables: true,
  keyframes: true,
  safelist: {
    // crispy-bootstrap5 renders these from its own templates, outside our tree.
    standard: [/^form-/, /^is-(in)?valid$/, /(in)?valid-feedback/, /^col-/, /^mb-/, /^mt-/,
      /^btn/, /^alert/, /^visually-hidden/, /^text-/, /^invalid/, /^was-validated/, /^row$/,
      /^g-/, /^table/, /^badge/, /^card/, /^fw-/, /^small$/, /^lead$/, /^h[1-6]$/, /^d-/],
  },
});
// Atkinson Hyperlegible Next, self-hosted: scripts/subset_fonts.py (run first
// by `make assets`) writes the subset woff2 files and their @font-face rules.
const fontFaces = readFileSync("assets/fonts.css", "utf8").replace(/\/\*[\s\S]*?\*\/\s*/g, "").replace(/\n/g, "");
copyFileSync("node_modules/@fontsource/atkinson-hyperlegible-next/LICENSE", "static/fonts/OFL-LICENSE");

const site = readFileSync("assets/site.css", "utf8")
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\s*\n\s*/g, "")
  .replace(/\s*([{};,:])\s*/g, "$1");
writeFileSync("static/css/site.min.css", fontFaces + "\n" + result.css.replace(/\/\*# sourceMappingURL=.*\*\//, "") + "\n" + site + "\n");
copyFileSync("node_modules/bootstrap/LICENSE", "static/css/BOOTSTRAP-LICENSE");
console.log("static/css/site.min.css written");
