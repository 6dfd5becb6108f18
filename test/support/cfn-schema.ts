/**
 * Validates CloudFormation templates against the resource specification AWS publishes on npm as
 * `@aws-cdk/aws-service-spec` (built from the CloudFormation registry's resource schemas): resource
 * types exist, property names are known, required properties are present, values have the schema's
 * type and allowed values. Intrinsic functions are not judged.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

let database: SpecDatabase | undefined;
const spec = () => (database ??= loadAwsServiceSpecSync());

const isIntrinsic = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
};

/** Problems with one value, as `path: problem` lines (empty when it conforms). */
function checkValue(value: unknown, type: PropertyType, at: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'string':
    case 'date-time':
      if (typeof value !== 'string') return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(value)) {
        return [`${at}: '${value}' is not one of ${type.allowedValues.join(', ')}`];
      }
      return [];
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || (type.type === 'integer' && !Number.isInteger(value))) return [`${at}: expected ${type.type}, got ${JSON.stringify(value)}`];
      return [];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : [`${at}: expected null`];
    case 'tag':
      return checkObject(value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, at);
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected an array, got ${JSON.stringify(value)}`];
      return value.flatMap((element, i) => checkValue(element, type.element, `${at}[${i}]`));
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected a map, got ${JSON.stringify(value)}`];
      return Object.entries(value).flatMap(([k, v]) => checkValue(v, type.element, `${at}.${k}`));
    case 'union': {
      const attempts = type.types.map((t) => checkValue(value, t, at));
      return attempts.some((problems) => problems.length === 0) ? [] : attempts[0];
    }
    case 'ref': {
      const definition = spec().get('typeDefinition', type.reference.$ref);
      return checkObject(value, definition.properties, at);
    }
  }
  return [`${at}: unknown schema type ${JSON.stringify(type)}`];
}

function checkObject(value: unknown, properties: ResourceProperties, at: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object, got ${JSON.stringify(value)}`];
  const problems: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${at}.${name}: not a property of this type (known: ${Object.keys(properties).join(', ')})`);
      continue;
    }
    // A property whose type changed over time accepts any of its types.
    const types = [property.type, ...(property.previousTypes ?? [])];
    const attempts = types.map((t) => checkValue(v, t, `${at}.${name}`));
    if (!attempts.some((p) => p.length === 0)) problems.push(...attempts[0]);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in (value as object))) problems.push(`${at}.${name}: required, missing`);
  }
  return problems;
}

/** Problems of every resource in `template` whose type starts with one of `prefixes`. */
export function validateTemplate(template: any, prefixes: string[]): { checked: number; problems: string[] } {
  let checked = 0;
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (!prefixes.some((p) => resource.Type.startsWith(p))) continue;
    checked += 1;
    const found = spec().lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (found.length !== 1) {
      problems.push(`${logicalId}: ${resource.Type} is not a resource type in the specification`);
      continue;
    }
    problems.push(...checkObject(resource.Properties ?? {}, found[0].properties, `${logicalId} (${resource.Type})`));
  }
  return { checked, problems };
}
