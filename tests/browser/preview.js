'use strict';
// Browser tests of `sitegen serve`, the editors' preview, in Debian's
// chromium: an edit saved to a page appears in the open page without a
// manual reload; a draft shows with its banner under --drafts and not
// without; a build that fails shows its errors in the open page; a form
// post is kept and answered as a preview. axe runs on the draft, error and
// posted pages, and their HTML (as served, with the reload script) is
// written to OUT_DIR for the Nu checker.
//
//   node tests/browser/preview.js OUT_DIR
//
// Ends with "preview: N passed, N failed".

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');
const { CHROMIUM, CHROMIUM_ARGS, axeProblems } = require('./common');

const ROOT = path.resolve(__dirname, '..', '..');
const SITEGEN = path.join(ROOT, 'bin', 'sitegen');
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const WAIT = 15000;

let pass = 0;
let fail = 0;
function check(what, ok, detail) {
  if (ok) {
    pass++;
    console.log(`ok - ${what}`);
  } else {
    fail++;
    console.log(`not ok - ${what}`);
    if (detail) console.log(`    ${String(detail).split('\n').join('\n    ')}`);
  }
  return ok;
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b);
    else fs.copyFileSync(a, b);
  }
}

// Starts the preview; resolves with {child, base, log()}.
function startPreview(content, out, extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(SITEGEN, [
      'serve', '--listen', '127.0.0.1:0', '--content', content,
      '--theme', path.join(ROOT, 'themes', 'default'), '--out', out, ...extra,
    ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no build within ${WAIT} ms: ${log}`)), WAIT);
    function finish(err, v) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err); else resolve(v);
    }
    const onData = (d) => {
      log += d;
      const m = log.match(/previewing .* on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m && /sitegen: built \d+ pages/.test(log)) finish(null, { child, base: m[1], log: () => log });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, sig) => finish(new Error(`sitegen serve stopped (${sig || code}): ${log}`)));
  });
}

function stop(p) {
  return new Promise((resolve) => {
    if (!p || p.child.exitCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
    setTimeout(() => { try { p.child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 3000);
  });
}

async function axeOn(page, what) {
  await page.addScriptTag({ path: AXE_PATH });
  const problems = await axeProblems(page, 5);
  check(`axe: ${what}`, problems.length === 0, problems.join('\n'));
}

async function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: preview.js OUT_DIR');
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-'));
  const content = path.join(scratch, 'content');
  copyDir(path.join(ROOT, 'content'), content);
  fs.writeFileSync(path.join(content, 'draft-notice.md'),
    '---\ntitle: A notice not yet approved\nsummary: A draft page.\ndraft: true\nmenu: false\n---\n\nThis notice waits for approval.\n');
  const contact = path.join(content, 'contact.md');
  const original = fs.readFileSync(contact, 'utf8');
  let preview = null;
  let browser = null;
  try {
    preview = await startPreview(content, path.join(scratch, 'out'), ['--drafts']);
    check('sitegen serve builds and says where it listens', true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000 });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();

    // An edit appears in the open page by itself.
    await page.goto(`${preview.base}/contact/`);
    await page.evaluate(() => { window.__notReloaded = true; });
    fs.writeFileSync(contact, `${original}\n\nThe preview shows this new sentence.\n`);
    let appeared = true;
    try {
      await page.waitForFunction(() => document.body.innerText.includes('The preview shows this new sentence.'), null, { timeout: WAIT });
    } catch (e) { appeared = false; }
    check('an edit appears in the open page without a manual reload', appeared);
    check('the page reloaded itself to show it', await page.evaluate(() => window.__notReloaded === undefined));

    // A build that fails is shown in the open page.
    fs.writeFileSync(contact, `${original}\n\nA [broken link](no-such-page.md).\n`);
    let shown = true;
    try {
      await page.waitForFunction(() => /The site did not build/.test(document.body.innerText), null, { timeout: WAIT });
    } catch (e) { shown = false; }
    check('a failed build shows in the open page', shown);
    const errText = await page.innerText('main');
    check('the error page gives the message with its place', /contact\.md:\d+:\d+: broken link: no page 'no-such-page\.md'/.test(errText), errText);
    check('the error page says it is the preview', /This is the preview, not the published site/.test(errText));
    check('its title starts with Error:', /^Error: /.test(await page.title()));
    await axeOn(page, 'the preview\'s error page');
    fs.writeFileSync(path.join(outDir, 'preview-error.html'), await (await fetch(`${preview.base}/contact/`)).text());
    fs.writeFileSync(contact, original);
    let back = true;
    try {
      await page.waitForFunction(() => !/The site did not build/.test(document.body.innerText), null, { timeout: WAIT });
    } catch (e) { back = false; }
    check('fixing the error brings the page back by itself', back);

    // Drafts with their banner.
    await page.goto(`${preview.base}/draft-notice/`);
    const banner = await page.$('.draft-banner');
    check('under --drafts a draft is shown', /This notice waits for approval/.test(await page.innerText('main')));
    check('with its draft banner', banner !== null && /Draft:/.test(await banner.innerText()));
    await axeOn(page, 'a draft with its banner');
    await page.goto(`${preview.base}/contact/`);
    check('a published page has no draft banner', (await page.$('.draft-banner')) === null);

    // A form post is kept and answered as a preview.
    await page.goto(`${preview.base}/give-feedback/`);
    const res = await page.evaluate(async () => {
      const r = await fetch('/submit/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'feedback_type=compliment&details=Great+%26+quick',
      });
      return { status: r.status, text: await r.text() };
    });
    check('a form post to the preview is answered', res.status === 200, res.status);
    check('and says nothing was sent', /Preview only: nothing was sent/.test(res.text));
    check('and shows what came, escaped', res.text.includes('Great &amp; quick'));
    fs.writeFileSync(path.join(outDir, 'preview-posted.html'), res.text);
    await page.setContent(res.text);
    await axeOn(page, 'the preview\'s posted page');
    const spool = path.join(scratch, 'out', '.preview-spool');
    const kept = fs.existsSync(spool) ? fs.readdirSync(spool) : [];
    check('the post is kept in the preview spool', kept.length === 1, kept.join(' '));
    if (kept.length) {
      check('marked as not real', /^PREVIEW ONLY: not a real submission/.test(fs.readFileSync(path.join(spool, kept[0]), 'utf8')));
    }
    const spoolGet = await fetch(`${preview.base}/.preview-spool/${kept[0] || 'x'}`);
    check('the spool is not served', spoolGet.status === 404, spoolGet.status);
    fs.writeFileSync(path.join(outDir, 'preview-draft.html'), await (await fetch(`${preview.base}/draft-notice/`)).text());
    // Another name for this machine (DNS rebinding) is refused.
    const port = new URL(preview.base).port;
    const foreign = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/contact/', headers: { Host: `evil.example:${port}` } },
        (r) => { r.resume(); resolve(r.statusCode); });
      req.on('error', (e) => resolve(String(e)));
    });
    check('a request naming another host is refused (421)', foreign === 421, foreign);
    const local = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/contact/', headers: { Host: `localhost:${port}` } },
        (r) => { r.resume(); resolve(r.statusCode); });
      req.on('error', (e) => resolve(String(e)));
    });
    check('localhost with the port is the preview', local === 200, local);
    await stop(preview);

    // Without --drafts: no draft.
    preview = await startPreview(content, path.join(scratch, 'out2'), []);
    const r = await fetch(`${preview.base}/draft-notice/`);
    const body = await r.text();
    check('without --drafts a draft is not there', r.status === 404, r.status);
    check('and no page shows a draft banner', !body.includes('draft-banner'));
  } catch (e) {
    check('the preview tests ran', false, e.stack || e);
  } finally {
    if (browser) await browser.close();
    await stop(preview);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`preview: ${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
}

main();
