#!/usr/bin/env node
// Nu HTML checker over every .html and .css file of a generated site, in one
// JVM run. One check per file: no errors (warnings are not reported).
//
//   node tests/browser/nu.js SITE_DIR
//
// Prints one line per failing file (each error below it as FILE:LINE:COL:
// message), then "nu: N passed, N failed". Exit status: 0 all passed,
// 1 some file has errors, 2 the checker could not run.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { fileURLToPath } = require('url');
const { findFiles, siteRoot } = require('./common');

const VNU_JAR = path.join(__dirname, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

function main() {
  const root = siteRoot('nu', 'SITE_DIR');
  if (!root) return 2;
  const files = findFiles(root, /\.(html|css)$/i, false);
  if (files.length === 0) {
    console.error(`nu: no .html or .css files under ${root}`);
    return 2;
  }
  const run = spawnSync(JAVA, [
    '-jar', VNU_JAR,
    '--errors-only', '--format', 'json', '--stdout', '--also-check-css',
    ...files,
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    console.error(`nu: could not run ${JAVA}: ${run.error.message}`);
    return 2;
  }
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch (e) {
    console.error(`nu: the checker gave no JSON report (exit ${run.status})`);
    if (run.stderr) console.error(run.stderr.trim().split('\n').slice(0, 20).join('\n'));
    return 2;
  }

  const errors = new Map(files.map((f) => [f, []]));
  const stray = [];
  for (const m of report.messages || []) {
    if (m.type !== 'error' && m.type !== 'non-document-error') continue;
    let file = null;
    try {
      file = m.url ? fileURLToPath(m.url) : null;
    } catch (e) {
      file = null;
    }
    const line = m.lastLine || m.firstLine || 0;
    const col = m.firstColumn || m.lastColumn || 0;
    const text = `${line}:${col}: ${String(m.message).replace(/\s+/g, ' ').trim()}`;
    if (file && errors.has(file)) errors.get(file).push(text);
    else stray.push(`${m.url || '(no file)'}: ${text}`);
  }

  let passed = 0;
  let failed = 0;
  for (const [file, list] of errors) {
    let rel = path.relative(process.cwd(), file);
    if (rel.startsWith('..')) rel = file;
    if (list.length === 0) {
      passed++;
      continue;
    }
    failed++;
    console.log(`FAIL nu on ${rel}: ${list.length} error(s)`);
    for (const e of list) console.log(`    ${rel}:${e}`);
  }
  if (stray.length) {
    failed++;
    console.log(`FAIL nu run: ${stray.length} error(s) not tied to a checked file`);
    for (const e of stray) console.log(`    ${e}`);
  }
  console.log(`nu: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = main();
