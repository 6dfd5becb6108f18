/**
 * `npm run demo`: synthesize the example app with the aws-cdk CLI, then show its streamed methods.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { listRoutes, Route } from './routes';

const ROOT = path.join(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const ASSEMBLY = path.join(EXAMPLES, 'cdk.out');

function synth(): void {
  console.log('Synthesizing examples/app.ts with the aws-cdk CLI (offline)...');
  const cdk = path.join(ROOT, 'node_modules', '.bin', 'cdk');
  const result = spawnSync(cdk, ['synth', '--quiet', '--no-notices', '--output', ASSEMBLY], {
    cwd: EXAMPLES,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) {
    throw new Error(`cdk synth failed with exit code ${result.status}`);
  }
}

function printTable(routes: Route[]): void {
  const header = ['Path', 'Method', 'Integration', 'Transfer mode', 'Timeout', 'URI kind'];
  const rows = routes.map((r) => [r.path, r.httpMethod, r.integrationType, r.transferMode, r.timeout, r.uriKind]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((row) => console.log(line(row)));
}

function main(): void {
  synth();
  const routes = listRoutes(ASSEMBLY);
  console.log(`\n${routes.filter((r) => r.transferMode === 'STREAM').length} streamed method(s) in ${path.relative(ROOT, ASSEMBLY)}:\n`);
  printTable(routes);
}

main();
