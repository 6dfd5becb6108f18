import * as fs from 'fs';
import * as path from 'path';
import { installAwsLambda, uninstallAwsLambda } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../../support/events';

// docs/mcp-runtime.md shows the files of doc-examples/ (type-checked and linted with the tests),
// with the package's import paths: the two must not drift apart.
const DOC = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'mcp-runtime.md'), 'utf8');
const EXAMPLES = path.join(__dirname, 'doc-examples');

/** An example file as the doc shows it: no lint comments, the package's import paths. */
function asDocumented(file: string): string {
  return fs.readFileSync(path.join(EXAMPLES, file), 'utf8').split('\n').filter((line) => !line.includes('eslint-disable')).join('\n')
    .replace(/'(\.\.\/)+lambda-assets\/runtime(\/jwt)?'/g, (_m, _dots, jwt) => `'cdk-streaming-rest-api/runtime${jwt ?? ''}'`).trimEnd();
}

test.each(fs.readdirSync(EXAMPLES))('the doc shows %s as it is', (file) => {
  const shown = new RegExp(`<!-- example: ${file.replace('.', '\\.')} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC)?.[1];
  expect(shown).toBe(asDocumented(file));
});

test('the Hono example answers under the stage', async () => {
  installAwsLambda();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('./doc-examples/hono') as typeof import('./doc-examples/hono');
    const event = restProxyEvent({ path: '/hello/ann', headers: { host: 'abc.execute-api.us-east-1.amazonaws.com' } });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, event)).body);
    expect(metadata.statusCode).toBe(200);
    expect(JSON.parse(body.toString())).toEqual({ hello: 'ann' });
  } finally {
    uninstallAwsLambda();
  }
});
