import { Annotations, IAspect, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { logicalIdOf, methodsOf } from './model';
import { checkApi, checkMethod, Finding, StackIndex } from './rules';

/**
 * Properties of a `StreamingValidator`.
 */
export interface StreamingValidatorProps {
  /**
   * Emit warnings (annotations) as well as errors.
   *
   * @default true
   */
  readonly warnings?: boolean;
}

/** What the validators collected in one stack (shared, so two validators report once). */
interface Bucket {
  readonly methods: Set<apigateway.CfnMethod>;
  readonly apis: Set<apigateway.CfnRestApi>;
  warnings: boolean;
}

const BUCKETS = new WeakMap<Stack, Bucket>();

/**
 * Checks every REST API method in its scope that streams (`ResponseTransferMode: STREAM`), whatever
 * created it (StreamingRestApi, RestApi, LambdaRestApi, a raw CfnMethod, or a SpecRestApi's inline
 * OpenAPI), and fails synthesis on what cannot work: VTL response transformation, caching, content
 * encoding, timeouts outside 50..900000 ms, STREAM on an integration other than AWS_PROXY and
 * HTTP_PROXY, the classic Lambda invocation URI. It warns (with ids you can acknowledge) about
 * edge-optimized endpoints, function timeouts shorter than the integration's, runtimes that cannot
 * stream, qualified function ARNs, and buffered methods above 29 seconds.
 *
 * `StreamingRestApi` applies it to itself. For a whole app:
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new StreamingValidator());
 */
export class StreamingValidator implements IAspect {
  private readonly warnings: boolean;

  constructor(props: StreamingValidatorProps = {}) {
    this.warnings = props.warnings ?? true;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof apigateway.CfnMethod) && !(node instanceof apigateway.CfnRestApi)) return;
    const stack = Stack.of(node);
    let bucket = BUCKETS.get(stack);
    if (!bucket) {
      const created: Bucket = { methods: new Set(), apis: new Set(), warnings: false };
      bucket = created;
      BUCKETS.set(stack, created);
      stack.node.addValidation({ validate: () => report(stack, created) });
    }
    bucket.warnings ||= this.warnings;
    if (node instanceof apigateway.CfnMethod) bucket.methods.add(node);
    else bucket.apis.add(node);
  }
}

function report(stack: Stack, bucket: Bucket): string[] {
  const findings = analyse(stack, bucket);
  if (bucket.warnings) {
    for (const finding of findings) {
      if (finding.level === 'warning') Annotations.of(finding.node).addWarningV2(finding.warningId!, finding.message);
    }
  }
  return findings.filter((f) => f.level === 'error').map((f) => f.message);
}

/** Linear in the stack's constructs: one pass to index, one check per method. */
function analyse(stack: Stack, bucket: Bucket): Finding[] {
  const index: StackIndex = { stack, stagesByApi: new Map(), apis: new Map(), functions: new Map(), qualified: new Set() };
  for (const child of stack.node.findAll()) {
    if (child instanceof apigateway.CfnStage) {
      addStage(index, logicalIdOf(stack.resolve(child.restApiId)), child, stack.resolve(child.methodSettings));
    } else if (child instanceof apigateway.CfnDeployment) {
      const description = stack.resolve(child.stageDescription);
      if (description) {
        const settings = [...(description.methodSettings ?? [])];
        if (description.cachingEnabled === true) settings.push({ resourcePath: '/*', httpMethod: '*', cachingEnabled: true });
        addStage(index, logicalIdOf(stack.resolve(child.restApiId)), child, settings);
      }
    } else if (child instanceof apigateway.CfnRestApi) {
      index.apis.set(stack.resolve(child.logicalId), child);
    } else if (child instanceof lambda.CfnFunction) {
      index.functions.set(stack.resolve(child.logicalId), child);
    } else if (child instanceof lambda.CfnVersion || child instanceof lambda.CfnAlias) {
      index.qualified.add(stack.resolve(child.logicalId));
    }
  }
  const methods = methodsOf(stack, [...bucket.methods], [...bucket.apis]);
  const findings = methods.flatMap((m) => checkMethod(m, index));
  const streamedByApi = new Map<string, typeof methods>();
  for (const m of methods) {
    if (m.integration.transferMode === 'STREAM' && m.apiLogicalId) {
      streamedByApi.set(m.apiLogicalId, [...(streamedByApi.get(m.apiLogicalId) ?? []), m]);
    }
  }
  for (const [apiId, streamed] of streamedByApi) {
    const api = index.apis.get(apiId);
    if (api) findings.push(...checkApi(api, streamed, stack));
  }
  return dedupe(findings);
}

function addStage(index: StackIndex, apiId: string | undefined, node: IConstruct, settings: unknown): void {
  if (!apiId || !Array.isArray(settings)) return;
  index.stagesByApi.set(apiId, [...(index.stagesByApi.get(apiId) ?? []), { node, settings }]);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.level}|${f.node.node.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
