import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The integration test's app, synthesized without deploying: its templates (the stack under test
// and the assertion stack) are compared with the committed snapshot, and the parts that make the
// test meaningful are asserted outright.

interface Manifest {
  readonly artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
}

function synthesizeInteg(): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./integ.streaming-rest-api');
    });
    const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const templates: Record<string, any> = {};
    for (const [id, artifact] of Object.entries(manifest.artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack') continue;
      templates[id] = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties!.templateFile!), 'utf8'));
    }
    return templates;
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const templates = synthesizeInteg();

const resources = (template: any, type: string): any[] =>
  Object.values(template.Resources ?? {}).filter((r: any) => r.Type === type);

test('the stack under test streams its route', () => {
  const methods = resources(templates.StreamingRestApiInteg, 'AWS::ApiGateway::Method');
  expect(methods).toHaveLength(1);
  expect(methods[0].Properties).toMatchObject({ HttpMethod: 'GET', Integration: { Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM', TimeoutInMillis: 900000 } });
  expect(JSON.stringify(methods[0].Properties.Integration.Uri)).toContain('/response-streaming-invocations');
});

test('the assertion stack calls the streamed route and reads the access log', () => {
  const assertStack = Object.keys(templates).find((id) => id !== 'StreamingRestApiInteg')!;
  expect(assertStack).toMatch(/DeployAssert/);
  const text = JSON.stringify(templates[assertStack]);
  expect(text).toContain('chat?words=5&delay=20');
  expect(text).toContain('event: token');
  expect(text).toContain('filterLogEvents');
  expect(text).toMatch(/responseTransferMode = .*STREAMED/);
});

/** The assertion custom resources carry a time-based `salt` (to run on every deployment). */
function withoutSalt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSalt);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'salt' ? '[SALT]' : withoutSalt(v)]));
}

test('the templates match the committed snapshot', () => {
  expect(withoutSalt(templates)).toMatchSnapshot();
});
