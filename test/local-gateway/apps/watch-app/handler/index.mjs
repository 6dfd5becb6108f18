export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200 });
  stream.write(`version 1 at ${event.path}`);
  stream.end();
});
