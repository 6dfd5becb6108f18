/**
 * A method's request validation as the assembly writes it: its request validator
 * (AWS::ApiGateway::RequestValidator: `ValidateRequestParameters`, `ValidateRequestBody`), its
 * required request parameters (`RequestParameters`: `method.request.<where>.<name>: true`) and
 * its body models by content type (`RequestModels` → AWS::ApiGateway::Model `Schema`, JSON Schema
 * draft 4). Models that refer to other models (`$ref` to `.../models/<name>`) are resolved
 * within the API.
 */
import { containsIntrinsic, logicalIdOf, MethodModel, refOf, TemplateResource } from '../../src/private/template';

export interface RequiredParameter {
  readonly where: 'header' | 'querystring' | 'path';
  readonly name: string;
}

export interface BodyModel {
  readonly name: string;
  /** The schema with model references (`$ref` to `.../models/<name>`) replaced by `#/definitions/<name>`. */
  readonly schema: Record<string, unknown>;
}

export interface ValidationSpec {
  readonly validateParameters: boolean;
  readonly validateBody: boolean;
  readonly required: readonly RequiredParameter[];
  /** Body models by content type (`$default` included). */
  readonly models: Readonly<Record<string, BodyModel>>;
  /** Why the validation cannot be emulated (a schema built from deploy-time values); the method is then served unvalidated and the start-up lines say so. */
  readonly unsupported?: string;
}

/** The request validation of `method`, or undefined when it has no validator. */
export function validationOf(method: MethodModel, resources: Record<string, TemplateResource>): ValidationSpec | undefined {
  const raw = method.raw ?? {};
  if (method.source === 'OpenAPI') {
    return raw['x-amazon-apigateway-request-validator'] === undefined ? undefined
      : { validateParameters: false, validateBody: false, required: [], models: {}, unsupported: 'request validators written in an OpenAPI body are not emulated' };
  }
  const validatorId = logicalIdOf(raw.RequestValidatorId);
  const validator = validatorId ? resources[validatorId]?.Properties : undefined;
  if (!validator) return undefined;
  const flag = (value: unknown) => value === true || value === 'true';
  const validateParameters = flag(validator.ValidateRequestParameters);
  const validateBody = flag(validator.ValidateRequestBody);
  if (!validateParameters && !validateBody) return undefined;
  const required: RequiredParameter[] = [];
  for (const [key, value] of Object.entries(raw.RequestParameters ?? {})) {
    const match = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(key);
    if (match && flag(value)) required.push({ where: match[1] as RequiredParameter['where'], name: match[2] });
  }
  const models: Record<string, BodyModel> = {};
  let unsupported: string | undefined;
  const apiId = method.apiLogicalId;
  for (const [contentType, value] of Object.entries(raw.RequestModels ?? {})) {
    const model = modelOf(value, apiId, resources);
    if (model === undefined) continue;
    if ('unsupported' in model) unsupported ??= model.unsupported;
    else models[contentType.toLowerCase()] = model;
  }
  return { validateParameters, validateBody, required, models, unsupported };
}

interface ModelResource { id: string; name: string; schema: unknown }

/** The models of an API: logical id, name, schema. */
function modelsOfApi(apiId: string | undefined, resources: Record<string, TemplateResource>): ModelResource[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::Model' && logicalIdOf(r.Properties?.RestApiId) === apiId)
    .map(([id, r]) => ({ id, name: typeof r.Properties?.Name === 'string' ? r.Properties.Name : id, schema: r.Properties?.Schema }));
}

type ModelOutcome = BodyModel | { unsupported: string };

function modelOf(value: unknown, apiId: string | undefined, resources: Record<string, TemplateResource>): ModelOutcome | undefined {
  const all = modelsOfApi(apiId, resources);
  const ref = refOf(value);
  const found = ref ? all.find((m) => m.id === ref) : typeof value === 'string' ? all.find((m) => m.name === value) : undefined;
  // The built-in models: `Empty` accepts anything; `Error` is for responses.
  if (found) return resolved(found, all);
  return typeof value === 'string' && ['Empty', 'Error'].includes(value) ? undefined : { unsupported: `the request model ${JSON.stringify(value)} is not a model of the API` };
}

/** A model's schema with the models it refers to as its definitions. */
function resolved(found: ModelResource, all: ModelResource[]): BodyModel | { unsupported: string } {
  const definitions: Record<string, unknown> = {};
  const pending = [found];
  let root: Record<string, unknown> | undefined;
  while (pending.length > 0) {
    const model = pending.pop()!;
    const schema = parseSchema(model.schema);
    if (!schema) return { unsupported: `the schema of model ${model.name} is built from values known only when deployed` };
    const rewritten = rewriteRefs(schema, all, (m) => { if (!(m.name in definitions) && m !== found) pending.push(m); }) as Record<string, unknown>;
    if (model === found) root = rewritten;
    else definitions[model.name] = rewritten;
  }
  const schema = { ...root!, definitions: { ...(root!.definitions as object ?? {}), ...definitions } };
  return { name: found.name, schema };
}

function parseSchema(schema: unknown): Record<string, unknown> | undefined {
  if (typeof schema === 'string') {
    try {
      const parsed = JSON.parse(schema);
      return parsed && typeof parsed === 'object' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return schema && typeof schema === 'object' && !containsRefIntrinsic(schema) ? schema as Record<string, unknown> : undefined;
}

/** Intrinsics other than a `$ref` built with `Fn::Join` (how CDK writes a model reference). */
function containsRefIntrinsic(schema: object): boolean {
  const copy = JSON.parse(JSON.stringify(schema, (key, v) => (key === '$ref' ? undefined : v)));
  return containsIntrinsic(copy);
}

/** Replaces `$ref`s to models (`https://apigateway.amazonaws.com/restapis/<id>/models/<name>`, literal or joined) by `#/definitions/<name>`. */
function rewriteRefs(node: unknown, models: ModelResource[], use: (m: ModelResource) => void): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, models, use));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const model = key === '$ref' ? referencedModel(value, models) : undefined;
    if (model) {
      use(model);
      out[key] = `#/definitions/${model.name}`;
      continue;
    }
    out[key] = rewriteRefs(value, models, use);
  }
  return out;
}

/** The model a `$ref` names: `.../models/<name>` literally, or joined (`Fn::Join` with a `Ref` to the model after `/models/`). */
function referencedModel(value: unknown, models: ModelResource[]): ModelResource | undefined {
  if (typeof value === 'string') {
    const name = /\/models\/([^/]+)$/.exec(value)?.[1];
    return name ? models.find((m) => m.name === name) : undefined;
  }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  const parts = join[1];
  const at = parts.findIndex((p) => typeof p === 'string' && p.endsWith('/models/'));
  const next = at >= 0 ? parts[at + 1] : undefined;
  if (typeof next === 'string') return models.find((m) => m.name === next.split('/')[0]);
  const id = refOf(next);
  return id ? models.find((m) => m.id === id) : undefined;
}
