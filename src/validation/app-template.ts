import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, CfnResource, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { IConstruct } from 'constructs';
import { getAttOf, refOf, Template, TemplateResource } from '../private/template';

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
  readonly prefix: string;
  readonly resources: { [id: string]: TemplateResource };
  readonly outputs: { [id: string]: { Value?: unknown } };
  /** For a nested stack: the parent's part and the logical id of its AWS::CloudFormation::Stack. */
  parent?: { part: StackPart; resourceId: string };
}

/** Collects what the rules read from every stack under `root`. */
export function appTemplate(root: IConstruct): AppTemplate {
  const parts = new Map<Stack, StackPart>();
  const partOf = (stack: Stack): StackPart => {
    let part = parts.get(stack);
    if (!part) {
      part = { stack, prefix: `${parts.size}/`, resources: {}, outputs: {} };
      parts.set(stack, part);
    }
    return part;
  };
  const exports = new Map<string, { part: StackPart; value: unknown }>();
  const assets = new Map<string, string>();
  const elements = new Map<string, CfnResource>();
  for (const node of root.node.findAll()) {
    if (isRelevant(node)) {
      const part = partOf(Stack.of(node));
      const fragment = render(part.stack, node);
      for (const [id, resource] of Object.entries<TemplateResource>(fragment?.Resources ?? {})) {
        part.resources[id] = resource;
        elements.set(part.prefix + id, node);
      }
    } else if (node instanceof CfnOutput) {
      const part = partOf(Stack.of(node));
      for (const [id, output] of Object.entries<any>(render(part.stack, node)?.Outputs ?? {})) {
        part.outputs[id] = output;
        if (typeof output?.Export?.Name === 'string') exports.set(output.Export.Name, { part, value: output.Value });
      }
    } else if (node instanceof s3assets.Asset && !node.isZipArchive) {
      const key = Stack.of(node).resolve(node.s3ObjectKey);
      const outdir = Stage.of(node)?.outdir ?? '.';
      if (typeof key === 'string') assets.set(key, path.isAbsolute(node.assetPath) ? node.assetPath : path.join(outdir, node.assetPath));
    }
  }
  for (const part of parts.values()) {
    const nested = part.stack.nestedStackResource;
    if (part.stack instanceof NestedStack && nested && part.stack.nestedStackParent) {
      const parent = partOf(part.stack.nestedStackParent);
      part.parent = { part: parent, resourceId: parent.stack.resolve(nested.logicalId) };
    }
  }
  const children = new Map<string, StackPart>();
  for (const part of parts.values()) if (part.parent) children.set(part.parent.part.prefix + part.parent.resourceId, part);

  const rewrite = (part: StackPart, value: unknown, depth = 0): unknown => {
    if (value === null || typeof value !== 'object' || depth > 50) return value;
    if (Array.isArray(value)) return value.map((v) => rewrite(part, v, depth + 1));
    const ref = refOf(value);
    if (ref !== undefined) {
      if (part.resources[ref]) return { Ref: part.prefix + ref };
      const given = part.parent?.part.resources[part.parent.resourceId]?.Properties?.Parameters?.[ref];
      return given !== undefined && part.parent ? rewrite(part.parent.part, given, depth + 1) : value;
    }
    const att = getAttOf(value);
    if (att) {
      const child = children.get(part.prefix + att[0]);
      if (child && att[1].startsWith('Outputs.')) {
        const output = child.outputs[att[1].slice('Outputs.'.length)];
        return output?.Value !== undefined ? rewrite(child, output.Value, depth + 1) : value;
      }
      return part.resources[att[0]] ? { 'Fn::GetAtt': [part.prefix + att[0], att[1]] } : value;
    }
    const imported = (value as { 'Fn::ImportValue'?: unknown })['Fn::ImportValue'];
    if (typeof imported === 'string' && Object.keys(value).length === 1) {
      const exported = exports.get(imported);
      return exported ? rewrite(exported.part, exported.value, depth + 1) : value;
    }
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(part, v, depth + 1);
    return out;
  };

  const resources: { [id: string]: TemplateResource } = {};
  for (const part of parts.values()) {
    for (const [id, resource] of Object.entries(part.resources)) {
      resources[part.prefix + id] = { Type: resource.Type, Properties: rewrite(part, resource.Properties ?? {}) as TemplateResource['Properties'] };
    }
  }
  const readBody = (location: unknown): unknown => {
    const key = (location as { Key?: unknown } | undefined)?.Key;
    const file = typeof key === 'string' ? assets.get(key) : undefined;
    if (!file || !fs.existsSync(file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined; // YAML bodies are not read
    }
  };
  return { template: { Resources: resources }, elements, readBody };
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
  for (const key of keys) {
    const camel = key.charAt(0).toLowerCase() + key.slice(1);
    if (all[camel] !== undefined) picked[camel] = all[camel];
  }
  const rawOverrides = internals.rawOverrides?.Properties ?? {};
  // A Deployment matters only for its StageDescription, and its logical id is a hash of every
  // method (costly to compute twice): skip the plain ones, key the others by construct path.
  const deployment = element.cfnResourceType === 'AWS::ApiGateway::Deployment';
  if (deployment && picked.stageDescription === undefined && !('StageDescription' in rawOverrides)) return undefined;
  // As in `_toCloudFormation()`: overrides (`undefined` deletes) merge into the rendered properties.
  const rendered = internals.renderProperties(picked) ?? {};
  const properties: { [key: string]: unknown } = {};
  for (const key of keys) {
    const base = stack.resolve(rendered[key]);
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
