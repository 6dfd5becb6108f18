import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { StreamingAccessLogField, StreamingAccessLogFormat } from '../src';

describe('StreamingAccessLogField', () => {
  test('names the three streaming variables', () => {
    expect(StreamingAccessLogField.responseTransferMode()).toBe('$context.integration.responseTransferMode');
    expect(StreamingAccessLogField.timeToAllHeaders()).toBe('$context.integration.timeToAllHeaders');
    expect(StreamingAccessLogField.timeToFirstContent()).toBe('$context.integration.timeToFirstContent');
  });

  test('works inside a custom CDK format', () => {
    const format = apigateway.AccessLogFormat.custom(`${apigateway.AccessLogField.contextRequestId()} ${StreamingAccessLogField.timeToFirstContent()}`);
    expect(format.toString()).toBe('$context.requestId $context.integration.timeToFirstContent');
  });
});

describe('StreamingAccessLogFormat', () => {
  test('JSON with the standard fields of the CDK JSON format plus the streaming fields', () => {
    // WHEN
    const parsed = JSON.parse(StreamingAccessLogFormat.jsonWithStreamingFields().toString());
    const cdkStandard = JSON.parse(apigateway.AccessLogFormat.jsonWithStandardFields().toString());
    // THEN
    expect(parsed).toMatchObject(cdkStandard);
    expect(parsed).toMatchObject({
      integrationLatency: '$context.integrationLatency',
      responseLatency: '$context.responseLatency',
      responseTransferMode: '$context.integration.responseTransferMode',
      timeToAllHeaders: '$context.integration.timeToAllHeaders',
      timeToFirstContent: '$context.integration.timeToFirstContent',
    });
    expect(Object.keys(parsed)).toEqual(Object.keys(StreamingAccessLogFormat.standardFields()));
  });

  test('extra fields are added and may replace a standard one', () => {
    const parsed = JSON.parse(StreamingAccessLogFormat.jsonWithStreamingFields({
      extraFields: { apiKeyId: '$context.identity.apiKeyId', ip: '$context.identity.clientCert.subjectDN' },
    }).toString());
    expect(parsed.apiKeyId).toBe('$context.identity.apiKeyId');
    expect(parsed.ip).toBe('$context.identity.clientCert.subjectDN');
    expect(parsed.timeToFirstContent).toBe('$context.integration.timeToFirstContent');
  });
});
