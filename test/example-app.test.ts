import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAssembly } from '../local-gateway/assembly';

// The example app synthesizes offline through the real aws-cdk CLI (a dev dependency).

const ROOT = path.join(__dirname, '..');

test('examples/app.ts synthesizes with the aws-cdk CLI and every Lambda route streams', () => {
  // GIVEN
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'example-cdk-out-'));
  try {
    // WHEN
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
      cwd: path.join(ROOT, 'examples'),
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    // THEN
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const routes = readAssembly(out);
    const lambdaRoutes = routes.filter((r) => r.integrationType === 'AWS_PROXY');
    expect(lambdaRoutes.length).toBeGreaterThanOrEqual(4);
    for (const route of lambdaRoutes) {
      expect(route).toMatchObject({ transferMode: 'STREAM', lambdaUriKind: 'streaming', unsupported: undefined });
      expect(route.timeoutMs).toBe(['/assistant', '/mcp'].includes(route.path) ? 300_000 : 900_000);
    }
    expect(routes).toContainEqual(expect.objectContaining({ path: '/proxy/{proxy+}', integrationType: 'HTTP_PROXY', transferMode: 'STREAM', url: 'https://backend.example.com/{proxy}' }));
    // The bundled handlers are in the assembly, ready for the local gateway.
    const assets = fs.readdirSync(out).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(3);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
