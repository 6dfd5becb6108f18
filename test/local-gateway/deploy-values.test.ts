import { deployTimeValue, localAddresses, localValue, poolsReferenced } from '../../local-gateway/deploy-values';
import type { Route } from '../../local-gateway/route';

// Values built at deployment that the local gateway answers with its own addresses, written as
// CDK writes them (Fn::Join of Refs and pseudo parameters) and as a hand-written template might
// (Fn::Sub); anything else stays unknown.

const resources = {
  Api: { Type: 'AWS::ApiGateway::RestApi' },
  Pool: { Type: 'AWS::Cognito::UserPool' },
  Bucket: { Type: 'AWS::S3::Bucket' },
};
const ids = { stackOf: () => 'Stack', idOf: (id: string) => id };
const resolve = (value: unknown) => deployTimeValue(value, resources, ids);
const addresses = localAddresses('http://localhost:3000', [], (pool) => `http://127.0.0.1:4000/${pool}`);

const executeApi = (tail: string) => ({
  'Fn::Join': ['', ["'Bearer resource_metadata=\"https://", { Ref: 'Api' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `${tail}"'`]],
});

test('an execute-api URL becomes the gateway\'s address as the client called it', () => {
  const value = resolve(executeApi('/prod/.well-known/oauth-protected-resource/prod/mcp'))!;
  expect(localValue(value, addresses)).toBe('\'Bearer resource_metadata="http://localhost:3000/prod/.well-known/oauth-protected-resource/prod/mcp"\'');
  // with several APIs, the API's prefix follows the address
  const routes = [{ stack: 'Stack', apiId: 'Api', prefix: '/tools' }] as unknown as Route[];
  expect(localValue(value, localAddresses('http://127.0.0.1:9', routes, () => undefined))).toContain('"http://127.0.0.1:9/tools/prod/.well-known/');
});

test('a user pool\'s issuer becomes the local token issuer\'s, with a literal or a deploy-time region', () => {
  for (const region of ['eu-west-1', { Ref: 'AWS::Region' }]) {
    const value = resolve({ 'Fn::Join': ['', ['{"authorization_servers":["https://cognito-idp.', region, '.amazonaws.com/', { Ref: 'Pool' }, '"]}']] })!;
    expect(localValue(value, addresses)).toBe('{"authorization_servers":["http://127.0.0.1:4000/Pool"]}');
  }
});

test('Fn::Sub, with ${!Literal} kept literal', () => {
  const value = resolve({ 'Fn::Sub': 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod/x ${!Keep}' })!;
  expect(localValue(value, addresses)).toBe('http://localhost:3000/prod/x ${Keep}');
});

test.each([
  ['an attribute', { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Api', 'RootResourceId'] }]] }],
  ['a Ref to another resource', { 'Fn::Join': ['', ['s3://', { Ref: 'Bucket' }]] }],
  ['a region outside those URLs', { 'Fn::Join': ['', ['region ', { Ref: 'AWS::Region' }]] }],
  ['an API Ref outside its URL', { 'Fn::Join': ['', ['id ', { Ref: 'Api' }]] }],
  ['a Sub with an attribute', { 'Fn::Sub': '${Api.RootResourceId}' }],
  ['a condition', { 'Fn::If': ['C', 'a', 'b'] }],
  ['a list', ['a']],
])('%s stays unknown', (_name, value) => {
  expect(resolve(value)).toBeUndefined();
});

test('literals pass untouched; the pools named are found; an issuer that is not running is said so', () => {
  expect(resolve("'text/plain'")).toBe("'text/plain'");
  expect(localValue('plain', addresses)).toBe('plain');
  const document = resolve({ 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'Pool' }]] })!;
  const routes = [{ mock: { requestTemplates: {}, responses: [{ statusCode: '200', parameters: {}, templates: { 'application/json': document } }] } }] as unknown as Route[];
  expect(poolsReferenced(routes)).toEqual(['Pool']);
  expect(poolsReferenced([])).toEqual([]);
  expect(localValue(document, localAddresses('http://h', [], () => undefined))).toBe('http://local-token-issuer-not-running/Pool');
});
