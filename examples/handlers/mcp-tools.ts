/**
 * Example: a remote MCP server with two tools, written with the official MCP SDK (v2) and served
 * by `mcpHandler` as stateless Streamable HTTP.
 *
 * - `word_count`: counts the words, lines and characters of a text (a plain JSON answer);
 * - `run_job`: runs a job of `steps` steps, sending a progress notification after each one when
 *   the client asked for progress (the answer is then an SSE stream: the notifications as they
 *   are sent, then the result).
 *
 * API Gateway's Cognito authorizer checks the bearer token before this function runs
 * (`McpAuth.cognito()` in the stack), so the handler does not verify it again.
 */
import { setTimeout as sleep } from 'timers/promises';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { mcpHandler } from '../../lambda-assets/runtime';

/** Waits `ms`, or less if `signal` aborts. */
const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/** A fresh server per request (stateless). */
export function createServer(): McpServer {
  const server = new McpServer({ name: 'streaming-example', version: '1.0.0' });

  server.registerTool('word_count', {
    description: 'Counts the words, lines and characters of a text.',
    inputSchema: z.object({ text: z.string().describe('The text to count') }),
  }, async ({ text }) => {
    const counts = { words: text.split(/\s+/).filter(Boolean).length, lines: text ? text.split('\n').length : 0, characters: [...text].length };
    return { content: [{ type: 'text', text: JSON.stringify(counts) }] };
  });

  server.registerTool('run_job', {
    description: 'Runs a job of several steps and reports its progress after each step.',
    inputSchema: z.object({
      steps: z.number().int().min(1).max(50).default(5).describe('How many steps'),
      delayMs: z.number().int().min(0).max(10_000).default(500).describe('How long each step takes, in ms'),
    }),
  }, async ({ steps, delayMs }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const { signal } = ctx.mcpReq; // aborted shortly before the function's deadline
    for (let step = 1; step <= steps; step++) {
      await pause(delayMs, signal);
      if (signal.aborted) return { isError: true, content: [{ type: 'text', text: `Stopped after ${step - 1} of ${steps} steps` }] };
      if (progressToken !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps, message: `step ${step} of ${steps}` } });
      }
    }
    return { content: [{ type: 'text', text: `Job done: ${steps} steps` }] };
  });

  return server;
}

export const handler = mcpHandler(createMcpHandler(createServer));
