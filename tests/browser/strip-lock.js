#!/usr/bin/env node
// Rewrites package-lock.json without any "resolved" field, so the committed
// lock holds package names, versions and integrity hashes but no download
// addresses. npm ci still installs from it (through the configured registry)
// and still verifies every integrity hash.
//
//   node strip-lock.js [path/to/package-lock.json]
'use strict';

const fs = require('fs');
const path = require('path');

const file = path.resolve(process.argv[2] || path.join(__dirname, 'package-lock.json'));
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));

let removed = 0;
function strip(value) {
  if (Array.isArray(value)) {
    value.forEach(strip);
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === 'resolved') {
        delete value[key];
        removed++;
      } else {
        strip(value[key]);
      }
    }
  }
}
strip(lock);

const tmp = file + '.tmp';
fs.writeFileSync(tmp, JSON.stringify(lock, null, 2) + '\n');
fs.renameSync(tmp, file);
console.log(`strip-lock: ${path.basename(file)}: removed ${removed} "resolved" field(s)`);
