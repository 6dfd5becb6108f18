/**
 * A local stand-in for Amazon Bedrock's ConverseStream API, for the demo and tests: an HTTP/2
 * (cleartext, like the SDK's event-stream client expects) server that answers `POST /model/<id>/converse-stream` with a real AWS event stream
 * (`application/vnd.amazon.eventstream`), so the unmodified AWS SDK client in a handler parses it.
 * Point a handler at it with the `BEDROCK_ENDPOINT_URL` environment variable.
 *
 * The answer is scripted: the words of `answer` (or an echo of the last user message), one
 * `contentBlockDelta` per word, `delayMs` apart. A last user message containing `[fail]` makes
 * the stream send a throttling exception after the first words.
 */
import * as http2 from 'http2';
import type { AddressInfo } from 'net';
// esbuild inlines the codec into lib/local-gateway (the package ships the gateway self-contained).
// eslint-disable-next-line import/no-extraneous-dependencies
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';

export interface FakeBedrockOptions {
  /** The answer's text; default: an echo of the last user message. */
  readonly answer?: string;
  /** Delay between deltas in ms (default 50). */
  readonly delayMs?: number;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
}

export interface FakeBedrock {
  /** The endpoint URL to pass as `BEDROCK_ENDPOINT_URL`. */
  readonly url: string;
  /** ConverseStream requests received (model id and parsed body), in order. */
  readonly requests: Array<{ modelId: string; body: any }>;
  /** How many streams the client closed before they finished. */
  readonly aborted: () => number;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/** Encodes one AWS event-stream message (prelude, string headers, payload, CRCs) with Smithy's codec. */
export function encodeEventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const tagged: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) tagged[name] = { type: 'string', value };
  return Buffer.from(codec.encode({ headers: tagged, body: payload }));
}

function event(type: string, body: object): Buffer {
  return encodeEventStreamMessage(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(body)),
  );
}

function exception(type: string, message: string): Buffer {
  return encodeEventStreamMessage(
    { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
    Buffer.from(JSON.stringify({ message })),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the stand-in on 127.0.0.1. */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const requests: Array<{ modelId: string; body: any }> = [];
  let aborted = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer((req, res) => {
    const match = /^\/model\/([^/]+)\/converse-stream$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `No such route: ${req.method} ${req.url}` }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' })
          .end(JSON.stringify({ message: 'Malformed input request' }));
        return;
      }
      const modelId = decodeURIComponent(match[1]);
      requests.push({ modelId, body });
      void stream(res, body, options).catch(() => res.destroy());
    });
    res.stream.on('close', () => {
      if (res.stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR || !res.finished) aborted += 1;
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    aborted: () => aborted,
    close: () => new Promise<void>((resolve) => {
      sessions.forEach((session) => session.destroy());
      server.close(() => resolve());
    }),
  };
}

async function stream(res: http2.Http2ServerResponse, body: any, options: FakeBedrockOptions): Promise<void> {
  const messages: Array<{ role: string; content: Array<{ text?: string }> }> = Array.isArray(body?.messages) ? body.messages : [];
  const lastUser = messages.filter((m) => m.role === 'user').pop()?.content?.map((c) => c.text ?? '').join(' ') ?? '';
  const fail = lastUser.includes('[fail]');
  const answer = options.answer ?? `You said: ${lastUser}`;
  const words = answer.split(/(?<= )/);
  const delay = options.delayMs ?? 50;
  const started = Date.now();

  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': `fake-${started}` });
  const gone = () => res.stream.destroyed || res.stream.closed;
  const send = (bytes: Buffer) => {
    if (!gone()) res.write(bytes);
  };
  send(event('messageStart', { role: 'assistant' }));
  let outputTokens = 0;
  for (const [index, word] of words.entries()) {
    if (gone()) return;
    if (fail && index === 2) {
      send(exception('throttlingException', 'Too many requests, please wait before trying again.'));
      res.end();
      return;
    }
    send(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: word } }));
    outputTokens += 1;
    await sleep(delay);
  }
  send(event('contentBlockStop', { contentBlockIndex: 0 }));
  send(event('messageStop', { stopReason: 'end_turn' }));
  const inputTokens = lastUser.split(/\s+/).filter(Boolean).length;
  send(event('metadata', {
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs: Date.now() - started },
  }));
  res.end();
}
