import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, CfnResource, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { IConstruct } from 'constructs';
import { mergeTemplates, StackTemplate, Template, TemplateResource } from '../private/template';
import { parseYamlWithCdkLib } from '../private/yaml';

/** The resource types the rules read. */
const RELEVANT = new Set([
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment', 'AWS::Lambda::Function', 'AWS::Lambda::Version', 'AWS::Lambda::Alias',
  'AWS::CloudFormation::Stack',
]);

/** True for the CloudFormation resources the validation reads. */
export function isRelevant(node: IConstruct): node is CfnResource {
  return node instanceof CfnResource && RELEVANT.has(node.cfnResourceType);
}

/**
 * The REST API parts of every stack of an app as one template: each stack's resources as they
 * will deploy (overrides applied), under ids prefixed with the stack, with references between
 * stacks followed (a nested stack's parameters, `Fn::ImportValue` of another stack's export,
 * a nested stack's outputs). So a method in a nested stack or in another stack of an imported
 * API sits under its API, and its resource path reaches the API's root.
 */
export interface AppTemplate {
  readonly template: Template;
  /** The construct of each (prefixed) logical id. */
  readonly elements: Map<string, CfnResource>;
  /** Reads the OpenAPI document of a `BodyS3Location` that is a file asset of the app. */
  readonly readBody: (location: unknown) => unknown;
}

interface StackPart {
  readonly stack: Stack;
  readonly name: string;
  readonly resources: { [id: string]: TemplateResource };
  readonly outputs: { [id: string]: { Value?: unknown; Export?: { Name?: unknown } } };
  readonly elements: Map<string, CfnResource>;
}

/** Collects what the rules read from every stack under `root`. */
export function appTemplate(root: IConstruct): AppTemplate {
  const parts = new Map<Stack, StackPart>();
  const partOf = (stack: Stack): StackPart => {
    let part = parts.get(stack);
    if (!part) {
      part = { stack, name: stack.node.path, resources: {}, outputs: {}, elements: new Map() };
      parts.set(stack, part);
    }
    return part;
  };
  const assets = new Map<string, string>();
  for (const node of root.node.findAll()) {
    if (isRelevant(node)) {
      const part = partOf(Stack.of(node));
      for (const [id, resource] of Object.entries<TemplateResource>(render(part.stack, node)?.Resources ?? {})) {
        part.resources[id] = resource;
        part.elements.set(id, node);
      }
    } else if (node instanceof CfnOutput) {
      const part = partOf(Stack.of(node));
      Object.assign(part.outputs, render(part.stack, node)?.Outputs ?? {});
    } else if (node instanceof s3assets.Asset && !node.isZipArchive) {
      const key = Stack.of(node).resolve(node.s3ObjectKey);
      const outdir = Stage.of(node)?.outdir ?? '.';
      if (typeof key === 'string') assets.set(key, path.isAbsolute(node.assetPath) ? node.assetPath : path.join(outdir, node.assetPath));
    }
  }
  const stacks: StackTemplate[] = [...parts.values()].map((part) => {
    const nested = part.stack.nestedStackResource;
    const parentStack = part.stack instanceof NestedStack ? part.stack.nestedStackParent : undefined;
    return {
      name: part.name,
      template: { Resources: part.resources, Outputs: part.outputs },
      parent: parentStack && nested ? { name: partOf(parentStack).name, resourceId: parentStack.resolve(nested.logicalId) } : undefined,
    };
  });
  const merged = mergeTemplates(stacks);
  const byName = new Map([...parts.values()].map((p) => [p.name, p]));
  const elements = new Map<string, CfnResource>();
  for (const [id, origin] of merged.origins) {
    const element = byName.get(origin.stack)?.elements.get(origin.logicalId);
    if (element) elements.set(id, element);
  }
  const readBody = (location: unknown): unknown => {
    const key = (location as { Key?: unknown } | undefined)?.Key;
    const file = typeof key === 'string' ? assets.get(key) : undefined;
    if (!file || !fs.existsSync(file)) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: YAML, read with the app's aws-cdk-lib; a body that is neither is not judged here
      // (API Gateway rejects it when the stack deploys).
      try {
        return parseYamlWithCdkLib(text, [__dirname]);
      } catch {
        return undefined;
      }
    }
  };
  return { template: merged.template, elements, readBody };
}

