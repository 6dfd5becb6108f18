/** The local copies of a template's assets: function code folders and OpenAPI body files. */
import * as fs from 'fs';
import * as path from 'path';
import type { RouteFunction } from './route';
import { isLiteral, TemplateResource } from '../src/private/template';
import { parseYamlWithCdkLib, YamlParserMissing } from '../src/private/yaml';

/** A function named by a literal ARN (`...:function:my-fn/...`), as asset bodies must write it. */
export function functionByLiteralName(uri: unknown, resources: Record<string, TemplateResource>): string | undefined {
  const name = typeof uri === 'string' ? /:function:([^/:]+)/.exec(uri)?.[1] : undefined;
  if (!name) return undefined;
  return Object.keys(resources).find((id) => resources[id].Type === 'AWS::Lambda::Function' && resources[id].Properties?.FunctionName === name);
}

/** The OpenAPI document of a `BodyS3Location` file asset (JSON, or YAML read with the app's aws-cdk-lib). */
export function readAssetBody(api: TemplateResource | undefined, assemblyDir: string): unknown {
  const file = assetPathOf(api, api?.Properties?.BodyS3Location?.Key, assemblyDir);
  if (!file || !fs.statSync(file).isFile()) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    return parseYaml(text, file, assemblyDir);
  }
}

function parseYaml(text: string, file: string, assemblyDir: string): unknown {
  // Every CDK app has aws-cdk-lib, which bundles the `yaml` package: the app's first.
  try {
    return parseYamlWithCdkLib(text, [path.dirname(path.resolve(assemblyDir)), process.cwd(), __dirname]);
  } catch (error) {
    if (error instanceof YamlParserMissing) {
      throw new Error(`${file} is an OpenAPI body in YAML, and no 'yaml' parser was found (it comes with aws-cdk-lib): run the gateway from your CDK app's folder`);
    }
    throw new Error(`${file}: the OpenAPI body is neither JSON nor YAML (${(error as Error).message})`);
  }
}

/**
 * The local copy of a resource's asset: its `aws:asset:path` metadata (the CDK CLI asks for it),
 * else the `asset.<hash>` file or folder its literal S3 key (`<hash>.zip`, `<hash>.yaml`) names.
 */
export function assetPathOf(resource: TemplateResource | undefined, s3Key: unknown, assemblyDir: string): string | undefined {
  const candidates: string[] = [];
  const metadataPath: unknown = resource?.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string') candidates.push(path.resolve(assemblyDir, metadataPath));
  const key = typeof s3Key === 'string' ? /^([0-9a-f]{64})(\.\w+)?$/.exec(s3Key) : null;
  if (key) candidates.push(path.join(assemblyDir, `asset.${key[1]}`), path.join(assemblyDir, `asset.${key[1]}${key[2] ?? ''}`));
  return candidates.find((candidate) => fs.existsSync(candidate));
}

export function functionOf(logicalId: string, resource: TemplateResource, assemblyDir: string): RouteFunction {
  const props = resource.Properties ?? {};
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries<any>(props.Environment?.Variables ?? {})) {
    if (isLiteral(value) && ['string', 'number', 'boolean'].includes(typeof value)) environment[key] = String(value);
  }
  const appDir = path.dirname(path.resolve(assemblyDir));
  return {
    logicalId,
    assetDir: assetPathOf(resource, props.Code?.S3Key, assemblyDir),
    inlineCode: typeof props.Code?.ZipFile === 'string' ? props.Code.ZipFile : undefined,
    handler: typeof props.Handler === 'string' ? props.Handler : 'index.handler',
    runtime: typeof props.Runtime === 'string' ? props.Runtime : 'unknown',
    timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
    memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
    environment,
    searchDirs: [...new Set([appDir, process.cwd()])],
  };
}
