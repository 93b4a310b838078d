#!/usr/bin/env node
// Browser tests of the site's forms, end to end through a real intake.
//
//   node tests/browser/forms.js [SITE_DIR] [SCREENSHOT_DIR]
//
// Starts `bin/intake serve` on 127.0.0.1 (a free port) over SITE_DIR with a
// fresh spool, and in Debian's chromium (playwright-core) fills in each form
// with the keyboard alone, as a resident would: Tab and Shift+Tab, Space,
// Enter, the arrow keys for radios and selects, and typing. The one
// exception is the file input, which headless chromium cannot fill from the
// keyboard: Tab reaches it and the file is then set on the focused element.
//
//   complaint   with JavaScript, a revealed question (on_behalf = yes) and a
//               PDF; the same without JavaScript
//   feedback    with JavaScript, and without
//   review      with JavaScript, and without
//   errors      the complaint sent with required answers left out and a date
//               in the future, with and without JavaScript: status 422,
//               "Error: " title, the error summary focused (with JS), each
//               summary link moves focus to its field, answers kept, axe
//
// After each sending it checks the confirmation page (status, a reference
// like 7KQ2M-9XH4P, axe) and that the spool holds ready/REF/submission.json
// with exactly the answers typed (and the file, for the complaint).
//
// Without SITE_DIR the site is built into a scratch folder with
// `bin/sitegen build --out`. A site must hold the .threecs/ shells that
// sitegen writes for intake. Screenshots of the complaint form (filled in,
// and with errors) at 375 and 1280px go to SCREENSHOT_DIR
// (test-output/screenshots by default).
//
// Prints one line per failing check (details indented below) and then
// "forms: N passed, N failed". Exit status: 0 all passed, 1 some check
// failed, 2 the checks could not run.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const INTAKE = path.join(ROOT, 'bin', 'intake');
const SITEGEN = path.join(ROOT, 'bin', 'sitegen');
const FORMS_DIR = path.join(ROOT, 'content', 'forms');
const { CHROMIUM, CHROMIUM_ARGS, axeProblems, reflowProblems } = require('./common');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 800 };
const WAIT = 10000; // ms, for every wait on the browser or intake
const MAX_TABS = 150; // Tab presses allowed to reach a form's first field
const REF_RE = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;
const FORMS = ['complaint', 'feedback', 'review'];

// ---------------------------------------------------------------- results

const results = [];

function check(name, ok, details) {
  results.push({ name, ok: !!ok, details: ok ? [] : (details || []) });
  return !!ok;
}

function oneLine(s, max = 120) {
  const t = String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

function errText(e) {
  return oneLine(e && e.message ? e.message.split('\n')[0] : e, 200);
}

// Runs one check's body; an exception fails the check with its message.
async function attempt(name, body) {
  try {
    const r = await body();
    if (r === true || r === undefined) return check(name, true);
    return check(name, false, Array.isArray(r) ? r : [String(r)]);
  } catch (e) {
    return check(name, false, [errText(e)]);
  }
}

// ---------------------------------------------------------------- fixtures

// A small, well-formed one-page PDF (the xref offsets are real).
function makePdf() {
  const text = 'BT /F1 14 Tf 20 50 Td (Photo of the broken gate) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R ' +
      '/Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// Where each form is: the page whose HTML holds <form ... id="form-NAME">.
function findFormPages(root) {
  const found = {};
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue; // intake serves no dot paths
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, rel + e.name + '/');
      else if (e.isFile() && e.name === 'index.html') {
        const html = fs.readFileSync(full, 'utf8');
        for (const m of html.matchAll(/<form\b[^>]*\bid="form-([a-z0-9_-]+)"/g)) {
          if (!found[m[1]]) found[m[1]] = '/' + rel;
        }
      }
    }
  };
  walk(root, '');
  return found;
}

// ---------------------------------------------------------------- intake

function startIntake(site, spool) {
  return new Promise((resolve, reject) => {
    const child = spawn(INTAKE, [
      'serve', '--listen', '127.0.0.1:0', '--site', site,
      '--forms', FORMS_DIR, '--spool', spool,
      // As root, intake serve must be told whom to become.
      ...(process.getuid() === 0 ? ['--user', 'nobody'] : []),
    ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => {
      finish(new Error(`intake printed no address within ${WAIT / 1000} s: ${oneLine(log, 300)}`));
    }, WAIT);
    const onData = (d) => {
      if (log.length < 100000) log += d;
      const m = log.match(/serving .* on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) finish(null, { child, base: m[1], log: () => log });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => finish(new Error(`cannot run ${INTAKE}: ${e.message}`)));
    child.on('exit', (code, sig) => {
      child.exited = true;
      finish(new Error(`intake stopped (${sig || code}) before serving: ${oneLine(log, 300)}`));
    });
  });
}

function stopIntake(child) {
  return new Promise((resolve) => {
    if (!child || child.exited || child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      try { child.kill('SIGKILL'); } catch (e) { /* gone already */ }
      resolve();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try { child.kill('SIGTERM'); } catch (e) { clearTimeout(timer); resolve(); }
  });
}

// ---------------------------------------------------------------- browser helpers

function describeActive() {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  return {
    id: e.id || '',
    tag: e.tagName.toLowerCase(),
    type: e.getAttribute('type') || '',
    cls: typeof e.className === 'string' ? e.className : '',
    href: e.getAttribute('href'),
    text: (e.innerText || e.textContent || '').trim().slice(0, 60),
  };
}

function show(a) {
  if (!a) return 'nothing (the page itself)';
  return `<${a.tag}${a.id ? ' id="' + a.id + '"' : ''}${a.type ? ' type="' + a.type + '"' : ''}` +
    `${a.href !== null ? ' href="' + a.href + '"' : ''}>${a.text ? ' "' + oneLine(a.text, 40) + '"' : ''}`;
}

async function active(page) {
  return page.evaluate(describeActive);
}

async function load(page, url) {
  const r = await page.goto(url, { waitUntil: 'load', timeout: WAIT });
  if (!r) throw new Error(`no response for ${url}`);
  if (r.status() !== 200) throw new Error(`${url}: HTTP ${r.status()}`);
  return r;
}

// Resolves as p does, or rejects after ms.
function within(ms, what, p) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
    }),
  ]);
}

