// A classic (buffered) Lambda proxy handler, for the classic invocation URI.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain', 'x-handler': 'classic' },
  multiValueHeaders: { 'x-multi': ['a', 'b'] },
  body: Buffer.from(`classic ${event.httpMethod} ${event.path}`).toString('base64'),
  isBase64Encoded: true,
});
