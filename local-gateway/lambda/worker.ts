/**
 * A function worker: a worker thread or child process that runs a Lambda function's handler in
 * the Lambda runtime stand-in, like a warm Lambda sandbox, one invocation at a time. Invocations
 * arrive and response bytes leave through its channel to the gateway (channel.ts). A thread of
 * `shared` isolation hosts many environments of one function instead (host.ts).
 */
import { isMainThread, workerData } from 'worker_threads';
import { gatewayLink, openChannel } from './channel';
import { installAwsLambda } from './emulator';
import { runHost } from './host';
import { runInvocation } from './invocation';
import { handlerLocation, loadHandler, LoadedHandler } from './loader';
import { confineSelfSignals } from './signals';

function runSingle(): void {
  const channel = openChannel();
  /** Loading the handler is the environment's init phase (ES modules and top-level await included). */
  const loading: Promise<{ handler?: LoadedHandler; error?: Error }> = (async () => {
    installAwsLambda();
    try {
      const { taskRoot, handlerSpec, searchDirs } = handlerLocation();
      return { handler: await loadHandler(taskRoot, handlerSpec, { searchDirs }) };
    } catch (error) {
      return { error: error as Error };
    }
  })();
  channel.onInvoke((message) => void runInvocation(loading, message, channel));
  void loading.then(() => channel.ready());
}

// A signal a handler sends its own process or group ends its environment only (signals.ts).
confineSelfSignals(!isMainThread, (signal) => gatewayLink().port.postMessage({ type: 'signal', signal }));
if ((workerData as { shared?: boolean } | undefined)?.shared) runHost();
else runSingle();
