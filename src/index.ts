export * from './access-log';
export * from './streaming-function';
export * from './streaming-http-integration';
export * from './streaming-lambda-integration';
export * from './streaming-rest-api';
export * from './observability';
export * from './lambda-web-adapter';
export * from './streaming-web-app-function';
