'use strict';
// common.js: what the browser suites share: how Chromium is started, the
// WCAG rule sets axe checks and how its findings are told, finding a
// site's files and reading the site folder argument.

const fs = require('fs');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Headless, and with nothing that reaches out to the network: the machine
// has none, and every refused connection is noise.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// axe-core run on the page (axe must be loaded on it) against AXE_TAGS:
// [] when it finds no violation, else a line counting them and then, for
// each, its id, impact and help and where it is, the first max of its
// places and how many more there are.
async function axeProblems(page, max) {
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, AXE_TAGS);
  if (violations.length === 0) return [];
  const details = [`${violations.length} violation(s)`];
  for (const v of violations) {
    details.push(`${v.id} (${v.impact}): ${v.help}`);
    for (const t of v.targets.slice(0, max)) details.push(`    at ${t}`);
    if (v.targets.length > max) details.push(`    and ${v.targets.length - max} more`);
  }
  return details;
}

// Every file below dir whose name matches re, sorted; skipHidden leaves out
// names starting with a dot (and what is below them).
function findFiles(dir, re, skipHidden, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipHidden && entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findFiles(full, re, skipHidden, out);
    else if (entry.isFile() && re.test(entry.name)) out.push(full);
  }
  return out.sort();
}

// The site folder named by process.argv[2], resolved; null after saying
// why (usage names the program's arguments).
function siteRoot(prog, usage) {
  const siteArg = process.argv[2];
  if (!siteArg) {
    console.error(`usage: ${prog}.js ${usage}`);
    return null;
  }
  try {
    return fs.realpathSync(path.resolve(siteArg));
  } catch (e) {
    console.error(`${prog}: site folder ${siteArg} not found`);
    return null;
  }
}

// What makes the page as laid out now wider than width CSS px (WCAG
// 1.4.10, reflow): its width and the outermost elements reaching past it
// (not those inside something that scrolls); [] when it fits.
async function reflowProblems(page, width) {
  const r = await page.evaluate((limit) => {
    const sw = document.documentElement.scrollWidth;
    const culprits = [];
    if (sw > limit) {
      const scrolls = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
          const o = getComputedStyle(a).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
        }
        return false;
      };
      const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.classList.length ? '.' + [...e.classList].join('.') : '');
      for (const e of document.body ? document.body.querySelectorAll('*') : []) {
        const rect = e.getBoundingClientRect();
        if (rect.right <= limit + 0.5 || scrolls(e)) continue;
        // Report the outermost element that overflows, not its children too.
        if (e.parentElement && culprits.some((c) => c.el.contains(e))) continue;
        culprits.push({ el: e, text: `${name(e)} reaches ${Math.round(rect.right)}px` });
        if (culprits.length >= 5) break;
      }
    }
    return { sw, culprits: culprits.map((c) => c.text) };
  }, width);
  return r.sw <= width ? [] : [`page is ${r.sw}px wide at a ${width}px viewport`, ...r.culprits];
}

module.exports = { CHROMIUM, CHROMIUM_ARGS, AXE_TAGS, axeProblems, findFiles, reflowProblems, siteRoot };
