// ES module with top-level await and a handler exported under another name (Handler: index.echo).
const greeting = await Promise.resolve('echo');

export const echo = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-loaded-as': 'esm' },
  });
  // The runtime JSON-encodes what is neither a string nor bytes.
  stream.write({ greeting, path: event.path, stage: event.requestContext.stage, resourcePath: event.requestContext.path, body: event.body, isBase64Encoded: event.isBase64Encoded });
  stream.end();
});
