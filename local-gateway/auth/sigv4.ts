/**
 * IAM (`AWS_IAM`) methods, locally: the request's Signature Version 4 is verified against the
 * credentials the gateway holds (the shell's `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN`, or `iamCredentials`), by signing the request again with the client's
 * signed headers, date and credential scope (the AWS SDK's own signer) and comparing. A valid
 * signature is allowed: IAM policies (does this identity have `execute-api:Invoke`?) are not
 * evaluated locally. The identity reaches the event as `requestContext.identity.accessKey`.
 * API Gateway's messages for the failures are *unverified* beyond their status (403).
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';
// (bundled into the gateway by esbuild, as the package ships it: a build-time dependency)
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import { ANSWERS, GatewayAnswer } from '../gateway-responses';
import type { RequestContext } from '../request';

export interface IamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export type SigV4Outcome = { readonly accessKey: string } | { readonly refused: GatewayAnswer; readonly why: string };

/** How far a request's `X-Amz-Date` may be from now, as AWS allows: 5 minutes. */
const MAX_SKEW_MS = 5 * 60 * 1000;

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** SHA-256 (and its HMAC) as the signer takes it. */
class Sha256 {
  private readonly hash;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

/** The shell's credentials, when it has them. */
export function shellCredentials(env: NodeJS.ProcessEnv = process.env): IamCredentials[] {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return accessKeyId && secretAccessKey ? [{ accessKeyId, secretAccessKey, sessionToken }] : [];
}

const refuse = (refused: GatewayAnswer, why: string): SigV4Outcome => ({ refused, why });

/** Verifies the request's SigV4 `Authorization` against `credentials`. */
export async function verifySigV4(ctx: RequestContext, credentials: readonly IamCredentials[], now = Date.now()): Promise<SigV4Outcome> {
  const header = ctx.req.headers.authorization;
  if (!header) return refuse(ANSWERS.missingAuthenticationToken, 'an IAM method called without a signature (no Authorization header)');
  const parsed = /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(header.trim());
  if (!parsed) return refuse(ANSWERS.incompleteSignature, 'the Authorization header is not an AWS4-HMAC-SHA256 signature');
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = parsed;
  const key = credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!key) return refuse(ANSWERS.invalidToken, `access key ${accessKeyId} is not one the gateway holds (the shell's AWS credentials)`);
  if (service !== 'execute-api') return refuse(ANSWERS.invalidSignature, `the credential scope names service ${service}, not execute-api`);
  const amzDate = String(ctx.req.headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date || !amzDate.startsWith(day)) return refuse(ANSWERS.incompleteSignature, 'X-Amz-Date is missing or does not match the credential scope');
  const signingDate = new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]));
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) return refuse(ANSWERS.invalidSignature, `Signature expired: ${amzDate} is more than 5 minutes from the gateway's clock`);
  if (key.sessionToken !== undefined && ctx.req.headers['x-amz-security-token'] !== key.sessionToken) {
    return refuse(ANSWERS.invalidToken, 'the session token (X-Amz-Security-Token) is not the one of the gateway\'s credentials');
  }
  const signedHeaders = signedHeaderList.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = ctx.req.headers[name];
    if (value === undefined) return refuse(ANSWERS.invalidSignature, `signed header ${name} is not in the request`);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of ctx.url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  // A signed payload hash must be the body's (the signer would take the header's word for it).
  const payloadHash = headers['x-amz-content-sha256'];
  if (payloadHash && payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(ctx.body).digest('hex')) {
    return refuse(ANSWERS.invalidSignature, 'the body is not the one signed (X-Amz-Content-Sha256 differs)');
  }
  // applyChecksum off: the signer signs exactly the client's headers, adding no payload hash header.
  const signer = new SignatureV4({ credentials: key, region, service, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign({
    method: ctx.req.method ?? 'GET', protocol: 'http:', hostname: 'localhost', path: ctx.url.pathname, query, headers, body: ctx.body.length > 0 ? ctx.body : undefined,
  }, { signingDate, signingRegion: region, signingService: service, unsignableHeaders: new Set(), signableHeaders: new Set(signedHeaders) });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  const same = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return same ? { accessKey: accessKeyId } : refuse(ANSWERS.invalidSignature, 'the signature does not match the request (its method, path, query, signed headers or body differ from what was signed, or the secret key)');
}
