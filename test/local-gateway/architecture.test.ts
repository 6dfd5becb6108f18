import * as fs from 'fs';
import * as path from 'path';

// The gateway's layers import downward only: no cycle, even through `import type` (eslint's
// import/no-cycle does not follow type imports), and no file over 250 lines. The sandbox (the
// code that runs inside an execution environment) imports nothing of the gateway's but the leaf
// modules it shares with it.

const ROOT = path.join(__dirname, '..', '..', 'local-gateway');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Every relative import of a file, `import type` and `export ... from` included, resolved to a file. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]);
  return specifiers.map((s) => path.resolve(path.dirname(file), s))
    .map((p) => [`${p}.ts`, path.join(p, 'index.ts')].find((f) => fs.existsSync(f)))
    .filter((f): f is string => f !== undefined && f.startsWith(ROOT));
}

test('local-gateway has no import cycle, type imports included', () => {
  const graph = new Map(sources(ROOT).map((file) => [file, imports(file)]));
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
  // (the check finds a cycle when there is one)
  expect(graph.size).toBeGreaterThan(30);
});

test('no local-gateway source file is over 250 lines', () => {
  const long = sources(ROOT).map((file) => [path.relative(ROOT, file), fs.readFileSync(file, 'utf8').split('\n').length - 1] as const).filter(([, lines]) => lines > 250);
  expect(long).toEqual([]);
});

test('the sandbox imports only the leaf modules it shares with the gateway', () => {
  const shared = new Set(['lambda/event.ts', 'lambda/outcome.ts', 'lambda/protocol.ts', 'time.ts']);
  const reached = sources(path.join(ROOT, 'lambda', 'sandbox')).flatMap(imports).map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('lambda/sandbox/'));
  expect([...new Set(reached)].filter((f) => !shared.has(f))).toEqual([]);
});
