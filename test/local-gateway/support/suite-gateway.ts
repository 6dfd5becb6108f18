/** One gateway over an assembly for a whole `describe` (or file): started before its tests, stopped after them. */
import { LocalStreamingGateway } from '../../../local-gateway/gateway';
import type { LocalStreamingGatewayOptions } from '../../../local-gateway/options';

export interface SuiteGateway {
  readonly gateway: LocalStreamingGateway;
  /** The gateway's base URL (set once started). */
  readonly url: string;
  /** Its diagnostics so far (tests may empty it). */
  readonly log: string[];
}

/** Registers beforeAll/afterAll hooks that serve the assembly at `dir` (access log dropped, diagnostics kept). */
export function gatewayForSuite(dir: string, options: Partial<LocalStreamingGatewayOptions> = {}): SuiteGateway {
  const suite = { gateway: undefined as unknown as LocalStreamingGateway, url: '', log: [] as string[] };
  beforeAll(async () => {
    suite.gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => suite.log.push(m), ...options });
    suite.url = await suite.gateway.start();
  });
  afterAll(() => suite.gateway?.stop());
  return suite;
}
