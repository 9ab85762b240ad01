// Builds static/css/site.min.css: the Bootstrap rules our templates use, then ours.
// Deterministic: same inputs, same output. Run through `make assets`.
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
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
// Atkinson Hyperlegible Next, self-hosted: Fontsource's "latin" subset (Basic
// Latin, Latin-1 with the Spanish letters and marks, general punctuation), the
// two weights the styles use, woff2 only. Regular is preloaded in base.html.
const fontDir = "node_modules/@fontsource/atkinson-hyperlegible-next";
mkdirSync("static/fonts", { recursive: true });
let fontFaces = "";
for (const weight of [400, 700]) {
  const file = `atkinson-hyperlegible-next-latin-${weight}-normal.woff2`;
  copyFileSync(`${fontDir}/files/${file}`, `static/fonts/${file}`);
  const face = readFileSync(`${fontDir}/${weight}.css`, "utf8")
    .split("@font-face").find((block) => block.includes(`-latin-${weight}-normal.woff2`));
  const range = face.match(/unicode-range:\s*([^;]+);/)[1];
  fontFaces += `@font-face{font-family:"Atkinson Hyperlegible Next";font-style:normal;` +
    `font-weight:${weight};font-display:swap;src:url("../fonts/${file}") format("woff2");` +
    `unicode-range:${range}}`;
}
copyFileSync(`${fontDir}/LICENSE`, "static/fonts/OFL-LICENSE");

const site = readFileSync("assets/site.css", "utf8")
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\s*\n\s*/g, "")
  .replace(/\s*([{};,:])\s*/g, "$1");
writeFileSync("static/css/site.min.css", fontFaces + "\n" + result.css.replace(/\/\*# sourceMappingURL=.*\*\//, "") + "\n" + site + "\n");
copyFileSync("node_modules/bootstrap/LICENSE", "static/css/BOOTSTRAP-LICENSE");
console.log("static/css/site.min.css written");
