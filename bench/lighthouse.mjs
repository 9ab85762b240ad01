// Lighthouse (default mobile preset: Moto G Power screen, simulated slow 4G and
// 4x CPU slowdown) on every public page, plus the two page states Lighthouse
// cannot reach by URL: the consultation form after an empty POST (the error
// page) and the thank-you page after a valid POST. For those, the same Chromium
// tab first loads the form, then Lighthouse records the navigation that the
// form submission starts, with the HTTP cache cleared first so every page is
// measured cold.
//
//   node bench/lighthouse.mjs BASE_URL RAW_DIR SUMMARY.json PATH...
import { readFileSync, writeFileSync } from "node:fs";
import { navigation } from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";
import puppeteer from "puppeteer-core";

const [base, rawDir, summaryPath, ...paths] = process.argv.slice(2);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const FLAGS = { onlyCategories: CATEGORIES, logLevel: "error", output: "json" };
// Lighthouse's advice for noisy machines: several runs, keep the median one.
const RUNS = Number(process.env.BENCH_LH_RUNS || 3);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});

function summarize(name, lhr, html) {
  const audits = lhr.audits;
  const requests = audits["network-requests"].details.items.filter(
    (r) => !r.url.startsWith("data:"));
  const byType = {};
  for (const r of requests) {
    const t = r.resourceType || "Other";
    byType[t] = byType[t] || { requests: 0, bytes: 0 };
    byType[t].requests += 1;
    byType[t].bytes += r.transferSize || 0;
  }
  const failing = [];
  for (const cat of CATEGORIES) {
    for (const ref of lhr.categories[cat].auditRefs) {
      const a = audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1) {
        failing.push(`${cat}:${ref.id}=${a.score}`);
      }
    }
  }
  return {
    name,
    url: lhr.finalDisplayedUrl,
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(lhr.categories[c].score * 100)])),
    metrics: {
      fcp_ms: Math.round(audits["first-contentful-paint"].numericValue),
      lcp_ms: Math.round(audits["largest-contentful-paint"].numericValue),
      tbt_ms: Math.round(audits["total-blocking-time"].numericValue),
      cls: Number(audits["cumulative-layout-shift"].numericValue.toFixed(3)),
      si_ms: Math.round(audits["speed-index"].numericValue),
    },
    first_view: {
      requests: requests.length,
      transfer_bytes: requests.reduce((sum, r) => sum + (r.transferSize || 0), 0),
      by_type: byType,
      render_blocking: renderBlocking(html),
    },
    failing_audits: failing,
  };
}

// Render-blocking requests, read from the document's <head>: stylesheets
// without a non-matching media query, and scripts without defer/async/module.
function renderBlocking(html) {
  const head = (html.match(/<head[\s\S]*?<\/head>/i) || [""])[0];
  const blocking = [];
  for (const tag of head.match(/<link\b[^>]*>/gi) || []) {
    if (/rel="?stylesheet/i.test(tag) && !/media="?print/i.test(tag)) {
      blocking.push((tag.match(/href="([^"]+)"/) || [])[1]);
    }
  }
  for (const tag of head.match(/<script\b[^>]*>/gi) || []) {
    if (/\bsrc=/i.test(tag) && !/\b(defer|async)\b|type="?module/i.test(tag)) {
      blocking.push((tag.match(/src="([^"]+)"/) || [])[1]);
    }
  }
  return blocking;
}

async function measure(name, page, requestor, flags = {}) {
  // The document as served. (After the run, the tab may show something else:
  // Lighthouse's back/forward-cache check leaves a POST result page.)
  let documentText = null;
  const onResponse = (response) => {
    const request = response.request();
    if (documentText === null && request.isNavigationRequest()
        && request.frame() === page.mainFrame() && response.status() === 200) {
      documentText = response.text().catch(() => null);
    }
  };
  page.on("response", onResponse);
  const result = await navigation(page, requestor, { flags: { ...FLAGS, ...flags } });
  page.off("response", onResponse);
  if (result.lhr.runtimeError) {
    throw new Error(`${name}: ${result.lhr.runtimeError.code}`);
  }
  const html = (await documentText) || await page.content();
  writeFileSync(`${rawDir}/${name}.html`, html);
  return { lhr: result.lhr, report: result.report, html };
}

async function measureMedian(name, steps) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await withRetries(name, steps));
  const median = computeMedianRun(runs.map((r) => r.lhr));
  const run = runs.find((r) => r.lhr === median);
  writeFileSync(`${rawDir}/${name}.json`, run.report);
  const summary = summarize(name, run.lhr, run.html);
  summary.performance_per_run = runs.map((r) => Math.round(r.lhr.categories.performance.score * 100));
  console.log(`${name}: ${JSON.stringify(summary.scores)} (performance per run ${summary.performance_per_run}) ${summary.first_view.transfer_bytes} B in ${summary.first_view.requests} requests`);
  return summary;
}

