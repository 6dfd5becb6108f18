// A streaming handler that is not async: the Node.js runtime rejects it.
exports.handler = awslambda.streamifyResponse((event, responseStream) => {
  responseStream.write('too late');
  responseStream.end();
});
