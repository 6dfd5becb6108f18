import { serve, until } from './support/serve';

// What functions print (on Lambda: their CloudWatch logs) goes to `functionOutput` when it is given,
// from threads and processes alike, each chunk with the stream it was written to; without it, to
// the gateway's own stdout and stderr. Every invocation's lines arrive, also from an environment
// that was frozen between invocations (a worker thread's own stdio would hold all but the first).

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  console.log(JSON.stringify({ message: 'handled', n: event.queryStringParameters.n }));
  console.error('a warning ' + event.queryStringParameters.n);
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
  out.write('ok');
  out.end();
});`;

test.each(['thread', 'process'] as const)('%s isolation: every invocation\'s stdout and stderr reach functionOutput, apart', async (isolation) => {
  const printed = { stdout: '', stderr: '' };
  const { url, gateway } = await serve([{ path: '/p', code: HANDLER }], { isolation, functionOutput: (chunk, stream) => (printed[stream] += chunk.toString()) });
  for (const n of [1, 2, 3]) expect(await (await fetch(`${url}/prod/p?n=${n}`)).text()).toBe('ok');
  expect(gateway.workerCount).toBe(1);
  await until(() => printed.stdout.split('\n').length > 3 && printed.stderr.split('\n').length > 3, 'three invocations\' lines on each stream');
  expect(printed.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([1, 2, 3].map((n) => ({ message: 'handled', n: String(n) })));
  expect(printed.stderr).toBe('a warning 1\na warning 2\na warning 3\n');
});

test('without functionOutput, a thread\'s lines go to the gateway\'s stdout and stderr', async () => {
  const written: string[] = [];
  const spies = (['stdout', 'stderr'] as const).map((name) => jest.spyOn(process[name], 'write').mockImplementation((chunk) => {
    written.push(`${name}: ${chunk.toString()}`);
    return true;
  }));
  try {
    const { url } = await serve([{ path: '/p', code: HANDLER }], { isolation: 'thread' });
    for (const n of [1, 2]) await (await fetch(`${url}/prod/p?n=${n}`)).text();
    await until(() => written.filter((w) => /handled|warning/.test(w)).length === 4, 'four lines');
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  expect(written.filter((w) => /handled|warning/.test(w))).toEqual([
    'stdout: {"message":"handled","n":"1"}\n', 'stderr: a warning 1\n', 'stdout: {"message":"handled","n":"2"}\n', 'stderr: a warning 2\n',
  ]);
});