// Each measurement gets a fresh tab; a trace Lighthouse could not read
// (NO_NAVSTART happens now and then) is retried.
async function withRetries(name, steps) {
  for (let attempt = 1; ; attempt++) {
    const page = await browser.newPage();
    try {
      return await steps(page);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`${name}: ${error.message}; trying again`);
    } finally {
      await page.close();
    }
  }
}

// Fill every visible field with something valid; leave the honeypot alone.
async function fillForm(page) {
  await page.evaluate(() => {
    const form = document.querySelector("form[method=post]");
    for (const el of form.querySelectorAll("input, select, textarea")) {
      const type = (el.type || "").toLowerCase();
      if (el.name === "website" || type === "hidden" || el.closest("[hidden], .visually-hidden, [aria-hidden=true]")) continue;
      if (type === "checkbox") el.checked = true;
      else if (type === "radio") continue;  // keep the defaults; optional ones stay unanswered
      else if (el.tagName === "SELECT") {
        const option = [...el.options].find((o) => o.value && !o.disabled);
        if (option) el.value = option.value;
      }
      else if (type === "email") el.value = "bench@example.org";
      else if (type === "tel") el.value = "(510) 555-0142";
      else if (type === "date") el.value = "1980-01-01";
      else if (type === "number") el.value = "1";
      else if (el.tagName === "TEXTAREA") el.value = "Benchmark request, please ignore.";
      else if (type === "text" || type === "") el.value = el.name.includes("zip") || el.name.includes("postal") ? "94612" : "Bench Tester";
    }
  });
}

async function submitForm(page) {
  await page.evaluate(() => document.querySelector("form[method=post]").submit());
}

const summaries = [];
try {
  for (const path of paths) {
    const name = path === "/" ? "home" : path.replace(/^\/|\/$/g, "").replaceAll("/", "_");
    summaries.push(await measureMedian(name, (page) => measure(name, page, base + path)));
  }

  const probe = await browser.newPage();
  await probe.goto(`${base}/consultation/`, { waitUntil: "load" });
  const hasForm = await probe.$("form[method=post]");
  await probe.close();
  if (!hasForm) {
    for (const name of ["consultation_errors", "consultation_thanks"]) {
      summaries.push({ name, skipped: "no POST form on /consultation/ yet" });
      console.log(`${name}: skipped, no form`);
    }
  } else {
  // The error state: an empty POST. form.submit() skips the browser's own
  // checks, as a browser without them (or with them switched off) would.
  summaries.push(await measureMedian("consultation_errors", async (page) => {
    await page.goto(`${base}/consultation/`, { waitUntil: "load" });
    const cdp = await page.createCDPSession();
    await cdp.send("Network.clearBrowserCache");
    return measure("consultation_errors", page, () => submitForm(page),
      { disableStorageReset: true, skipAboutBlank: true });
  }));

  // The thank-you page: a valid POST after the form's minimum fill time.
  summaries.push(await measureMedian("consultation_thanks", async (page) => {
    await page.goto(`${base}/consultation/`, { waitUntil: "load" });
    await fillForm(page);
    await new Promise((r) => setTimeout(r, 4000));
    const cdp = await page.createCDPSession();
    await cdp.send("Network.clearBrowserCache");
    return measure("consultation_thanks", page, () => submitForm(page),
      { disableStorageReset: true, skipAboutBlank: true });
  }));
  }
} finally {
  await browser.close();
}
writeFileSync(summaryPath, JSON.stringify({
  lighthouse: `${JSON.parse(readFileSync("node_modules/lighthouse/package.json")).version}, default (mobile) config, median of ${RUNS} runs`,
  base,
  pages: summaries,
}, null, 2) + "\n");
