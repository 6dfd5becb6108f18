/**
 * A sandbox: one execution environment of a Lambda function, in a worker thread or a child
 * process, running the handler as the Lambda Node.js runtime does. Its init loads the handler
 * (with the `awslambda` global installed); then, one at a time, each invocation the gateway sends
 * runs and its output goes back as it is written; between invocations the sandbox is frozen.
 */
import { workerData } from 'worker_threads';
import { installAwsLambda } from './awslambda';
import { Init, runInvocation } from './invocation';
import { gatewayLink, SandboxThreadData } from './link';
import { handlerLocation, loadHandler } from './loader';
import { collectAndCheck } from './memory';
import { Output } from './output';
import { sendPrinted } from './printed';
import { confineSignals } from './signals';
import type { ToSandbox } from '../protocol';

const link = gatewayLink();
const memoryMb = (workerData as SandboxThreadData | undefined)?.memoryMb ?? Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0);
const output = new Output(link);
let init: Init | undefined;

confineSignals(link.inThread, (signal) => link.post({ type: 'signal', signal }));
if (link.inThread) sendPrinted(link);

function dispatch(message: ToSandbox): void {
  switch (message?.type) {
    case 'invoke': void runInvocation(init!, message, output).then(() => link.idle(dispatch)); break;
    case 'ack': output.acknowledged(message.bytes); break;
    case 'collect': link.post({ type: 'collected', over: collectAndCheck(memoryMb) }); break;
  }
}

link.onMessage(dispatch);
void (async () => {
  installAwsLambda();
  try {
    const { taskRoot, handlerSpec, searchDirs } = handlerLocation();
    init = { handler: await loadHandler(taskRoot, handlerSpec, { searchDirs }) };
  } catch (error) {
    init = { error: error as Error };
  }
  link.post({ type: 'ready' });
  link.idle(dispatch);
})();
