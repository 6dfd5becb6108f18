/**
 * What stands before a protected method's integration, as on API Gateway: its Lambda authorizer
 * (authorize.ts) or Cognito user pool authorizer (cognito.ts, against the local token issuer, which
 * the guard starts when an API has one). A refused request is answered here.
 */
import { Authorizers } from './authorize';
import { authorizeCognito } from './cognito';
import { respond } from '../gateway-responses';
import type { EnvironmentPool } from '../lambda/pool';
import type { RequestContext } from '../request';
import type { Route, RouteFunction } from '../route';
import { startTokenIssuer, TokenIssuer } from '../stand-ins/token-issuer';

export class Guard {
  private authorizers: Authorizers;
  private issuer?: TokenIssuer;

  constructor(private readonly poolOf: (fn: RouteFunction) => EnvironmentPool, private readonly log: (message: string) => void) {
    this.authorizers = new Authorizers(poolOf);
  }

  /** Starts the local token issuer for the Cognito user pools of `routes`, if they have any; says how to get a token. */
  public async start(routes: readonly Route[]): Promise<void> {
    const pools = new Map(routes.flatMap((r) => r.protection?.cognito?.pools ?? []).map((p) => [p.id, p.clientIds]));
    if (pools.size === 0 || this.issuer) return;
    const defaultClientIds = Object.fromEntries([...pools].filter(([, clients]) => clients.length > 0).map(([id, clients]) => [id, clients[0]]));
    this.issuer = await startTokenIssuer({ pools: [...pools.keys()], defaultClientIds });
    const first = [...pools.keys()][0];
    this.log(`Cognito user pools ${[...pools.keys()].join(', ')} are verified against a local token issuer; a token: `
      + `curl -s -X POST ${this.issuer.url}/${first}/token -H 'content-type: application/json' -d '{"username":"alice","groups":["admin"]}'`);
  }

  /** The local token issuer, once started. */
  public get tokenIssuer(): TokenIssuer | undefined {
    return this.issuer;
  }

  public async stop(): Promise<void> {
    await this.issuer?.close();
    this.issuer = undefined;
  }

  /** A new synthesis: cached authorizer results go (the authorizers may have changed). */
  public reload(): void {
    this.authorizers = new Authorizers(this.poolOf);
  }

  /** True when the request may go on to the integration; else it was answered. */
  public async admit(ctx: RequestContext, route: Route): Promise<boolean> {
    const protection = route.protection;
    let outcome: { refused: Parameters<typeof respond>[1]; why: string } | undefined;
    if (protection?.authorizer) {
      const authorization = await this.authorizers.authorize(ctx, protection.authorizer);
      if ('refused' in authorization) outcome = authorization;
      else ctx.authorizer = authorization.allowed;
    } else if (protection?.cognito && this.issuer) {
      const authorization = authorizeCognito(ctx, protection.cognito, protection.authorizationScopes, this.issuer);
      if ('refused' in authorization) outcome = authorization;
      else ctx.authorizer = { claims: authorization.claims };
    }
    if (!outcome) return true;
    ctx.log(`refused by the authorizer: ${outcome.why}`);
    respond(ctx, outcome.refused);
    return false;
  }
}
