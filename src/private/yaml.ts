import * as path from 'path';

/** No `yaml` parser could be found: none of the places resolves aws-cdk-lib. */
export class YamlParserMissing extends Error {}

/**
 * Parses YAML with the `yaml` package that aws-cdk-lib bundles (every CDK app has it), from the
 * first of `from` (folders) where aws-cdk-lib resolves. Throws `YamlParserMissing` when none does,
 * and the parser's error when the text is not YAML.
 */
export function parseYamlWithCdkLib(text: string, from: string[]): unknown {
  for (const dir of from) {
    let parser: { parse(text: string): unknown };
    try {
      const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json', { paths: [dir] }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      parser = require(require.resolve('yaml', { paths: [cdkLib] }));
    } catch {
      continue;
    }
    return parser.parse(text);
  }
  throw new YamlParserMissing(`no 'yaml' parser was found from ${from.join(', ')} (it comes with aws-cdk-lib)`);
}
