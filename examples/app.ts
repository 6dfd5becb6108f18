/**
 * The example app: a StreamingRestApi with streamed Lambda routes and a streamed HTTP proxy route.
 *
 * It uses the library from source (`../src`). Synthesize it offline with
 * `npx cdk synth` in this folder, or run `npm run demo` at the repository root.
 */
import { App } from 'aws-cdk-lib';
import { StreamingExampleStack } from './stack';

const app = new App();
new StreamingExampleStack(app, 'StreamingExample');
app.synth();
