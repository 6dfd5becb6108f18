/**
 * Several stacks' templates as one: ids prefixed per stack, and the references between stacks
 * followed (a nested stack's parameters, `Fn::ImportValue` of another stack's export, a nested
 * stack's `Outputs.x`), so a method in a nested stack or in another stack on an imported API sits
 * under its API, and its resource path reaches the API's root. Dependency-free.
 */
import { getAttOf, refOf } from './intrinsics';
import { Template, TemplateResource } from './types';

/** One stack of the set. */
export interface StackTemplate {
  /** A name unique in the set (a stack name, a construct path). */
  readonly name: string;
  readonly template: Template;
  /** For a nested stack: its parent's name and the logical id of its `AWS::CloudFormation::Stack` there. */
  readonly parent?: { readonly name: string; readonly resourceId: string };
}

/** Where a resource of the merged template comes from. */
export interface Origin {
  readonly stack: string;
  readonly logicalId: string;
}

/** The merged template, and the origin of each of its (prefixed) ids. */
export interface MergedTemplate {
  readonly template: Template;
  readonly origins: Map<string, Origin>;
}

/** Deeper chains of references than this are cut (a cycle, or a pathological template). */
const MAX_DEPTH = 50;

interface Part {
  readonly prefix: string;
  readonly stack: StackTemplate;
  readonly resources: { readonly [id: string]: TemplateResource };
  parent?: { part: Part; resourceId: string };
}

/** Merges `stacks` into one template whose ids are `<index>/<logicalId>`. */
export function mergeTemplates(stacks: StackTemplate[]): MergedTemplate {
  const parts = stacks.map((stack, i): Part => ({ prefix: `${i}/`, stack, resources: stack.template.Resources ?? {} }));
  const byName = new Map(parts.map((p) => [p.stack.name, p]));
  const children = new Map<string, Part>();
  const exports = new Map<string, { part: Part; value: unknown }>();
  for (const part of parts) {
    const parent = part.stack.parent ? byName.get(part.stack.parent.name) : undefined;
    if (parent && part.stack.parent) {
      part.parent = { part: parent, resourceId: part.stack.parent.resourceId };
      children.set(parent.prefix + part.stack.parent.resourceId, part);
    }
    for (const output of Object.values(part.stack.template.Outputs ?? {})) {
      const name = output?.Export?.Name;
      if (typeof name === 'string') exports.set(name, { part, value: output.Value });
    }
  }

  const rewrite = (part: Part, value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
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
        const output = child.stack.template.Outputs?.[att[1].slice('Outputs.'.length)];
        return output?.Value !== undefined ? rewrite(child, output.Value, depth + 1) : value;
      }
      return part.resources[att[0]] ? { 'Fn::GetAtt': [part.prefix + att[0], att[1]] } : value;
    }
    const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (sub !== undefined && Object.keys(value).length === 1) {
      // `${Id}` and `${Id.Attr}` of this stack's resources get the stack's prefix too.
      const prefixed = (text: unknown) => (typeof text !== 'string' ? text : text.replace(/\$\{([^!}.][^}.]*)(\.[^}]*)?\}/g,
        (whole, id: string, attr = '') => (part.resources[id] ? `\${${part.prefix}${id}${attr}}` : whole)));
      return { 'Fn::Sub': Array.isArray(sub) ? [prefixed(sub[0]), rewrite(part, sub[1], depth + 1)] : prefixed(sub) };
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
  const origins = new Map<string, Origin>();
  for (const part of parts) {
    for (const [id, resource] of Object.entries(part.resources)) {
      resources[part.prefix + id] = { ...resource, Properties: rewrite(part, resource.Properties ?? {}, 0) as TemplateResource['Properties'] };
      origins.set(part.prefix + id, { stack: part.stack.name, logicalId: id });
    }
  }
  return { template: { Resources: resources }, origins };
}