// axe-core on the page as it is. axe needs timers, which do not run in a
// context without JavaScript: there, the page's HTML as it stands is shown
// in ctx.axePage (JavaScript on for axe, the site's own scripts refused)
// and checked there.
async function axe(page, ctx) {
  if (page === ctx.noJsPage) {
    const html = await page.content();
    const url = page.url().split('#')[0];
    await ctx.axePage.route(url, (route) => route.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', body: html,
    }), { times: 1 });
    await load(ctx.axePage, url);
    page = ctx.axePage;
  }
  return within(60000, 'axe', axeRun(page));
}

// The page as it is, laid out 320 CSS px wide (then at its own size again):
// true, or what reaches past 320px.
async function reflow(page) {
  const was = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    const problems = await reflowProblems(page, 320);
    return problems.length ? problems : true;
  } finally {
    await page.setViewportSize(was);
  }
}

async function axeRun(page) {
  if (await page.evaluate(() => typeof window.axe) !== 'object') {
    // Evaluated through the debugging protocol, so the page's
    // Content-Security-Policy does not stop it.
    await page.evaluate(AXE_SOURCE);
  }
  const problems = await axeProblems(page, 5);
  return problems.length === 0 ? true : problems;
}

// Presses Tab until the element with this id has focus.
async function tabTo(page, id) {
  for (let n = 0; n < MAX_TABS; n++) {
    await page.keyboard.press('Tab');
    const a = await active(page);
    if (a && a.id === id) return;
  }
  throw new Error(`#${id} not reached in ${MAX_TABS} presses of Tab`);
}

// Presses Tab until the form's submit button has focus.
async function tabToSubmit(page) {
  for (let n = 0; n < MAX_TABS; n++) {
    await page.keyboard.press('Tab');
    const a = await active(page);
    if (a && a.tag === 'button' && a.type === 'submit') return;
  }
  throw new Error(`the submit button was not reached in ${MAX_TABS} presses of Tab`);
}

// Runs keyboard steps. Each step presses its keys (Tab by default), checks
// that focus is on `expect` (an id, or 'submit' for the button), then
// presses `press`, types `type`, or sets `file` on the focused file input,
// and then checks what it should: `checked`, `value` or `shown` (an
// element id that must now be visible).
async function runSteps(page, steps) {
  for (const s of steps) {
    const keys = s.keys || ['Tab'];
    if (s.tabTo) await tabTo(page, s.tabTo);
    else for (const k of keys) await page.keyboard.press(k);
    const want = s.tabTo || s.expect;
    const a = await active(page);
    const ok = want === 'submit' ? a && a.tag === 'button' && a.type === 'submit' : a && a.id === want;
    if (!ok) {
      throw new Error(`after ${s.tabTo ? 'Tab' : keys.join(', ')} focus is on ${show(a)}, ` +
        `not ${want === 'submit' ? 'the submit button' : '#' + want}`);
    }
    for (const k of s.press || []) await page.keyboard.press(k);
    if (s.type !== undefined) await page.keyboard.type(s.type);
    if (s.file) {
      const h = await page.evaluateHandle(() => document.activeElement);
      try {
        await h.asElement().setInputFiles(s.file);
      } finally {
        await h.dispose();
      }
    }
    const state = await page.evaluate((shown) => {
      const e = document.activeElement;
      const vis = (id) => {
        const el = document.getElementById(id);
        return !!el && !el.hidden && el.getClientRects().length > 0;
      };
      return {
        id: e.id,
        checked: !!e.checked,
        value: e.value,
        files: e.files ? [...e.files].map((f) => f.name) : null,
        shown: shown ? vis(shown) : true,
      };
    }, s.shown || null);
    if (s.checked !== undefined && state.checked !== s.checked) {
      throw new Error(`#${state.id} is ${state.checked ? '' : 'not '}ticked after ${(s.press || []).join(', ') || 'moving to it'}`);
    }
    if (s.value !== undefined && state.value !== s.value) {
      throw new Error(`#${state.id} holds ${JSON.stringify(state.value)}, not ${JSON.stringify(s.value)}`);
    }
    if (s.file && !(state.files && state.files.length === 1)) {
      throw new Error(`#${state.id} holds no file after setInputFiles`);
    }
    if (!state.shown) throw new Error(`#${s.shown} is not shown`);
  }
}

// Presses Enter (on the focused submit button) and waits for the page that
// comes back; returns its response (after the 303, the confirmation).
// With FORMS_SERVED_DIR set, the pages intake made (the check page, the
// confirmation, the copy, the error pages) are kept there as served, for
// the Nu checker.
const SERVED_DIR = process.env.FORMS_SERVED_DIR || '';
async function keepServed(page, name) {
  if (!SERVED_DIR) return;
  fs.mkdirSync(SERVED_DIR, { recursive: true });
  const file = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  fs.writeFileSync(path.join(SERVED_DIR, `${file}.html`), await page.content());
}

