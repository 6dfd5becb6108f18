/**
 * The MCP server of the gateway's MCP tests, registered the same way on the v2 and the v1 SDK's
 * `McpServer`: a tool, a tool that streams progress (each stamped with when it was sent), a tool
 * that outlives the function, a resource and a prompt.
 */
import * as z from 'zod';

/** What the registrations use of either SDK's `McpServer`. */
interface Registrar {
  registerTool(name: string, config: object, cb: (args: any, ctx: any) => unknown): unknown;
  registerResource(name: string, uri: string, config: object, cb: (uri: URL) => unknown): unknown;
  registerPrompt(name: string, config: object, cb: (args: any) => unknown): unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function registerAll<S>(mcpServer: S): S {
  const server = mcpServer as unknown as Registrar;
  server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  server.registerTool('count', { inputSchema: { steps: z.number() } }, async ({ steps }, ctx) => {
    // v2: ctx.mcpReq.notify and ctx.mcpReq._meta; v1: extra.sendNotification and extra._meta.
    const notify = ctx.mcpReq?.notify ?? ctx.sendNotification;
    const progressToken = ctx.mcpReq?._meta?.progressToken ?? ctx._meta?.progressToken;
    for (let step = 1; step <= steps; step++) {
      await notify({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps, message: String(Date.now()) } });
      await sleep(300);
    }
    return { content: [{ type: 'text', text: JSON.stringify({ counted: steps, sentAt: Date.now() }) }] };
  });
  server.registerTool('sleep', { inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await sleep(ms);
    return { content: [{ type: 'text', text: 'woke up' }] };
  });
  server.registerResource('greeting', 'greeting://hello', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'Hello from Lambda' }] }));
  server.registerPrompt('review', { argsSchema: { code: z.string() } }, ({ code }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Review: ${code}` } }],
  }));
  return mcpServer;
}
