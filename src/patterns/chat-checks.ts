/**
 * The synth-time checks of StreamingBedrockChat's props (not exported from the package): each
 * error names the construct path, the property, the bad value and the fix.
 */
import { Arn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ChatGuardrailOptions } from './chat-guardrail';
import { ChatProtocol } from './chat-protocol';
import { StreamingConfigError } from '../private/errors';

const GUARDRAIL_ID = /^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+)$/;
const GUARDRAIL_VERSION = /^([1-9][0-9]{0,7}|DRAFT)$/;

/** Checks the guardrail's id and version; returns its ARN. */
export function checkGuardrail(scope: Construct, guardrail: ChatGuardrailOptions): string {
  const { guardrailId, version } = guardrail;
  if (!Token.isUnresolved(guardrailId) && !GUARDRAIL_ID.test(guardrailId)) {
    throw new StreamingConfigError({
      scope,
      property: 'guardrail.guardrailId',
      value: guardrailId,
      problem: 'is not a guardrail id or ARN',
      fix: "pass the id shown in the Bedrock console (e.g. 'abc123def456') or the guardrail's ARN",
    });
  }
  if (!Token.isUnresolved(version) && !GUARDRAIL_VERSION.test(version)) {
    throw new StreamingConfigError({
      scope, property: 'guardrail.version', value: version, problem: 'is not a guardrail version', fix: "pass a version number such as '1', or 'DRAFT'",
    });
  }
  return !Token.isUnresolved(guardrailId) && guardrailId.startsWith('arn:')
    ? guardrailId
    : Arn.format({ service: 'bedrock', resource: 'guardrail', resourceName: guardrailId }, Stack.of(scope));
}

export function checkProtocol(scope: Construct, protocol: ChatProtocol, path: string, eventSource: boolean): void {
  if (eventSource && !protocol._eventSource) {
    throw new StreamingConfigError({
      scope,
      property: 'eventSource',
      value: eventSource,
      problem: `is not available with ChatProtocol.${protocol.name}() (EventSource can only GET; this protocol is POST only)`,
      fix: 'leave eventSource unset, or use ChatProtocol.simple()',
    });
  }
  if (protocol.name === 'openAiChatCompletions' && !Token.isUnresolved(path) && !path.endsWith('/chat/completions')) {
    throw new StreamingConfigError({
      scope,
      property: 'path',
      value: path,
      problem: 'does not end with /chat/completions, which the OpenAI SDKs append to their baseURL',
      fix: "pass a path such as '/v1/chat/completions' and give clients baseURL '<api url>/v1'",
    });
  }
  for (const model of protocol._allowedModels) {
    if (Token.isUnresolved(model) || model === '' || /[,\s]/.test(model)) {
      throw new StreamingConfigError({
        scope,
        property: 'protocol.allowedModels',
        value: model,
        problem: 'is not a model name a request can send (empty, a token, or with a comma or space)',
        fix: "list plain names such as 'gpt-4o-mini' or 'nova-lite'",
      });
    }
  }
}

export function checkWholeNumber(scope: Construct, property: string, value: number, min: number, max: number): number {
  if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new StreamingConfigError({ scope, property, value, problem: `is not a whole number from ${min} to ${max}`, fix: `pass a whole number from ${min} to ${max}` });
  }
  return value;
}
