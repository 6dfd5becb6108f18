/**
 * A recording stand-in for the Lambda runtime's response stream, for handler tests that need no
 * process or gateway: what the handler sent (status, headers, body chunks) and how often it ended.
 */
import { Writable } from 'stream';
import { AwsLambdaGlobal, LambdaResponseStream, StreamingResponse } from '../../../lambda-assets/runtime';

export interface Sent {
  status: number;
  headers: Record<string, string>;
  /** Body chunks as written (the empty write that opens the stream is left out). */
  chunks: string[];
  opened: number;
  ended: number;
}

export function recordingRuntime(): { sent: Sent; raw: LambdaResponseStream; runtime: AwsLambdaGlobal } {
  const sent: Sent = { status: 0, headers: {}, chunks: [], opened: 0, ended: 0 };
  const raw = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (chunk.length > 0) sent.chunks.push(chunk.toString());
      callback();
    },
    final(callback) {
      sent.ended += 1;
      callback();
    },
  }) as LambdaResponseStream;
  raw.setContentType = () => undefined;
  const runtime: AwsLambdaGlobal = {
    HttpResponseStream: {
      from(stream, metadata) {
        sent.opened += 1;
        sent.status = metadata.statusCode ?? 200;
        sent.headers = (metadata.headers ?? {}) as Record<string, string>;
        return stream;
      },
    },
    streamifyResponse: (handler) => handler,
  };
  return { sent, raw, runtime };
}

/** A StreamingResponse over the recording stand-in. */
export function recorder(controller = new AbortController()): { sent: Sent; response: StreamingResponse } {
  const { sent, raw, runtime } = recordingRuntime();
  return { sent, response: new StreamingResponse(raw, runtime, controller) };
}
