#!/usr/bin/env node
// Runs before `npm pack` (the `prepack` script) and `npx projen package:js`: the npm package is
// build output, so on a fresh clone packing would "succeed" with a tarball that has no lib/.
// Fails, naming what is missing and the command that builds it, unless every file that
// package.json points at (main, types, bin, exports), the jsii assembly and each pattern
// handler's bundle exist.
//
// With --build, it builds them instead (`projen pre-compile` and `compile`): `npm test` starts so,
// because some tests read the package (.jsii, the packed tarball) and a fresh clone has none.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Every file path named in an `exports` entry (strings or condition objects). */
function exportTargets(entry) {
  if (typeof entry === 'string') return [entry];
  if (entry && typeof entry === 'object') return Object.values(entry).flatMap(exportTargets);
  return [];
}

const wanted = new Set(['.jsii', pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}), ...exportTargets(pkg.exports ?? {})]
  .filter(Boolean).map((f) => path.normalize(f)));
const handlers = path.join(root, 'lambda-assets', 'handlers');
if (fs.existsSync(handlers)) {
  for (const name of fs.readdirSync(handlers)) {
    if (fs.existsSync(path.join(handlers, name, 'index.ts'))) wanted.add(path.join('assets', 'handlers', name, 'index.js'));
  }
}

const missing = [...wanted].filter((f) => !fs.existsSync(path.join(root, f))).sort();
if (missing.length > 0 && process.argv.includes('--build')) {
  console.error(`The package is not built (${missing.length} files missing): building it with projen pre-compile and compile.`);
  for (const task of ['pre-compile', 'compile']) {
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'projen'), [task], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
} else if (missing.length > 0) {
  console.error([
    `The package is not built: ${missing.length} of its files are missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}).`,
    'Build it first:  npx projen build                              (everything, with the tests)',
    '             or  npx projen pre-compile && npx projen compile  (the package files only, quicker)',
    'then run npm pack or npx projen package:js again.',
  ].join('\n'));
  process.exit(1);
}
