import { Token } from 'aws-cdk-lib';
import { StreamingConfigError } from './errors';

const HTTP_URL = /^https?:\/\/[^\s/?#]+([/?#][^\s]*)?$/i;

/**
 * Throws unless `url` is an absolute http(s) URL. A URL that contains tokens is only checked
 * when its literal beginning shows the scheme.
 */
export function checkHttpUrl(scope: string, property: string, url: string): void {
  if (Token.isUnresolved(url)) {
    const literalStart = url.split('${Token[')[0];
    if (literalStart === '' || /^https?:\/\//i.test(literalStart) || 'https://'.startsWith(literalStart.toLowerCase()) || 'http://'.startsWith(literalStart.toLowerCase())) {
      return;
    }
  } else if (HTTP_URL.test(url)) {
    return;
  }
  throw new StreamingConfigError({
    scope,
    property,
    value: url,
    problem: 'is not an absolute http:// or https:// URL',
    fix: "pass the backend's full URL, for example 'https://backend.example.com/stream' (use {name} for path parameters)",
  });
}