async function pressEnterAndWait(page) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: WAIT }),
    page.keyboard.press('Enter'),
  ]);
  if (!response) throw new Error('Enter did not load a page');
  return response;
}

// ---------------------------------------------------------------- the forms

const thisYear = new Date().getFullYear();
const PAST_YEAR = String(thisYear - 1);
const FUTURE_YEAR = String(thisYear + 1);

// The resident's name and email, the first answers of every form.
const RESIDENT = { full_name: 'Ada Resident', email: 'ada.resident@example.org' };

// A step for each field, in order: Tab to it (with first, Tab until it has
// focus) and type its value.
function typeEach(fields, first = false) {
  return Object.entries(fields).map(([id, text], i) =>
    (first && i === 0 ? { tabTo: id, type: text } : { expect: id, type: text }));
}

function complaintSteps(pdfPath) {
  return [
    ...typeEach(RESIDENT, true),
    { expect: 'phone', type: '01632 960 001' },
    { expect: 'address', type: '1 Mill Lane\nNorthmere' },
    { expect: 'postcode', type: 'nm1 1aa' },
    // Tab enters the radios on the first; ArrowDown moves to and picks Phone.
    { expect: 'contact_method', checked: false },
    { keys: ['ArrowDown'], expect: 'contact_method-2', checked: true },
    // Yes reveals three more questions right under it.
    { expect: 'on_behalf', press: ['Space'], checked: true },
    { expect: 'on_behalf', shown: 'on_behalf-1-reveal', keys: [] },
    { expect: 'person_name', type: 'Grace Resident' },
    { expect: 'relationship', type: 'daughter' },
    { expect: 'consent', press: ['Space'], checked: true },
    // Tab skips "No" (its group has a choice) and lands on the select.
    { expect: 'service_area', press: ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowUp'], value: 'council-tax' },
    { expect: 'what_happened', type: 'The bill was sent to the wrong address twice.' },
    { expect: 'when_happened-day', type: '3' },
    { expect: 'when_happened-month', type: '2' },
    { expect: 'when_happened-year', type: PAST_YEAR },
    { expect: 'staff_named', type: 'the officer at the front desk' },
    { expect: 'impact', type: 'A late payment letter and a lot of worry.' },
    { expect: 'outcome_sought', type: 'Correct the address and cancel the late payment charge.' },
    { expect: 'raised_before', press: ['ArrowDown'] },
    { keys: [], expect: 'raised_before-2', checked: true },
    { keys: ['ArrowUp'], expect: 'raised_before', checked: true },
    { expect: 'files', file: pdfPath },
    { expect: 'adjustments', type: 'Letters in large print, please.' },
    // Shift+Tab goes back a step and Tab forward again.
    { keys: ['Tab', 'Shift+Tab'], expect: 'adjustments' },
    { expect: 'submit' },
  ];
}

const COMPLAINT_VALUES = {
  ...RESIDENT,
  phone: '01632 960 001',
  address: '1 Mill Lane\nNorthmere',
  postcode: 'NM1 1AA',
  contact_method: 'phone',
  on_behalf: 'yes',
  person_name: 'Grace Resident',
  relationship: 'daughter',
  consent: 'yes',
  service_area: 'council-tax',
  what_happened: 'The bill was sent to the wrong address twice.',
  when_happened: `${PAST_YEAR}-02-03`,
  staff_named: 'the officer at the front desk',
  impact: 'A late payment letter and a lot of worry.',
  outcome_sought: 'Correct the address and cancel the late payment charge.',
  raised_before: 'yes',
  adjustments: 'Letters in large print, please.',
};

const FEEDBACK_STEPS = [
  { tabTo: 'feedback_type', checked: false },
  { keys: ['ArrowDown'], expect: 'feedback_type-2', checked: true },
  { keys: ['ArrowUp'], expect: 'feedback_type', checked: true },
  { expect: 'service_area', type: 'Lib', value: 'libraries' },
  { expect: 'message', type: 'The staff at the library helped me\nprint my forms.' },
  { expect: 'staff_named', type: 'Sam at the front desk' },
  ...typeEach(RESIDENT),
  { expect: 'reply_wanted', press: ['Space'], checked: true },
  { keys: ['Tab', 'Shift+Tab', 'Tab'], expect: 'submit' },
];

const FEEDBACK_VALUES = {
  feedback_type: 'compliment',
  service_area: 'libraries',
  message: 'The staff at the library helped me\nprint my forms.',
  staff_named: 'Sam at the front desk',
  ...RESIDENT,
  reply_wanted: 'yes',
};

// Every answer of the review form is typed, in the order of its fields.
const REVIEW_VALUES = {
  case_reference: 'cmp 2026 000123',
  ...RESIDENT,
  why_unhappy: 'You did not answer my question about the charge.',
  outcome_sought: 'Look at the charge again.',
};

const REVIEW_STEPS = [...typeEach(REVIEW_VALUES, true), { expect: 'submit' }];

// The complaint with problems: the revealed name (consent may be left: it is
// flagged, not refused), the service,
// the effect, the outcome and the radios left out, and a date next year.
const ERROR_STEPS = [
  ...typeEach(RESIDENT, true),
  { expect: 'phone' },
  { expect: 'address' },
  { expect: 'postcode' },
  { expect: 'contact_method' },
  { expect: 'on_behalf', press: ['Space'], checked: true },
  { expect: 'person_name' },
  { expect: 'relationship', type: 'carer' },
  { expect: 'consent' },
  { expect: 'service_area' },
  { expect: 'what_happened', type: 'The gate was left broken.' },
  { expect: 'when_happened-day', type: '1' },
  { expect: 'when_happened-month', type: '1' },
  { expect: 'when_happened-year', type: FUTURE_YEAR },
  { expect: 'staff_named' },
  { expect: 'impact' },
  { expect: 'outcome_sought' },
  { expect: 'raised_before' },
  { expect: 'files' },
  { expect: 'adjustments' },
  { expect: 'submit' },
];

// Targets the error summary must link to, in page order (the date's part
// may be any of the three).
const ERROR_TARGETS = ['person_name', 'service_area', /^when_happened-(day|month|year)$/,
  'impact', 'outcome_sought', 'raised_before'];

const ERROR_KEPT = {
  ...RESIDENT,
  relationship: 'carer',
  what_happened: 'The gate was left broken.',
  'when_happened-day': '1',
  'when_happened-month': '1',
  'when_happened-year': FUTURE_YEAR,
};

// ---------------------------------------------------------------- checks

function compareFields(got, want) {
  const problems = [];
  for (const k of Object.keys(want)) {
    if (!(k in got)) problems.push(`${k} is missing (typed ${JSON.stringify(want[k])})`);
    else if (JSON.stringify(got[k]) !== JSON.stringify(want[k])) {
      problems.push(`${k} is ${JSON.stringify(got[k])}, typed ${JSON.stringify(want[k])}`);
    }
  }
  for (const k of Object.keys(got)) {
    if (!(k in want)) problems.push(`${k} = ${JSON.stringify(got[k])} was not typed`);
  }
  return problems;
}

// Sends the focused form with Enter, then checks the confirmation page and
// what intake stored. `file` is {name, bytes} when one was attached.
async function sendAndConfirm(ctx, page, label, form, values, file) {
  let response = null;
  // Check your answers: the answers shown back, each with a working
  // Change link, and nothing stored until Send.
  const checked = await attempt(`${label}: Enter on the button shows the answers to check`, async () => {
    const before = fs.existsSync(path.join(ctx.spool, 'ready')) ? fs.readdirSync(path.join(ctx.spool, 'ready')).length : 0;
    response = await pressEnterAndWait(page);
    const problems = [];
    if (response.status() !== 200) problems.push(`HTTP ${response.status()} at ${new URL(page.url()).pathname}`);
    const r = await page.evaluate(() => ({
      h1: (document.querySelector('h1') || {}).textContent || '',
      rows: document.querySelectorAll('.summary-list__row').length,
      changes: [...document.querySelectorAll('.summary-list__actions a')].map((a) => a.href),
    }));
    if (!/Check your answers/.test(r.h1)) problems.push(`the heading is ${JSON.stringify(r.h1)}`);
    if (r.rows < 2 || r.changes.length !== r.rows) problems.push(`${r.rows} answers, ${r.changes.length} Change links`);
    const after = fs.readdirSync(path.join(ctx.spool, 'ready')).length;
    if (after !== before) problems.push('something was stored before Send');
    if (r.changes.length) {
      const got = await page.request.get(r.changes[0]);
      const html = await got.text();
      if (got.status() !== 200 || !html.includes(`id="form-${form}"`)) problems.push(`the first Change link answers ${got.status()} without the form`);
    }
    return problems.length ? problems : true;
  });
  if (!checked) return;
  await keepServed(page, `${label} check`);
  await attempt(`${label}: axe on the page to check the answers`, () => axe(page, ctx));
  await attempt(`${label}: the page to check the answers reflows at 320px`, () => reflow(page));
  const sent = await attempt(`${label}: Tab to Send and Enter sends it and shows the confirmation`, async () => {
    await tabToSubmit(page);
    response = await pressEnterAndWait(page);
    const url = new URL(page.url());
    const problems = [];
    if (response.status() !== 200) problems.push(`HTTP ${response.status()} at ${url.pathname}`);
    if (url.pathname !== `/submit/${form}/received`) problems.push(`landed on ${url.pathname}${url.search}`);
    const panel = await page.evaluate(() => {
      const h = document.querySelector('.panel h1');
      return h ? h.textContent.trim() : null;
    });
    if (!panel) problems.push('no confirmation panel with a heading');
    return problems.length ? problems : true;
  });
  if (!sent) return;
  let ref = null;
  await attempt(`${label}: the confirmation shows a reference`, async () => {
    const shown = await page.evaluate(() => {
      const r = document.querySelector('.panel__reference');
      return r ? r.textContent.trim() : null;
    });
    const inUrl = new URL(page.url()).searchParams.get('ref');
    if (shown === null) return 'no .panel__reference on the page';
    if (!REF_RE.test(shown)) return `the reference ${JSON.stringify(shown)} is not like 7KQ2M-9XH4P`;
    if (shown !== inUrl) return `the page shows ${shown} but the address has ${inUrl}`;
    ref = shown;
    return true;
  });
  await keepServed(page, `${label} received`);
  await attempt(`${label}: axe on the confirmation page`, () => axe(page, ctx));
  await attempt(`${label}: the confirmation page reflows at 320px`, () => reflow(page));
  // The copy of what was sent: opened by keyboard from the confirmation
  // page, checked by axe, and printable (the answers print, the site's
  // navigation and the hints for the screen do not).
  await attempt(`${label}: the confirmation page's link opens a copy of what was sent`, async () => {
    const link = page.locator('a[href*="/copy?"]');
    if (await link.count() !== 1) return `${await link.count()} links to a copy`;
    await link.focus();
    await Promise.all([page.waitForNavigation({ timeout: WAIT }), page.keyboard.press('Enter')]);
    const h1 = await page.evaluate(() => (document.querySelector('h1') || {}).textContent || '');
    const shown = await page.evaluate(() => document.body.textContent.includes(
      (new URL(location.href)).searchParams.get('ref')));
    if (!/copy of what you sent/i.test(h1)) return `the heading is ${JSON.stringify(h1)}`;
    return shown ? true : 'the reference is not on the page';
  });
  if (new URL(page.url()).pathname.endsWith('/copy')) {
    await keepServed(page, `${label} copy`);
    await attempt(`${label}: axe on the copy`, () => axe(page, ctx));
    await attempt(`${label}: the copy reflows at 320px`, () => reflow(page));
    await attempt(`${label}: the copy prints its answers without the site's navigation`, async () => {
      await page.emulateMedia({ media: 'print' });
      const r = await page.evaluate(() => ({
        nav: [...document.querySelectorAll('.service-nav, .no-print')].some((e) => e.getClientRects().length > 0),
        rows: [...document.querySelectorAll('.summary-list__row')].filter((e) => e.getClientRects().length > 0).length,
      }));
      await page.emulateMedia({ media: 'screen' });
      const problems = [];
      if (r.nav) problems.push('the navigation or a screen-only note prints');
      if (r.rows < 3) problems.push(`only ${r.rows} answer rows print`);
      return problems.length ? problems : true;
    });
  }
  if (!ref) {
    check(`${label}: the spool holds what was typed`, false, ['no reference to look for']);
    return;
  }
  const dir = path.join(ctx.spool, 'ready', ref);
  let sub = null;
  await attempt(`${label}: the spool holds what was typed`, () => {
    const file = path.join(dir, 'submission.json');
    if (!fs.existsSync(file)) return `no ${path.relative(ctx.spool, file)} in the spool`;
    sub = JSON.parse(fs.readFileSync(file, 'utf8'));
    const problems = [];
    if (sub.id !== ref) problems.push(`its id is ${sub.id}`);
    if (sub.form !== form) problems.push(`its form is ${sub.form}`);
    problems.push(...compareFields(sub.fields || {}, values));
    return problems.length ? problems : true;
  });
  if (file) {
    await attempt(`${label}: the spool holds the attached PDF`, () => {
      if (!sub) return 'no submission.json';
      const atts = sub.attachments || [];
      if (atts.length !== 1) return `${atts.length} attachment(s), not 1`;
      const a = atts[0];
      const problems = [];
      const sha = crypto.createHash('sha256').update(file.bytes).digest('hex');
      if (a.field !== 'files') problems.push(`field ${a.field}`);
      if (a.name !== file.name) problems.push(`name ${a.name}`);
      if (a.type !== 'application/pdf') problems.push(`type ${a.type}`);
      if (a.size !== file.bytes.length) problems.push(`size ${a.size}, not ${file.bytes.length}`);
      if (a.sha256 !== sha) problems.push('sha256 differs');
      const stored = a.path ? path.join(dir, a.path) : null;
      if (!stored || !stored.startsWith(dir + path.sep) || !fs.existsSync(stored)) {
        problems.push(`no stored file at ${a.path}`);
      } else if (!fs.readFileSync(stored).equals(file.bytes)) {
        problems.push('the stored bytes differ from the file sent');
      }
      return problems.length ? problems : true;
    });
  }
}

// Without a script the form is checked by the server: a PDF attached to a
// form refused for other answers is kept, listed on the page that asks for
// the corrections, and reaches the submission without being chosen again.
async function keptFileFlow(ctx, page, file, filePath) {
  const label = 'complaint with a file and a mistake (no JavaScript)';
  const sent = await attempt(`${label}: refused (422), the file listed as kept`, async () => {
    await load(page, ctx.base + ctx.pages.complaint);
    await page.setInputFiles('#files', filePath);
    const [resp] = await Promise.all([page.waitForNavigation({ timeout: WAIT }),
      page.locator('form.form button[type="submit"]').click()]);
    if (!resp || resp.status() !== 422) return `HTTP ${resp ? resp.status() : 'none'}`;
    const kept = await page.evaluate(() => [...document.querySelectorAll('.file-held li')].map((l) => l.textContent));
    if (kept.join() !== 'evidence.pdf') return `kept files listed: ${JSON.stringify(kept)}`;
    return true;
  });
  if (!sent) return;
  await keepServed(page, 'kept file');
  await attempt(`${label}: axe on the page listing the kept file`, () => axe(page, ctx));
  await attempt(`${label}: corrected, the kept file reaches the submission`, async () => {
    await page.fill('#what_happened', 'The library printer ate my form.');
    await page.check('#on_behalf-2');
    await page.selectOption('#service_area', 'libraries');
    await page.fill('#when_happened-day', '3');
    await page.fill('#when_happened-month', '2');
    await page.fill('#when_happened-year', PAST_YEAR);
    await page.fill('#impact', 'I had to fill it in again.');
    await page.fill('#outcome_sought', 'A working printer.');
    await page.check('#raised_before-2');
    await Promise.all([page.waitForNavigation({ timeout: WAIT }),
      page.locator('form.form button[type="submit"]').click()]);
    // The answers to check, the file among them; then Send.
    if (!(await page.content()).includes('evidence.pdf')) return 'the check page does not list the kept file';
    await Promise.all([page.waitForNavigation({ timeout: WAIT }),
      page.locator('form.form button[type="submit"]').click()]);
    const u = new URL(page.url());
    if (!u.pathname.endsWith('/received')) return `landed on ${u.pathname} (${await page.title()})`;
    const ref = u.searchParams.get('ref');
    const subFile = path.join(ctx.spool, 'ready', ref, 'submission.json');
    if (!fs.existsSync(subFile)) return `no submission ${ref}`;
    const atts = JSON.parse(fs.readFileSync(subFile, 'utf8')).attachments || [];
    const sha = crypto.createHash('sha256').update(file.bytes).digest('hex');
    if (atts.length !== 1 || atts[0].name !== 'evidence.pdf' || atts[0].sha256 !== sha) {
      return `attachments ${JSON.stringify(atts)}`;
    }
    return true;
  });
}

async function fillAndSend(ctx, page, { label, form, steps, values, file, shots }) {
  const url = ctx.base + ctx.pages[form];
  const filled = await attempt(`${label}: filled in with the keyboard alone`, async () => {
    await load(page, url);
    await runSteps(page, steps);
  });
  if (!filled) return;
  if (shots) await shots();
  await sendAndConfirm(ctx, page, label, form, values, file);
}

async function errorFlow(ctx, page, withJs) {
  const label = `complaint with errors (${withJs ? 'JavaScript' : 'no JavaScript'})`;
  const url = ctx.base + ctx.pages.complaint;
  let response = null;
  const sent = await attempt(`${label}: sent with the keyboard, status 422`, async () => {
    await load(page, url);
    await runSteps(page, ERROR_STEPS);
    response = await pressEnterAndWait(page);
    if (response.status() !== 422) return `HTTP ${response.status()} at ${new URL(page.url()).pathname}`;
    return true;
  });
  if (!sent) return;
  await attempt(`${label}: the title starts "Error: "`, async () => {
    const t = await page.title();
    return t.startsWith('Error: ') ? true : `the title is ${JSON.stringify(t)}`;
  });
  // Seen without scrolling, whether or not a script moves focus to it.
  for (const vp of [{ width: 1280, height: 800 }, { width: 375, height: 667 }]) {
    await attempt(`${label}: at ${vp.width} px the error summary's top is in the first screen`, async () => {
      await page.setViewportSize(vp);
      const top = await page.evaluate(() => {
        const e = document.querySelector('.error-summary');
        return e ? e.getBoundingClientRect().top + window.scrollY : null;
      });
      await page.setViewportSize(DESKTOP);
      if (top === null) return 'no .error-summary on the page';
      return top < vp.height ? true : `it starts ${Math.round(top)} px down, below the ${vp.height} px screen`;
    });
  }
  if (withJs) {
    await attempt(`${label}: the error summary has focus`, async () => {
      try {
        await page.waitForFunction(() => document.activeElement &&
          document.activeElement.classList.contains('error-summary'), null, { timeout: 5000 });
      } catch (e) {
        return `focus is on ${show(await active(page))}`;
      }
      return true;
    });
  }
  const links = await page.evaluate(() => [...document.querySelectorAll('.error-summary a')]
    .map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
  await attempt(`${label}: the summary lists each problem`, () => {
    const targets = links.map((l) => (l.href || '').replace(/^#/, ''));
    const problems = [];
    if (targets.length !== ERROR_TARGETS.length ||
        !ERROR_TARGETS.every((t, i) => (t instanceof RegExp ? t.test(targets[i]) : t === targets[i]))) {
      problems.push(`links to ${targets.join(', ') || 'nothing'}; expected ${ERROR_TARGETS.map(String).join(', ')}`);
    }
    const date = links.find((l) => /^#when_happened-/.test(l.href || ''));
    if (date && !/today or in the past/.test(date.text)) problems.push(`the date's message is "${date.text}"`);
    return problems.length ? problems : true;
  });
  // Each link in turn: with a script, from the focused summary, Tab to the
  // link (the summary is focused again before each); without one, Tab from
  // the top of the page to the first link and Shift+Tab back up from the
  // field the last link went to. Then Enter.
  for (let i = 0; i < links.length; i++) {
    const target = (links[i].href || '').replace(/^#/, '');
    await attempt(`${label}: Tab and Enter on summary link ${i + 1} focus #${target}`, async () => {
      if (withJs) {
        await page.evaluate(() => document.querySelector('.error-summary').focus());
        for (let n = 0; n <= i; n++) await page.keyboard.press('Tab');
      } else {
        await moveToSummaryLink(page, i);
      }
      const a = await active(page);
      if (!a || a.href !== links[i].href) return `Tab reached ${show(a)}, not the link to #${target}`;
      await page.keyboard.press('Enter');
      try {
        await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id,
          target, { timeout: 3000 });
      } catch (e) {
        return `after Enter focus is on ${show(await active(page))}`;
      }
      return true;
    });
  }
  await attempt(`${label}: the answers typed are kept`, async () => {
    const got = await page.evaluate((ids) => {
      const out = {};
      for (const id of ids) {
        const e = document.getElementById(id);
        out[id] = e ? e.value : null;
      }
      const yes = document.getElementById('on_behalf');
      out.on_behalf = yes && yes.checked ? 'yes' : null;
      const box = document.getElementById('on_behalf-1-reveal');
      out.reveal = !!box && !box.hidden && box.getClientRects().length > 0;
      return out;
    }, Object.keys(ERROR_KEPT));
    const problems = [];
    for (const [id, v] of Object.entries(ERROR_KEPT)) {
      const same = got[id] === v;
      if (!same) problems.push(`#${id} holds ${JSON.stringify(got[id])}, typed ${JSON.stringify(v)}`);
    }
    if (got.on_behalf !== 'yes') problems.push('"Yes" for on_behalf is no longer chosen');
    if (!got.reveal) problems.push('the questions revealed by "Yes" are not shown');
    return problems.length ? problems : true;
  });
  await attempt(`${label}: each box in error has a red border`, async () => {
    const bad = await page.evaluate(() => {
      const out = [];
      const fields = document.querySelectorAll('input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"]');
      for (const e of fields) {
        if (e.type === 'radio' || e.type === 'checkbox' || e.type === 'file') continue;
        const colour = getComputedStyle(e).borderTopColor;
        if (colour !== 'rgb(179, 33, 43)') out.push(`#${e.id} has border ${colour}, class "${e.className}"`);
      }
      return fields.length ? out : ['no field is marked aria-invalid'];
    });
    return bad.length ? bad : true;
  });
  await keepServed(page, `${label} errors`);
  await attempt(`${label}: axe on the error page`, () => axe(page, ctx));
  await attempt(`${label}: the error page reflows at 320px`, () => reflow(page));
  return response;
}

// Presses Tab (or Shift+Tab, when the link is above the focus) until
// summary link i has focus.
async function moveToSummaryLink(page, i) {
  for (let n = 0; n < MAX_TABS; n++) {
    const where = await page.evaluate((k) => {
      const l = document.querySelectorAll('.error-summary a')[k];
      const e = document.activeElement;
      if (!l) return 'none';
      if (e === l) return 'on';
      if (!e || e === document.body) return 'below';
      return e.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING ? 'below' : 'above';
    }, i);
    if (where === 'on') return;
    if (where === 'none') break;
    await page.keyboard.press(where === 'below' ? 'Tab' : 'Shift+Tab');
  }
  throw new Error(`summary link ${i + 1} not reached in ${MAX_TABS} presses of Tab or Shift+Tab`);
}

// ---------------------------------------------------------------- main

async function main() {
  const siteArg = process.argv[2];
  const shotDir = path.resolve(process.argv[3] || path.join(ROOT, 'test-output', 'screenshots'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'threecs-forms-'));
  fs.chmodSync(scratch, 0o755); // intake serve, run as nobody, reads in it
  const cleanup = [() => fs.rmSync(scratch, { recursive: true, force: true })];
  let intake = null;
  let browser = null;
  const ctx = { spool: path.join(scratch, 'spool'), base: null, pages: {} };
  // Also when the time limit below ends the process early.
  process.on('exit', () => {
    if (intake && intake.child && intake.child.exitCode === null) {
      try { intake.child.kill('SIGKILL'); } catch (e) { /* gone already */ }
    }
    try { fs.rmSync(scratch, { recursive: true, force: true }); } catch (e) { /* best effort */ }
  });
  try {
    let site;
    if (siteArg) {
      site = path.resolve(siteArg);
    } else {
      site = path.join(scratch, 'site');
      const b = spawnSync(SITEGEN, ['build', '--out', site, '--quiet'],
        { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
      if (b.status !== 0) {
        console.error(`forms: bin/sitegen build failed: ${oneLine(b.stderr || b.error, 300)}`);
        return 2;
      }
    }
    if (!fs.existsSync(site)) {
      console.error(`forms: site folder ${siteArg} not found`);
      return 2;
    }
    const missing = FORMS.flatMap((f) => [`.threecs/forms/${f}.html`, `.threecs/received/${f}.html`])
      .filter((f) => !fs.existsSync(path.join(site, f)));
    if (!check('the site holds the shells intake needs', missing.length === 0,
      [`missing ${missing.join(', ')} under ${siteArg || site}: build it with bin/sitegen build --out`])) {
      return finish();
    }
    ctx.pages = findFormPages(site);
    const noPage = FORMS.filter((f) => !ctx.pages[f]);
    check('each form is on a page', noPage.length === 0, [`no page holds form ${noPage.join(', ')}`]);

    fs.mkdirSync(ctx.spool);
    intake = await startIntake(site, ctx.spool);
    ctx.base = intake.base;
    cleanup.unshift(() => stopIntake(intake.child));

    const pdf = { name: 'evidence.pdf', bytes: makePdf() };
    const pdfPath = path.join(scratch, pdf.name);
    fs.writeFileSync(pdfPath, pdf.bytes);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000 });
    const blocked = new Set();
    const scriptErrors = [];
    const contexts = {};
    for (const [name, js] of [['js', true], ['nojs', false], ['axe', true]]) {
      const c = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: js, serviceWorkers: 'block' });
      c.setDefaultTimeout(WAIT);
      c.setDefaultNavigationTimeout(WAIT);
      // Everything must come from intake; nothing else is fetched.
      await c.route('**/*', (route) => {
        const u = route.request().url();
        if (name === 'axe' && /\.m?js(\?|$)/.test(new URL(u).pathname)) return route.abort();
        if (u === ctx.base || u.startsWith(ctx.base + '/') || u.startsWith('data:')) return route.continue();
        blocked.add(u);
        return route.abort();
      });
      const page = await c.newPage();
      page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) scriptErrors.push(`${page.url()}: ${m.text()}`);
      });
      contexts[name] = page;
    }
    const jsPage = contexts.js;
    const noJsPage = contexts.nojs;
    ctx.noJsPage = noJsPage;
    ctx.axePage = contexts.axe;

    if (ctx.pages.complaint) {
      await attempt('complaint (JavaScript): the questions "Yes" reveals are hidden until it is chosen', async () => {
        await load(jsPage, ctx.base + ctx.pages.complaint);
        const hidden = await jsPage.evaluate(() => {
          const b = document.getElementById('on_behalf-1-reveal');
          return b ? b.getClientRects().length === 0 : null;
        });
        if (hidden === null) return 'no #on_behalf-1-reveal on the page';
        return hidden ? true : 'they are shown before "Yes" is chosen';
      });
      await attempt('complaint (no JavaScript): the questions "Yes" reveals are shown', async () => {
        await load(noJsPage, ctx.base + ctx.pages.complaint);
        const shown = await noJsPage.evaluate(() => {
          const b = document.getElementById('on_behalf-1-reveal');
          return b ? b.getClientRects().length > 0 : null;
        });
        if (shown === null) return 'no #on_behalf-1-reveal on the page';
        return shown ? true : 'they are hidden';
      });

      const shots = async () => {
        try {
          fs.mkdirSync(shotDir, { recursive: true });
          for (const width of [375, 1280]) {
            await jsPage.setViewportSize({ width, height: 800 });
            await jsPage.locator('form').screenshot({ path: path.join(shotDir, `complaint-form-${width}.png`) });
          }
        } catch (e) {
          console.log(`screenshots: not taken: ${errText(e)}`);
        } finally {
          await jsPage.setViewportSize(DESKTOP);
        }
      };
      await fillAndSend(ctx, jsPage, {
        label: 'complaint (JavaScript)', form: 'complaint', steps: complaintSteps(pdfPath),
        values: COMPLAINT_VALUES, file: pdf, shots,
      });
      await fillAndSend(ctx, noJsPage, {
        label: 'complaint (no JavaScript)', form: 'complaint', steps: complaintSteps(pdfPath),
        values: COMPLAINT_VALUES, file: pdf,
      });
      await keptFileFlow(ctx, noJsPage, pdf, pdfPath);
    }
    // Every form works with and without JavaScript.
    for (const [page, how] of [[jsPage, 'JavaScript'], [noJsPage, 'no JavaScript']]) {
      if (ctx.pages.feedback) {
        await fillAndSend(ctx, page, {
          label: `feedback (${how})`, form: 'feedback', steps: FEEDBACK_STEPS, values: FEEDBACK_VALUES,
        });
      }
      if (ctx.pages.review) {
        await fillAndSend(ctx, page, {
          label: `review (${how})`, form: 'review', steps: REVIEW_STEPS, values: REVIEW_VALUES,
        });
      }
    }
    if (ctx.pages.complaint) {
      await errorFlow(ctx, jsPage, true);
      try {
        for (const width of [375, 1280]) {
          await jsPage.setViewportSize({ width, height: 800 });
          await jsPage.locator('form').screenshot({ path: path.join(shotDir, `complaint-errors-${width}.png`) });
        }
        await jsPage.setViewportSize(DESKTOP);
      } catch (e) {
        console.log(`screenshots: not taken: ${errText(e)}`);
      }
      await errorFlow(ctx, noJsPage, false);
    }

    // The status pages intake answers with (413, 429, 500...): each is
    // shown at an address of intake's as it would be and checked by axe.
    const statusDir = path.join(site, '.threecs', 'status');
    const statusPages = fs.existsSync(statusDir) ? fs.readdirSync(statusDir).filter((f) => f.endsWith('.html')) : [];
    check('the site holds intake\'s status pages', statusPages.length >= 10,
      [`${statusPages.length} in ${statusDir}`]);
    for (const f of statusPages.sort()) {
      await attempt(`status page ${f}: axe`, async () => {
        const url = `${ctx.base}/submit/status-check-${f.replace(/\.html$/, '')}`;
        const html = fs.readFileSync(path.join(statusDir, f), 'utf8').replace(/<!--threecs:value-->/g, '10');
        await ctx.axePage.route(url, (route) => route.fulfill({
          status: 200, contentType: 'text/html; charset=utf-8', body: html,
        }), { times: 1 });
        await load(ctx.axePage, url);
        const h1 = await ctx.axePage.evaluate(() => (document.querySelector('main h1') || {}).textContent || '');
        if (!h1.trim()) return 'no heading in the main content';
        return axeRun(ctx.axePage);
      });
    }

    check('no script errors or Content-Security-Policy reports', scriptErrors.length === 0,
      scriptErrors.map((e) => oneLine(e, 200)));
    check('no requests outside the site', blocked.size === 0, [...blocked]);
  } catch (e) {
    check('the form tests ran to the end', false, [errText(e)]);
    if (intake && process.env.VERBOSE) console.log(intake.log());
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const f of cleanup) {
      try { await f(); } catch (e) { /* best effort */ }
    }
  }
  return finish();
}

function finish() {
  const bad = results.filter((r) => !r.ok);
  for (const r of results) {
    if (process.env.VERBOSE && r.ok) console.log(`ok   ${r.name}`);
  }
  for (const r of bad) {
    console.log(`FAIL ${r.name}${r.details.length ? ': ' + r.details[0] : ''}`);
    for (const d of r.details.slice(1)) console.log(`    ${d}`);
  }
  console.log(`forms: ${results.length - bad.length} passed, ${bad.length} failed`);
  return bad.length ? 1 : 0;
}

if (require.main === module) {
  // A hung browser or intake must not hang the test run.
  const limit = Number(process.env.FORMS_TEST_TIMEOUT || 300);
  setTimeout(() => {
    console.error(`forms: gave up after ${limit} s`);
    process.exit(2); // the exit handler kills intake
  }, limit * 1000).unref();
  main().then(
    (code) => { process.exitCode = code; },
    (e) => {
      console.error(`forms: ${e && e.stack ? e.stack : e}`);
      process.exitCode = 2;
    },
  );
}
