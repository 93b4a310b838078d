#!/usr/bin/env node
// Browser accessibility checks for every page of a generated site.
//
//   node tests/browser/check.js SITE_DIR [SCREENSHOT_DIR]
//
// Serves SITE_DIR on 127.0.0.1 (ephemeral port), opens every .html page in
// Debian's chromium through playwright-core and checks, page by page:
//   axe        axe-core, WCAG 2.0/2.1/2.2 A and AA rules: no violations
//   reflow     at 320 x 640 CSS px the page does not scroll sideways
//   structure  exactly one h1; <html lang="en-GB">; a non-empty <title>
//              that no other page has
//   keyboard   the first Tab lands on a "Skip" link to an in-page id, and
//              Enter moves focus to that element, a <main>
//   focus      every element reached with Tab shows a visible focus
//              indicator (computed styles differ from the unfocused state)
// It prints one line per failing check (details indented below), then one
// "SUITE: N passed, N failed" line per suite. Exit status: 0 all passed,
// 1 some check failed, 2 the checks could not run.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

const { CHROMIUM, CHROMIUM_ARGS, axeProblems, findFiles, reflowProblems, siteRoot } = require('./common');
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const DESKTOP = { width: 1280, height: 800 };
const REFLOW = { width: 320, height: 640 };
const MAX_TABS = 200;
const SCREENSHOTS = [
  ['/', 'home'],
  ['/complaints-policy/', 'complaints-policy'],
  ['/complaint-flowchart/', 'complaint-flowchart'],
];
const SCREENSHOT_WIDTHS = [375, 1280];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

// ---------------------------------------------------------------- server

