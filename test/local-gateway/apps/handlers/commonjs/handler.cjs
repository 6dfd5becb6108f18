// A CommonJS module with the .cjs extension; it writes its prelude by hand, as some samples do.
exports.main = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write(JSON.stringify({ statusCode: 201, headers: { 'x-loaded-as': 'cjs' } }));
  responseStream.write(new Uint8Array(8));
  responseStream.write(`method=${event.httpMethod} proxy=${event.pathParameters && event.pathParameters.proxy}`);
  responseStream.end();
});
