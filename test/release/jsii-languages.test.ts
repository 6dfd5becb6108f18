import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The jsii targets Construct Hub shows: jsii-pacmak generates Python, Java, .NET and Go bindings
// for every public type under the configured module names, and the Python sources compile.
// (Building the Java and .NET packages needs Maven Central and NuGet; see scripts/package-languages.sh.)

const ROOT = path.join(__dirname, '..', '..');
const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
const publicTypes: string[] = Object.values<any>(assembly.types).map((t) => t.name);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pacmak-'));

beforeAll(() => {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'),
    ['--code-only', '--targets', 'python,java,dotnet,go', '--outdir', out, ROOT], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`jsii-pacmak failed: ${result.stderr}`);
});

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test('the assembly has the library\'s public types', () => {
  expect(publicTypes).toEqual(expect.arrayContaining(['StreamingRestApi', 'StreamingValidator', 'StreamingBedrockChat', 'StreamingFunction']));
});

test('Python: module cdk_streaming_rest_api declares every public type, and compiles', () => {
  const init = path.join(out, 'python', 'src', 'cdk_streaming_rest_api', '__init__.py');
  const source = fs.readFileSync(init, 'utf8');
  for (const name of publicTypes) expect(source).toMatch(new RegExp(`^class ${name}\\b`, 'm'));
  const compiled = spawnSync('python3', ['-m', 'compileall', '-q', path.dirname(init)], { encoding: 'utf8' });
  expect(compiled.stderr + compiled.stdout).toBe('');
  expect(compiled.status).toBe(0);
  expect(fs.readFileSync(path.join(out, 'python', 'pyproject.toml'), 'utf8') + fs.readFileSync(path.join(out, 'python', 'setup.py'), 'utf8'))
    .toMatch(/cdk-streaming-rest-api/);
});

test('Java: package io.github.cdkstreamingrestapi has a class per public type', () => {
  const dir = path.join(out, 'java', 'src', 'main', 'java', 'io', 'github', 'cdkstreamingrestapi');
  for (const name of publicTypes) expect(fs.existsSync(path.join(dir, `${name}.java`))).toBe(true);
  expect(fs.readFileSync(path.join(out, 'java', 'pom.xml'), 'utf8')).toMatch(/<groupId>io.github.cdk-streaming-rest-api<\/groupId>\s*<artifactId>cdk-streaming-rest-api<\/artifactId>/);
});

test('.NET: namespace CdkStreamingRestApi has a class per public type', () => {
  const dir = path.join(out, 'dotnet', 'CdkStreamingRestApi', 'CdkStreamingRestApi');
  const files = fs.readdirSync(dir);
  for (const name of publicTypes) expect(files).toContain(`${name}.cs`);
});

test('Go: module github.com/cdk-streaming-rest-api/cdk-streaming-rest-api-go declares every public type', () => {
  const dir = path.join(out, 'go', 'cdkstreamingrestapi');
  expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8')).toMatch(/^module github.com\/cdk-streaming-rest-api\/cdk-streaming-rest-api-go\/cdkstreamingrestapi$/m);
  const source = fs.readdirSync(dir).filter((f) => f.endsWith('.go')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  for (const name of publicTypes) expect(source).toMatch(new RegExp(`^type ${name} `, 'm'));
});