// Maps a request path to a file inside root, or null when it would leave
// root or cannot be decoded.
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch (e) {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

// The real path must stay inside root too (no escape through a symlink).
function realInside(root, file) {
  try {
    const real = fs.realpathSync(file);
    return real === root || real.startsWith(root + path.sep) ? real : null;
  } catch (e) {
    return null;
  }
}

function startServer(root) {
  const notFoundPage = path.join(root, '404.html');
  const server = http.createServer((req, res) => {
    const send = (status, type, body, extra) => {
      res.writeHead(status, Object.assign({
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      }, extra || {}));
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => {
      if (fs.existsSync(notFoundPage)) {
        send(404, MIME['.html'], fs.readFileSync(notFoundPage));
      } else {
        send(404, MIME['.txt'], 'Not found\n');
      }
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, MIME['.txt'], 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const urlPath = (req.url || '/').split(/[?#]/)[0];
    if (!urlPath.startsWith('/')) {
      send(400, MIME['.txt'], 'Bad request\n');
      return;
    }
    const candidate = resolveInside(root, urlPath);
    if (candidate === null) {
      notFound();
      return;
    }
    let file = realInside(root, candidate);
    if (file === null) {
      notFound();
      return;
    }
    let stat = fs.statSync(file);
    if (stat.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        send(301, MIME['.txt'], 'Moved\n', { Location: urlPath + '/' });
        return;
      }
      file = realInside(root, path.join(file, 'index.html'));
      if (file === null) {
        notFound();
        return;
      }
      stat = fs.statSync(file);
    }
    if (!stat.isFile()) {
      notFound();
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
    send(200, type, fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---------------------------------------------------------------- pages

// Folders whose names start with '.' (sitegen's .threecs/ page shells for
// intake) are not pages anyone is served: intake refuses such paths.
function pageUrlPath(root, file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return '/' + rel.slice(0, -'index.html'.length);
  return '/' + rel;
}

// ---------------------------------------------------------------- results

const SUITES = ['axe', 'reflow', 'structure', 'keyboard', 'focus', 'nav'];
const results = Object.fromEntries(SUITES.map((s) => [s, []]));

function record(suite, name, ok, details) {
  results[suite].push({ name, ok, details: details || [] });
}

function oneLine(s, max = 80) {
  const t = String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

// ---------------------------------------------------------------- checks

async function load(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error('no response');
  if (response.status() !== 200) throw new Error(`HTTP ${response.status()}`);
}

async function checkAxe(page, urlPath) {
  await page.addScriptTag({ path: AXE_PATH });
  const problems = await axeProblems(page, 10);
  record('axe', `axe on ${urlPath}`, problems.length === 0, problems);
}

async function checkStructure(page, urlPath, titles) {
  const s = await page.evaluate(() => ({
    h1: document.querySelectorAll('h1').length,
    lang: document.documentElement.getAttribute('lang'),
    title: document.title,
    hasTitle: !!document.querySelector('head > title'),
  }));
  record('structure', `one h1 on ${urlPath}`, s.h1 === 1,
    s.h1 === 1 ? [] : [`found ${s.h1} h1 elements`]);
  record('structure', `lang en-GB on ${urlPath}`, s.lang === 'en-GB',
    s.lang === 'en-GB' ? [] : [`<html lang> is ${s.lang === null ? 'missing' : JSON.stringify(s.lang)}`]);
  const title = s.title.trim();
  titles.push({ urlPath, title, hasTitle: s.hasTitle });
}

function recordTitles(titles) {
  const seen = new Map();
  for (const t of titles) {
    if (!t.title) continue;
    if (!seen.has(t.title)) seen.set(t.title, []);
    seen.get(t.title).push(t.urlPath);
  }
  for (const t of titles) {
    let problem = null;
    if (!t.hasTitle) problem = 'no <title> element';
    else if (!t.title) problem = 'empty <title>';
    else if (seen.get(t.title).length > 1) {
      const others = seen.get(t.title).filter((u) => u !== t.urlPath);
      problem = `title ${JSON.stringify(t.title)} is also used by ${others.join(', ')}`;
    }
    record('structure', `unique title on ${t.urlPath}`, problem === null, problem ? [problem] : []);
  }
}

function describeActive() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id || '',
    href: el.getAttribute('href'),
    text: (el.innerText || el.textContent || el.getAttribute('aria-label') || el.value || '').trim(),
  };
}

async function checkKeyboard(page, url, urlPath) {
  const name = `skip link on ${urlPath}`;
  await load(page, url);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(describeActive);
  if (!first) {
    record('keyboard', name, false, ['the first Tab focused nothing on the page']);
    return;
  }
  const what = `${first.tag}${first.href !== null ? ` href=${JSON.stringify(first.href)}` : ''} "${oneLine(first.text, 50)}"`;
  if (first.tag !== 'a' || first.href === null || !first.href.startsWith('#') || first.href.length < 2) {
    record('keyboard', name, false, [`the first Tab focused ${what}, not a link to an in-page target`]);
    return;
  }
  if (!/skip/i.test(first.text)) {
    record('keyboard', name, false, [`the first Tab focused ${what}, whose text does not contain "Skip"`]);
    return;
  }
  let target;
  try {
    target = decodeURIComponent(first.href.slice(1));
  } catch (e) {
    target = first.href.slice(1);
  }
  await page.keyboard.press('Enter');
  await page.waitForTimeout(50);
  const after = await page.evaluate((id) => {
    const el = document.activeElement;
    const t = document.getElementById(id);
    return {
      activeId: el ? el.id : '',
      activeTag: el ? el.tagName.toLowerCase() : '',
      targetTag: t ? t.tagName.toLowerCase() : null,
    };
  }, target);
  const problems = [];
  if (after.targetTag === null) problems.push(`no element has id "${target}"`);
  else if (after.targetTag !== 'main') problems.push(`the target #${target} is a <${after.targetTag}>, not <main>`);
  if (after.activeId !== target) {
    problems.push(`after Enter focus is on <${after.activeTag}${after.activeId ? ` id="${after.activeId}"` : ''}>, not #${target}` +
      (after.targetTag ? ' (does the target have tabindex="-1"?)' : ''));
  }
  record('keyboard', name, problems.length === 0, problems);
}

// Computed styles that can show focus.
function focusStyles(el) {
  const cs = getComputedStyle(el);
  return {
    outlineStyle: cs.outlineStyle,
    outlineWidth: cs.outlineWidth,
    outlineColor: cs.outlineColor,
    boxShadow: cs.boxShadow,
    backgroundColor: cs.backgroundColor,
    color: cs.color,
    textDecoration: cs.textDecorationLine + ' ' + cs.textDecorationStyle + ' ' +
      cs.textDecorationColor + ' ' + cs.textDecorationThickness,
  };
}

function judgeFocus(focused, unfocused) {
  const changed = Object.keys(focused).filter((k) => focused[k] !== unfocused[k]);
  const outlineShown = focused.outlineStyle !== 'none' && parseFloat(focused.outlineWidth) > 0;
  const shadowChanged = changed.includes('boxShadow');
  const backgroundChanged = changed.includes('backgroundColor');
  if (changed.length === 0) return 'no style changes when focused';
  if (!outlineShown && !shadowChanged && !backgroundChanged) {
    return `outline is none when focused and neither box-shadow nor background changes (only ${changed.join(', ')})`;
  }
  return null;
}

async function checkFocus(page, url, urlPath) {
  await load(page, url);
  // Transitions would show half-way styles; the end state is what counts.
  await page.addStyleTag({
    content: '*, *::before, *::after { transition: none !important; animation: none !important; }',
  });
  const failures = [];
  let visited = 0;
  let first = null;
  let prev = null; // { handle, info, focused }
  const settle = async (p) => {
    if (!p) return;
    const unfocused = await p.handle.evaluate(focusStyles);
    const problem = judgeFocus(p.focused, unfocused);
    if (problem) {
      const i = p.info;
      failures.push(`<${i.tag}>${i.href !== null ? ` href=${JSON.stringify(i.href)}` : ''} "${oneLine(i.text, 50)}": ${problem}`);
    }
    await p.handle.dispose();
  };
  for (let n = 0; n < MAX_TABS; n++) {
    await page.keyboard.press('Tab');
    const handle = await page.evaluateHandle(() => {
      const el = document.activeElement;
      return el && el !== document.body && el !== document.documentElement ? el : null;
    });
    const el = handle.asElement();
    const isFirst = el && first ? await page.evaluate(([a, b]) => a === b, [el, first]) : false;
    if (!el || isFirst) {
      await settle(prev);
      prev = null;
      await handle.dispose();
      break;
    }
    const focused = await el.evaluate(focusStyles);
    const info = await el.evaluate((e) => ({
      tag: e.tagName.toLowerCase(),
      href: e.getAttribute('href'),
      text: (e.innerText || e.textContent || e.getAttribute('aria-label') || e.value || '').trim(),
    }));
    // The element Tab left is no longer focused: compare its styles now.
    await settle(prev);
    prev = { handle: el, info, focused };
    if (!first) first = await page.evaluateHandle((e) => e, el);
    visited++;
    if (n === MAX_TABS - 1) {
      await settle(prev);
      prev = null;
    }
  }
  if (first) await first.dispose();
  if (process.env.VERBOSE) console.log(`focus: ${urlPath}: ${visited} element(s) reached with Tab`);
  record('focus', `focus visible on ${urlPath}`, failures.length === 0,
    failures.length ? [`${failures.length} of ${visited} focusable element(s) show no focus indicator`, ...failures] : []);
}

async function checkReflow(page, url, urlPath) {
  await load(page, url);
  const problems = await reflowProblems(page, REFLOW.width);
  record('reflow', `reflow at 320px on ${urlPath}`, problems.length === 0, problems);
}

async function screenshots(page, base, pagePaths, outDir) {
  const taken = [];
  for (const [urlPath, name] of SCREENSHOTS) {
    if (!pagePaths.includes(urlPath)) {
      // No such page in this site: drop a picture left by an earlier run.
      for (const width of SCREENSHOT_WIDTHS) fs.rmSync(path.join(outDir, `${name}-${width}.png`), { force: true });
      continue;
    }
    for (const width of SCREENSHOT_WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await load(page, base + urlPath);
      const file = path.join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      taken.push(path.relative(process.cwd(), file));
    }
  }
  return taken;
}

// ---------------------------------------------------------------- main

// Each flowchart's drawing shows the same branches as its list: an arrow
// for each way out the list links, each answer label the list gives, and
// it is hidden from assistive technology (the list is its text).
async function checkFlowcharts(page, urlPath) {
  const charts = await page.evaluate(() => [...document.querySelectorAll('figure.flowchart')].map((f) => {
    const svg = f.querySelector('svg');
    const list = f.querySelector('ol.flowchart__steps');
    const answers = list ? [...list.querySelectorAll('.flowchart__answer')].map((a) => a.textContent.trim()).filter((a) => a !== 'Or') : [];
    return {
      id: f.id,
      svg: !!svg,
      hidden: !!svg && svg.getAttribute('aria-hidden') === 'true',
      arrows: svg ? svg.querySelectorAll('.flowchart__arrow').length : 0,
      links: list ? list.querySelectorAll('.flowchart__next a, .flowchart__answers a').length : 0,
      answers: answers.sort(),
      labels: svg ? [...svg.querySelectorAll('.flowchart__answer-label')].map((t) => t.textContent.trim()).sort() : [],
      steps: list ? list.children.length : 0,
      boxes: svg ? svg.querySelectorAll('.flowchart__shape').length : 0,
    };
  }));
  for (const c of charts) {
    const problems = [];
    if (!c.svg) problems.push('no drawing');
    if (c.svg && !c.hidden) problems.push('the drawing is not aria-hidden');
    if (c.arrows !== c.links) problems.push(`${c.arrows} arrows drawn for ${c.links} ways out listed`);
    if (c.boxes !== c.steps) problems.push(`${c.boxes} boxes drawn for ${c.steps} steps listed`);
    if (JSON.stringify(c.answers) !== JSON.stringify(c.labels)) {
      problems.push(`answers listed ${c.answers.join('/')} but drawn ${c.labels.join('/')}`);
    }
    record('structure', `flowchart ${c.id} on ${urlPath} draws its branches`, problems.length === 0, problems);
  }
}

// The main navigation, on the first page that has one: at 375 px it is a
// "Menu" toggle that opens and closes from the keyboard, with or without
// JavaScript, and takes little room; at 1280 px it is one row.
async function checkNav(browser, base, pagePaths) {
  const probe = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
  const p0 = await probe.newPage();
  let urlPath = null;
  for (const u of pagePaths) {
    await load(p0, base + u);
    if (await p0.$('nav.service-nav')) { urlPath = u; break; }
  }
  if (!urlPath) { await probe.close(); return; }
  const rows = await p0.evaluate(() => {
    const tops = [...document.querySelectorAll('nav.service-nav li')]
      .filter((li) => li.getClientRects().length > 0).map((li) => Math.round(li.getBoundingClientRect().top));
    return { n: tops.length, rows: new Set(tops).size };
  });
  record('nav', `at 1280px the navigation is one row (${urlPath})`, rows.n > 0 && rows.rows === 1,
    [`${rows.n} items on ${rows.rows} rows`]);
  await probe.close();
  for (const js of [true, false]) {
    const label = js ? 'JavaScript' : 'no JavaScript';
    const c = await browser.newContext({ viewport: { width: 375, height: 667 }, javaScriptEnabled: js, serviceWorkers: 'block' });
    const page = await c.newPage();
    try {
      await load(page, base + urlPath);
      const closed = await page.evaluate(() => {
        const nav = document.querySelector('nav.service-nav');
        const shown = [...nav.querySelectorAll('a')].filter((a) => a.checkVisibility({ visibilityProperty: true })).length;
        return { h: Math.round(nav.getBoundingClientRect().height), shown };
      });
      record('nav', `at 375px (${label}) the navigation is folded into a toggle`, closed.h <= 80 && closed.shown === 0,
        [`it is ${closed.h}px tall with ${closed.shown} links showing`]);
      // Tab from the top of the page to the toggle, then Enter.
      let reached = false;
      for (let i = 0; i < 10 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement && document.activeElement.matches('.service-nav summary'));
      }
      record('nav', `at 375px (${label}) Tab reaches the Menu toggle`, reached, ['not reached in 10 presses of Tab']);
      if (reached) {
        await page.keyboard.press('Enter');
        const open = await page.evaluate(() => [...document.querySelectorAll('nav.service-nav a')]
          .filter((a) => a.checkVisibility({ visibilityProperty: true })).length);
        const want = await page.evaluate(() => document.querySelectorAll('nav.service-nav .service-nav__list--wide a').length);
        record('nav', `at 375px (${label}) Enter on the toggle shows every link`, open > 0 && open === want,
          [`${open} links shown of ${want}`]);
        await page.keyboard.press('Enter');
        const shut = await page.evaluate(() => [...document.querySelectorAll('nav.service-nav a')]
          .filter((a) => a.checkVisibility({ visibilityProperty: true })).length);
        record('nav', `at 375px (${label}) Enter again folds it`, shut === 0, [`${shut} links still shown`]);
      }
    } finally {
      await c.close();
    }
  }
}

async function main() {
  const root = siteRoot('check', 'SITE_DIR [SCREENSHOT_DIR]');
  if (!root) return 2;
  const shotDir = path.resolve(process.argv[3] || 'test-output/screenshots');
  const files = findFiles(root, /\.html$/i, true);
  if (files.length === 0) {
    console.error(`check: no .html files under ${root}`);
    return 2;
  }
  const pagePaths = files.map((f) => pageUrlPath(root, f));

  const server = await startServer(root);
  const base = `http://127.0.0.1:${server.address().port}`;
  const blocked = new Set();
  const pageErrors = [];
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000 });
    const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: 'block' });
    // The site must stand alone: anything not from the test server is refused.
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === base || u.startsWith(base + '/') || u.startsWith('data:')) return route.continue();
      blocked.add(u);
      return route.abort();
    });
    const desktop = await context.newPage();
    const narrow = await context.newPage();
    await narrow.setViewportSize(REFLOW);
    desktop.on('pageerror', (e) => pageErrors.push(`${desktop.url()}: ${e.message}`));

    const titles = [];
    for (const urlPath of pagePaths) {
      const url = base + urlPath;
      const steps = [
        ['axe', async () => {
          await load(desktop, url);
          await checkStructure(desktop, urlPath, titles);
          await checkFlowcharts(desktop, urlPath);
          await checkAxe(desktop, urlPath);
        }],
        ['keyboard', () => checkKeyboard(desktop, url, urlPath)],
        ['focus', () => checkFocus(desktop, url, urlPath)],
        ['reflow', () => checkReflow(narrow, url, urlPath)],
      ];
      for (const [suite, run] of steps) {
        try {
          await run();
        } catch (e) {
          const msg = oneLine(e && e.message ? e.message.split('\n')[0] : e, 200);
          if (suite === 'axe') {
            if (!titles.some((t) => t.urlPath === urlPath)) {
              record('structure', `one h1 on ${urlPath}`, false, [`could not load: ${msg}`]);
              record('structure', `lang en-GB on ${urlPath}`, false, [`could not load: ${msg}`]);
              titles.push({ urlPath, title: '', hasTitle: false });
            }
            record('axe', `axe on ${urlPath}`, false, [`could not run: ${msg}`]);
          } else {
            const label = { keyboard: 'skip link', focus: 'focus visible', reflow: 'reflow at 320px' }[suite];
            record(suite, `${label} on ${urlPath}`, false, [`could not run: ${msg}`]);
          }
        }
      }
    }
    recordTitles(titles);
    try {
      await checkNav(browser, base, pagePaths);
    } catch (e) {
      record('nav', 'the navigation tests ran', false, [oneLine(e && e.message ? e.message : e, 200)]);
    }

    let taken = [];
    try {
      fs.mkdirSync(shotDir, { recursive: true });
      taken = await screenshots(narrow, base, pagePaths, shotDir);
    } catch (e) {
      console.log(`screenshots: not taken: ${oneLine(e.message, 200)}`);
    }
    if (taken.length) console.log(`screenshots: ${taken.join(' ')}`);
    await context.close();
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.close();
  }

  for (const u of blocked) console.log(`note: refused a request outside the site: ${u}`);
  for (const e of pageErrors) console.log(`note: script error: ${oneLine(e, 200)}`);

  let failed = 0;
  for (const suite of SUITES) {
    const list = results[suite];
    const bad = list.filter((r) => !r.ok);
    for (const r of bad) {
      console.log(`FAIL ${r.name}${r.details.length ? ': ' + r.details[0] : ''}`);
      for (const d of r.details.slice(1)) console.log(`    ${d}`);
    }
    console.log(`${suite}: ${list.length - bad.length} passed, ${bad.length} failed`);
    failed += bad.length;
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  // A hung browser must not hang the test run.
  const limit = Number(process.env.BROWSER_TEST_TIMEOUT || 600);
  setTimeout(() => {
    console.error(`check: gave up after ${limit} s`);
    process.exit(2);
  }, limit * 1000).unref();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`check: ${e && e.stack ? e.stack : e}`);
      process.exitCode = 2;
    },
  );
}

module.exports = { startServer, pageUrlPath, judgeFocus };
