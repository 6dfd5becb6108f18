/**
 * Gateways over one synthesized assembly for the client tests: the first, and `another()` with an
 * access log of its own (for tests that run side by side and count their own requests), all closed
 * with the first, which then runs `cleanUp` (the stand-ins, the assembly folder).
 */
import { AccessLogEntry, LocalStreamingGateway } from '../../../local-gateway';

export interface AssemblyGateway {
  /** The API's base URL (no trailing slash). */
  readonly url: string;
  /** The access-log entries so far (one per request the gateway answered). */
  readonly requests: AccessLogEntry[];
  /** Another gateway over the same assembly, with an access log of its own. Closed with this one. */
  another(): Promise<AssemblyGateway>;
  close(): Promise<void>;
}

export async function serveAssembly(dir: string, environment: Record<string, string>, cleanUp: () => Promise<void> | void): Promise<AssemblyGateway> {
  const others: AssemblyGateway[] = [];
  const serve = async (): Promise<AssemblyGateway> => {
    const requests: AccessLogEntry[] = [];
    const gateway = LocalStreamingGateway.fromAssembly(dir, {
      port: 0,
      environment: { NODE_NO_WARNINGS: '1', ...environment },
      accessLog: (entry) => requests.push(entry),
      log: () => undefined,
    });
    const url = (await gateway.start()).replace(/\/$/, '');
    return {
      url,
      requests,
      another: async () => {
        const other = await serve();
        others.push(other);
        return other;
      },
      close: () => gateway.stop(),
    };
  };
  const first = await serve();
  return {
    ...first,
    close: async () => {
      await Promise.all(others.splice(0).map((other) => other.close()));
      await first.close();
      await cleanUp();
    },
  };
}
