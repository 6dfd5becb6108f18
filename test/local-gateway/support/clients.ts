import { spawn } from 'child_process';

/** What a client saw: status, headers, body, and when each chunk arrived (ms after the request). */
export interface Seen {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  arrivals: number[];
  totalMs: number;
}

/** GET/POST with Node's fetch, reading the body as a stream. */
export async function fetchStream(url: string, init: RequestInit = {}): Promise<Seen> {
  const started = performance.now();
  const response = await fetch(url, init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const chunks: Buffer[] = [];
  const arrivals: number[] = [];
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    arrivals.push(performance.now() - started);
    chunks.push(Buffer.from(value));
  }
  return { status: response.status, headers, body: Buffer.concat(chunks), arrivals, totalMs: performance.now() - started };
}

/** Runs `curl --no-buffer`; resolves with its exit code, output arrival times and body. */
export function curl(args: string[]): Promise<{ exitCode: number; body: string; arrivals: number[]; totalMs: number; stderr: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('curl', ['--no-buffer', '-sS', ...args]);
    const chunks: Buffer[] = [];
    const arrivals: number[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      arrivals.push(performance.now() - started);
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ exitCode: code ?? -1, body: Buffer.concat(chunks).toString(), arrivals, totalMs: performance.now() - started, stderr }));
  });
}
