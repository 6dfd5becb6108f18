/**
 * The local streaming gateway's programmatic API (plain Node; not part of the jsii API).
 */
export { LocalStreamingGateway } from './gateway';
export type { AccessLogEntry, LocalStreamingGatewayOptions } from './gateway';
export { readAssembly } from './assembly';
export type { Route, RouteFunction } from './assembly';
export { followEdits, synthOnce } from './follow';
export type { FollowOptions, Following } from './follow';
export { startFakeBedrock } from './stand-ins/bedrock';
export type { FakeBedrock, FakeBedrockOptions } from './stand-ins/bedrock';
export { startTokenIssuer } from './stand-ins/token-issuer';
export type { MintOptions, TokenIssuer, TokenIssuerOptions, TokenIssuerPool } from './stand-ins/token-issuer';
export type { LocalUser } from './stand-ins/oauth-server';
