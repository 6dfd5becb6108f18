#!/usr/bin/env node
// Finishes the ES module build of the handler runtime (`compile:runtime`), which tsc wrote to
// lib/runtime/esm/ from sources whose relative imports have no extension (as the CommonJS build,
// jest and ts-node need them): Node's ES module loader needs the full file name, so each relative
// specifier in the .js and .d.ts files gets its `.js` (or `/index.js`), found with TypeScript's own
// import scanner. Then lib/runtime/esm/package.json marks the folder as ES modules without side
// effects, so Node loads the files as ESM and bundlers drop the modules a handler does not use.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..', 'lib', 'runtime', 'esm');

/** The specifier with the file name Node's ESM loader wants (`./sse` -> `./sse.js`, `./dir` -> `./dir/index.js`). */
function withExtension(file, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return specifier;
  if (/\.(m|c)?js$/.test(specifier)) return specifier;
  const target = path.resolve(path.dirname(file), specifier);
  if (fs.existsSync(`${target}.js`)) return `${specifier}.js`;
  if (fs.existsSync(path.join(target, 'index.js'))) return `${specifier}/index.js`;
  throw new Error(`${path.relative(root, file)}: '${specifier}' names no compiled file`);
}

function finish(file) {
  const text = fs.readFileSync(file, 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  let out = '';
  let at = 0;
  for (const ref of importedFiles.sort((a, b) => a.pos - b.pos)) {
    // (a reference's range starts at the literal's opening quote)
    const start = text.indexOf(ref.fileName, ref.pos);
    out += text.slice(at, start) + withExtension(file, ref.fileName);
    at = start + ref.fileName.length;
  }
  fs.writeFileSync(file, out + text.slice(at));
}

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (full.endsWith('.js') || full.endsWith('.d.ts')) finish(full);
  }
}

walk(root);
fs.writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({ type: 'module', sideEffects: false }, null, 2)}\n`);
