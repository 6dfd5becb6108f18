/**
 * CloudFormation intrinsics: recognise them and the logical ids they point to. Dependency-free.
 */

/** True for `{ Ref }`, `{ 'Fn::...' }` and `{ Condition }` objects. */
export function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** True when the value is, or contains anywhere, an intrinsic. */
export function containsIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isIntrinsic(value)) return true;
  return Object.values(value as Record<string, unknown>).some(containsIntrinsic);
}

/** A literal value: defined and free of intrinsics. */
export function isLiteral(value: unknown): boolean {
  return value !== undefined && !containsIntrinsic(value);
}

/** The logical id of `{ Ref: id }`. */
export function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | null | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** `[logicalId, attribute]` of `{ 'Fn::GetAtt': [id, attr] }` (or the `'id.attr'` string form). */
export function getAttOf(value: unknown): [string, string] | undefined {
  const att = (value as { 'Fn::GetAtt'?: unknown } | null | undefined)?.['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return [att[0], String(att[1])];
  if (typeof att === 'string' && att.includes('.')) {
    const dot = att.indexOf('.');
    return [att.slice(0, dot), att.slice(dot + 1)];
  }
  return undefined;
}

/** The logical id a `Ref` or `Fn::GetAtt` points to. */
export function logicalIdOf(value: unknown): string | undefined {
  return refOf(value) ?? getAttOf(value)?.[0];
}

/**
 * The logical ids an `Fn::Sub` template string names (`${Fn.Arn}`, `${Fn}`), leaving out pseudo
 * parameters (`${AWS::Region}`), escapes (`${!Literal}`) and the variables its map defines.
 */
export function subReferences(value: unknown): string[] {
  const sub = (value as { 'Fn::Sub'?: unknown } | null | undefined)?.['Fn::Sub'];
  const [text, variables] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
  if (typeof text !== 'string') return [];
  const defined = variables !== null && typeof variables === 'object' ? Object.keys(variables) : [];
  const ids: string[] = [];
  for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
    const name = match[1].trim();
    if (name.includes('::') || defined.includes(name)) continue;
    const id = name.split('.')[0];
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Every logical id that `Ref`s, `Fn::GetAtt`s or `Fn::Sub` strings anywhere in `value` point to, in order. */
export function referencedIds(value: unknown, into: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return into;
  const id = logicalIdOf(value);
  if (id !== undefined && !into.includes(id)) into.push(id);
  for (const named of subReferences(value)) {
    if (!into.includes(named)) into.push(named);
  }
  for (const child of Object.values(value as Record<string, unknown>)) referencedIds(child, into);
  return into;
}

/** The value as text for searching: strings as they are, intrinsics as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
