import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The folder of the pre-bundled handlers shipped in the package: `assets/handlers/<name>/index.js`
 * at the package root (the same path from `src/private` and from the compiled `lib/private`).
 */
export const HANDLER_BUNDLES_DIR = path.join(__dirname, '..', '..', 'assets', 'handlers');

/** The code of a handler bundled from `lambda-assets/handlers/<name>.ts` at build time. */
export function bundledHandlerCode(name: string): lambda.Code {
  const dir = path.join(HANDLER_BUNDLES_DIR, name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `The bundled handler '${name}' is missing (${path.join(dir, 'index.js')}). ` +
      "In a clone of cdk-streaming-rest-api run 'npx projen bundle'; in an installed package, reinstall it.",
    );
  }
  return lambda.Code.fromAsset(dir);
}
