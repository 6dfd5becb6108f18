/**
 * A small CDK app for the hot reload tests and `bench/watch-reload.ts`, written to a temporary
 * folder: a StreamingFunction (`Hello`, TypeScript, importing `message.ts`), a plain
 * NodejsFunction (`Plain`) and a `lib/config.ts` that the app itself imports. Its synth command
 * runs `app.ts` with tsx against this repository's `src/`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..', '..');

export const HOT_APP_FILES = {
  'app.ts': `import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { StreamingFunction, StreamingRestApi } from ${JSON.stringify(path.join(ROOT, 'src'))};
import { greeting } from './lib/config';

const app = new App();
const stack = new Stack(app, 'HotApp');
const api = new StreamingRestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
const hello = new StreamingFunction(stack, 'Hello', { entry: path.join(__dirname, 'lib', 'handlers', 'hello.ts'), environment: { GREETING: greeting } });
api.addStreamingLambda('/hello', hello, { httpMethod: 'GET' });
const plain = new nodejs.NodejsFunction(stack, 'Plain', { entry: path.join(__dirname, 'lib', 'handlers', 'plain.ts') });
api.addStreamingLambda('/plain', plain, { httpMethod: 'GET' });
app.synth();
`,
  'lib/config.ts': "export const greeting = 'hi';\n",
  'lib/handlers/message.ts': "export const message = 'version 1';\n",
  'lib/handlers/hello.ts': `import { message } from './message';
declare const awslambda: any;
export const handler = awslambda.streamifyResponse(async (event: any, stream: any) => {
  const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
  s.write(\`\${message} \${process.env.GREETING}\`);
  const wait = Number(event.queryStringParameters?.wait ?? 0);
  if (wait > 0) {
    await new Promise((r) => setTimeout(r, wait));
    s.write(\` \${message}\`);
  }
  s.end();
});
`,
  'lib/handlers/plain.ts': `declare const awslambda: any;
export const handler = awslambda.streamifyResponse(async (_event: any, stream: any) => {
  const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
  s.write('plain 1');
  s.end();
});
`,
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', noEmit: true, skipLibCheck: true, types: ['node'] }, include: ['lib/handlers/**/*.ts'] }),
  'package.json': JSON.stringify({ name: 'hot-app', version: '0.0.0', private: true }),
  'package-lock.json': JSON.stringify({ name: 'hot-app', version: '0.0.0', lockfileVersion: 3, requires: true, packages: {} }),
};

/** Writes the app to a new temporary folder (with this repository's node_modules linked); returns it. */
export function makeHotApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hot-app-'));
  for (const [file, text] of Object.entries(HOT_APP_FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({
    app: `"${process.execPath}" "${require.resolve('tsx/cli')}" app.ts`,
    watch: { include: ['**'], exclude: ['README.md', 'cdk*.json', '**/*.d.ts', 'tsconfig.json', 'package*.json'] },
  }));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Replaces `from` with `to` in an app file (written in place). */
export function editApp(dir: string, file: string, from: string | RegExp, to: string): void {
  const at = path.join(dir, file);
  const text = fs.readFileSync(at, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file} has no ${from}`);
  fs.writeFileSync(at, next);
}
