/**
 * Request validation as API Gateway does it before calling the integration: required request
 * parameters (`Missing required request parameters: [names]`, 400), then the body against the
 * model for its content type (JSON Schema draft 4, `Invalid request body`, 400). The reasons go
 * to the gateway's log (API Gateway puts them in `$context.error.validationErrorString`).
 */
// (bundled into the gateway by esbuild, as the package ships it: a build-time dependency)
// eslint-disable-next-line import/no-extraneous-dependencies
import { Validator } from '@cfworker/json-schema';
import type { BodyModel, ValidationSpec } from './request-models';
import { ANSWERS, GatewayAnswer } from '../gateway-responses';
import type { RequestContext } from '../request';

export type ValidationOutcome = { readonly valid: true } | { readonly refused: GatewayAnswer; readonly detail?: string; readonly why: string };

const validators = new WeakMap<BodyModel, Validator>();

/** Checks `ctx` (its body already read) against the method's validation. */
export function validateRequest(ctx: RequestContext, spec: ValidationSpec): ValidationOutcome {
  if (spec.validateParameters) {
    const missing = spec.required.filter((p) => !present(ctx, p.where, p.name)).map((p) => p.name);
    if (missing.length > 0) {
      return { refused: ANSWERS.missingParameters, detail: `[${missing.join(', ')}]`, why: `missing required request parameters: ${missing.join(', ')}` };
    }
  }
  if (!spec.validateBody) return { valid: true };
  const model = modelFor(spec, String(ctx.req.headers['content-type'] ?? ''));
  if (!model) return { valid: true };
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return { refused: ANSWERS.invalidBody, why: `the body is not JSON (model ${model.name})` };
  }
  let result;
  try {
    let validator = validators.get(model);
    if (!validator) validators.set(model, validator = new Validator(model.schema as never, '4', false));
    result = validator.validate(body);
  } catch (error) {
    return { refused: ANSWERS.internalError, why: `model ${model.name} cannot be used to validate (${(error as Error).message})` };
  }
  if (result.valid) return { valid: true };
  const errors = result.errors.filter((e) => !/^(properties|items|allOf|\$ref)$/.test(e.keyword)).map((e) => `${e.instanceLocation || '#'}: ${e.error}`);
  return { refused: ANSWERS.invalidBody, why: `the body does not match model ${model.name}: ${errors.slice(0, 5).join('; ')}` };
}

function present(ctx: RequestContext, where: 'header' | 'querystring' | 'path', name: string): boolean {
  if (where === 'header') return ctx.req.headers[name.toLowerCase()] !== undefined;
  if (where === 'querystring') return ctx.url.searchParams.has(name);
  return !!ctx.pathParameters?.[name];
}

/** The model for a content type: its own, else `$default`; no content type reads as `application/json`. */
function modelFor(spec: ValidationSpec, contentType: string): BodyModel | undefined {
  const type = contentType.split(';')[0].trim().toLowerCase() || 'application/json';
  return spec.models[type] ?? spec.models.$default;
}
