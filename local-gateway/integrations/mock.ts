/**
 * MOCK integrations, answered as API Gateway answers them without a backend: the request template
 * (chosen by the request's content type, `application/json` by default) renders a status code
 * (`{ statusCode: 200 }`); the integration response whose selection pattern matches it (else the
 * default one) gives the status, the headers (`method.response.header.<name>` from literals or
 * the request) and the body (its response template), after what the template set in
 * `$context.responseOverride`. This is what `defaultCorsPreflightOptions` generates for a
 * preflight, with one allowed origin or several (a template that picks the request's origin).
 */
import { localValue } from '../deploy-values';
import { jsonTemplate, parameterValue } from '../gateway-responses';
import { Overrides, renderTemplate } from '../mapping-template';
import type { RequestContext } from '../request';
import type { MockSpec } from '../route';

export function answerMock(ctx: RequestContext, mock: MockSpec): void {
  const type = String(ctx.req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  const requestTemplate = mock.requestTemplates[type] ?? mock.requestTemplates['application/json'];
  const rendered = requestTemplate === undefined ? '' : renderTemplate(localValue(requestTemplate, ctx.localAddresses), ctx);
  const statusCode = /statusCode["']?\s*:\s*["']?(\d{3})/.exec(rendered)?.[1] ?? '200';
  const response = mock.responses.find((r) => r.selectionPattern !== undefined && r.selectionPattern !== '' && new RegExp(`^(?:${r.selectionPattern})$`).test(statusCode))
    ?? mock.responses.find((r) => !r.selectionPattern);
  if (!response) {
    ctx.log(`the MOCK integration's request template gave statusCode ${statusCode}, which no integration response selects`);
    ctx.send(500, {}, JSON.stringify({ message: 'Internal server error' }));
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.parameters)) {
    const header = /^method\.response\.header\.(.+)$/.exec(name)?.[1];
    if (header) headers[header] = parameterValue(value, ctx);
  }
  const overrides: Overrides = { header: {} };
  const template = jsonTemplate(response.templates, ctx);
  const body = template === undefined ? '' : renderTemplate(template, ctx, overrides);
  Object.assign(headers, overrides.header);
  ctx.mode = 'BUFFERED';
  ctx.send(overrides.status ?? Number(response.statusCode), headers, body.trim() === '' ? '' : body);
}
