/**
 * What stands before a method's integration, in API Gateway's order: stage and method throttling,
 * its Lambda authorizer (authorize.ts) or Cognito user pool authorizer (cognito.ts, against the
 * local token issuer, which the guard starts when an API has one), its API key and usage plan
 * (usage.ts), then request validation (validation/). A refused request is answered here.
 * `skipAuth` skips the authorizers and API keys, never throttling or validation.
 */
import { Authorizers } from './authorize';
import { authorizeCognito } from './cognito';
import { poolsReferenced } from '../deploy-values';
import { respond } from '../gateway-responses';
import { IamCredentials, shellCredentials, verifySigV4 } from './sigv4';
import { Usage } from './usage';
import type { GatewayAnswer } from '../gateway-responses';
import type { EnvironmentPool } from '../lambda/pool';
import type { RequestContext } from '../request';
import type { Route, RouteFunction } from '../route';
import { startTokenIssuer, TokenIssuer } from '../stand-ins/token-issuer';
import { validateRequest } from '../validation/validate';

export interface GuardOptions {
  /** Values for the API keys API Gateway would generate, by key name or logical id. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** The credentials IAM methods' signatures are verified against; none: IAM methods are refused. Default: the shell's, unless `awsCredentials` is false. */
  readonly iamCredentials?: readonly IamCredentials[];
  readonly awsCredentials?: boolean;
}

export class Guard {
  private authorizers: Authorizers;
  private issuer?: TokenIssuer;
  private readonly usage: Usage;
  private readonly iamCredentials: readonly IamCredentials[];

  constructor(
    private readonly poolOf: (fn: RouteFunction) => EnvironmentPool,
    private readonly log: (message: string) => void,
    options: GuardOptions = {},
  ) {
    this.authorizers = new Authorizers(poolOf);
    this.usage = new Usage(options.apiKeys);
    this.iamCredentials = options.iamCredentials ?? (options.awsCredentials === false ? [] : shellCredentials());
  }

  /** True when IAM methods are verified (the gateway holds credentials to check signatures with). */
  public get verifiesIam(): boolean {
    return this.iamCredentials.length > 0;
  }


  /** Says which API keys `routes` take; starts the local token issuer for their Cognito user pools, if they have any, and says how to get a token. */
  public async start(routes: readonly Route[]): Promise<void> {
    this.usage.notes(routes).forEach((note) => this.log(note));
    const pools = new Map(routes.flatMap((r) => r.protection?.cognito?.pools ?? []).map((p) => [p.id, p.clientIds]));
    // (and the pools whose issuer a MOCK integration or gateway response names, e.g. an MCP server's document)
    const named = poolsReferenced(routes);
    named.filter((id) => !pools.has(id)).forEach((id) => pools.set(id, []));
    if (pools.size === 0 || this.issuer) return;
    const defaultClientIds = Object.fromEntries([...pools].filter(([, clients]) => clients.length > 0).map(([id, clients]) => [id, clients[0]]));
    this.issuer = await startTokenIssuer({ pools: [...pools.keys()], defaultClientIds });
    const first = [...pools.keys()][0];
    this.log(`Cognito user pools ${[...pools.keys()].join(', ')} are verified against a local token issuer; a token: `
      + `curl -s -X POST ${this.issuer.url}/${first}/token -H 'content-type: application/json' -d '{"username":"alice","groups":["admin"]}'`);
    if (named.length > 0) {
      this.log(`OAuth clients (MCP) are sent to the authorization server ${named.map((id) => this.issuer!.issuer(id)).join(', ')}, which approves them at once as 'local-user'`);
    }
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
    this.usage.reload();
  }

  /** True when the request may go on to the integration; else it was answered. */
  public async admit(ctx: RequestContext, route: Route, skipAuth = false): Promise<boolean> {
    const stage = ctx.stage ?? route.stageName;
    const throttled = this.usage.throttleStage(route, stage, ctx.req.method ?? route.httpMethod);
    if (throttled) return this.refuse(ctx, { refused: throttled, why: `stage ${stage} throttling` });
    if (!skipAuth) {
      const protection = route.protection;
      let usageIdentifierKey: string | undefined;
      if (protection?.authorizer) {
        const authorization = await this.authorizers.authorize(ctx, protection.authorizer);
        if ('refused' in authorization) return this.refuse(ctx, authorization, 'refused by the authorizer');
        ctx.authorizer = authorization.allowed;
        usageIdentifierKey = authorization.usageIdentifierKey;
      } else if (protection?.cognito && this.issuer) {
        const authorization = authorizeCognito(ctx, protection.cognito, protection.authorizationScopes, this.issuer);
        if ('refused' in authorization) return this.refuse(ctx, authorization, 'refused by the authorizer');
        ctx.authorizer = { claims: authorization.claims };
      } else if (protection?.authorizationType === 'AWS_IAM' && this.verifiesIam) {
        const signed = await verifySigV4(ctx, this.iamCredentials);
        if ('refused' in signed) return this.refuse(ctx, signed, 'refused by IAM');
        ctx.callerAccessKey = signed.accessKey;
      }
      const key = this.usage.admitKey(route, stage, headerValue(ctx.req.headers['x-api-key']), usageIdentifierKey);
      if ('refused' in key) return this.refuse(ctx, key);
      ctx.apiKey = key.admitted;
    }
    if (route.validation && !route.validation.unsupported) {
      const validation = validateRequest(ctx, route.validation);
      if ('refused' in validation) return this.refuse(ctx, validation, 'request validation', validation.detail);
    }
    return true;
  }

  private refuse(ctx: RequestContext, outcome: { refused: GatewayAnswer; why: string }, by = 'refused', detail?: string): false {
    ctx.log(`${by}: ${outcome.why}`);
    respond(ctx, outcome.refused, detail);
    return false;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