/**
 * The properties the rules read, per resource type (PascalCase, as in the template). Rendering
 * only these keeps the validation cheap: a Stage's `DeploymentId` would compute the deployment's
 * hash of every method again. Types not listed are rendered whole.
 */
const READ: { [type: string]: string[] } = {
  'AWS::ApiGateway::RestApi': ['Name', 'EndpointConfiguration', 'BinaryMediaTypes', 'MinimumCompressionSize', 'Body', 'BodyS3Location'],
  'AWS::ApiGateway::Resource': ['RestApiId', 'ParentId', 'PathPart'],
  'AWS::ApiGateway::Method': ['RestApiId', 'ResourceId', 'HttpMethod', 'Integration'],
  'AWS::ApiGateway::Stage': ['RestApiId', 'StageName', 'MethodSettings', 'CacheClusterEnabled'],
  'AWS::ApiGateway::Deployment': ['RestApiId', 'StageName', 'StageDescription'],
  'AWS::Lambda::Function': ['Timeout', 'Runtime', 'Environment', 'Layers'],
  'AWS::Lambda::Version': ['FunctionName'],
  'AWS::Lambda::Alias': ['FunctionName', 'FunctionVersion'],
};

/** Required properties the L1 checks when it renders (rendered, not resolved). */
const REQUIRED: { [type: string]: string[] } = {
  'AWS::Lambda::Function': ['Code', 'Role'],
  'AWS::Lambda::Alias': ['Name'],
};

/**
 * The element as it will be written to the template: properties, then overrides
 * (`addPropertyOverride`, `addOverride`), resolved. Undefined when it cannot be rendered now
 * (synthesis reports that itself).
 */
function render(stack: Stack, element: CfnResource | CfnOutput): any {
  try {
    const keys = element instanceof CfnResource ? READ[element.cfnResourceType] : undefined;
    if (keys && element instanceof CfnResource) return renderSome(stack, element, keys);
    return stack.resolve((element as unknown as { _toCloudFormation(): object })._toCloudFormation());
  } catch {
    return undefined;
  }
}

/** `_toCloudFormation()` restricted to `keys` of the properties (same overrides semantics). */
function renderSome(stack: Stack, element: CfnResource, keys: string[]): any {
  const internals = element as unknown as {
    cfnProperties: { [key: string]: unknown };
    rawOverrides?: { Properties?: { [key: string]: unknown } };
    renderProperties(props: { [key: string]: unknown }): { [key: string]: unknown };
  };
  const all = internals.cfnProperties;
  const picked: { [key: string]: unknown } = {};
  for (const key of [...keys, ...REQUIRED[element.cfnResourceType] ?? []]) {
    const camel = key.charAt(0).toLowerCase() + key.slice(1);
    if (all[camel] !== undefined) picked[camel] = all[camel];
  }
  const rawOverrides = internals.rawOverrides?.Properties ?? {};
  // A Deployment matters only for its StageDescription, and its logical id is a hash of every
  // method (costly to compute twice): skip the plain ones, key the others by construct path.
  const deployment = element.cfnResourceType === 'AWS::ApiGateway::Deployment';
  if (deployment && picked.stageDescription === undefined && !('StageDescription' in rawOverrides)) return undefined;
  // As in `_toCloudFormation()`: the L1 renders its resolved (camelCase) values, then the
  // overrides (`undefined` deletes) merge into the rendered properties.
  const rendered = internals.renderProperties(stack.resolve(picked)) ?? {};
  const properties: { [key: string]: unknown } = {};
  for (const key of keys) {
    const base = rendered[key];
    const value = key in rawOverrides ? stack.resolve(merge(base, rawOverrides[key])) : base;
    if (value !== undefined) properties[key] = value;
  }
  const id = deployment ? `Deployment:${element.node.path}` : stack.resolve(element.logicalId);
  return { Resources: { [id]: { Type: element.cfnResourceType, Properties: properties } } };
}

/** CloudFormation's override merge: objects merge key by key (array indexes too), `undefined` deletes. */
function merge(target: unknown, override: unknown): unknown {
  if (override === undefined) return undefined;
  if (override === null || typeof override !== 'object' || Array.isArray(override)) return override;
  const base: any = target !== null && typeof target === 'object' ? (Array.isArray(target) ? [...target] : { ...target }) : {};
  for (const [key, value] of Object.entries(override)) {
    const merged = merge(base[key], value);
    if (merged === undefined) delete base[key];
    else base[key] = merged;
  }
  return base;
}
