import { Annotations, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { appTemplate, isRelevant } from './app-template';
import { checkApi, checkMethod, Finding, nodeOf, RuleContext } from './rules';
import { MethodModel, readTemplate, StageModel } from '../private/template';

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

/** What the validators of one app share: the constructs they visited, and the last analysis. */
interface AppState {
  /** Visited REST API and Lambda resources, and whether a validator with warnings visited them. */
  readonly visited: Map<IConstruct, boolean>;
  /** Stacks with the validation registered. */
  readonly stacks: Set<Stack>;
  analysis?: { readonly findings: Finding[]; readonly reported: Set<Stack> };
}

const STATES = new WeakMap<IConstruct, AppState>();

/**
 * Checks every REST API method that streams (`ResponseTransferMode: STREAM`) as it will deploy:
 * the synthesized CloudFormation after overrides (`addPropertyOverride`, `addOverride`), whatever
 * defined it (StreamingRestApi, RestApi, a raw CfnMethod, an escape hatch, a SpecRestApi's OpenAPI
 * body inline or as an asset), wherever it is (a nested stack, another stack of the app on an
 * imported API, another stage). It fails synthesis on what cannot work: VTL response
 * transformation, caching (integration cache keys, or stage settings that cache the method),
 * content encoding (`MinimumCompressionSize` or the OpenAPI extension), timeouts outside
 * 50..900000 ms, STREAM on an integration other than AWS_PROXY and HTTP_PROXY, the classic Lambda
 * invocation URI. It warns (with ids you can acknowledge) about edge-optimized endpoints,
 * function timeouts shorter than the integration's, runtimes that cannot stream, qualified
 * function ARNs, and buffered methods above 29 seconds.
 *
 * A method is judged when the validator's scope holds the method or its REST API.
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
    if (!isRelevant(node)) return;
    const root = node.node.root;
    let state = STATES.get(root);
    if (!state) {
      state = { visited: new Map(), stacks: new Set() };
      STATES.set(root, state);
    }
    state.visited.set(node, (state.visited.get(node) ?? false) || this.warnings);
    const stack = Stack.of(node);
    if (!state.stacks.has(stack)) registerAll(root, state);
  }
}

/** Every stack of the app reports the findings on its constructs. */
function registerAll(root: IConstruct, state: AppState): void {
  for (const child of root.node.findAll()) {
    if (!Stack.isStack(child) || state.stacks.has(child)) continue;
    const stack = child;
    state.stacks.add(stack);
    stack.node.addValidation({ validate: () => report(root, state, stack) });
  }
}

function report(root: IConstruct, state: AppState, stack: Stack): string[] {
  if (!state.analysis || state.analysis.reported.has(stack)) {
    // A new synthesis (or the first): analyse the whole app once, and emit the warnings.
    const findings = analyse(root, state);
    state.analysis = { findings, reported: new Set() };
    for (const finding of findings) {
      if (finding.level === 'warning' && finding.anchors.some((a) => state.visited.get(a) === true)) {
        Annotations.of(finding.node).addWarningV2(finding.warningId!, finding.message);
      }
    }
  }
  state.analysis.reported.add(stack);
  return state.analysis.findings.filter((f) => f.level === 'error' && Stack.of(f.node) === stack).map((f) => f.message);
}

/** Reads the app's final templates and runs the rules on the methods the validators cover. */
function analyse(root: IConstruct, state: AppState): Finding[] {
  const app = appTemplate(root);
  const ctx: RuleContext = { elements: app.elements, resources: app.template.Resources ?? {} };
  const model = readTemplate(app.template, { readBody: app.readBody });
  const covered = (nodes: Array<IConstruct | undefined>) => nodes.some((n) => n !== undefined && state.visited.has(n));
  const findings: Finding[] = [];
  const judge = (m: MethodModel, stages: StageModel[], apiNode: IConstruct | undefined) => {
    const node = nodeOf(m, ctx);
    if (!covered([node, apiNode])) return;
    findings.push(...checkMethod(m, stages, ctx, [node, apiNode].filter((n): n is IConstruct => n !== undefined)));
  };
  for (const api of model.apis) {
    const apiNode = app.elements.get(api.logicalId);
    for (const m of api.methods) judge(m, api.stages, apiNode);
    if (covered([apiNode])) {
      findings.push(...checkApi(api, api.methods.filter((m) => m.integration.responseTransferMode === 'STREAM'), ctx, [apiNode!]));
    }
  }
  // Methods of APIs outside the app (imported by id): their own settings only.
  // Methods of APIs outside the app (imported by id), with the stages of the same id.
  const key = (id: unknown) => JSON.stringify(id);
  for (const m of model.otherMethods) judge(m, model.otherStages.filter((s) => key(s.restApiId) === key(m.restApiId)), undefined);
  return dedupe(findings);
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
