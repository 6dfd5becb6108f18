/**
 * What a web app behind the Lambda Web Adapter runs on: whether a function is one, whether its
 * language is installed here, and the command that runs its start script.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { atExit } from '../at-exit';

/** True when the function runs behind the Lambda Web Adapter. */
export function isWebAppFunction(environment: Record<string, string>, layers: readonly unknown[] = []): boolean {
  const wrapped = environment.AWS_LAMBDA_EXEC_WRAPPER === '/opt/bootstrap';
  const adapterLayer = layers.some((layer) => JSON.stringify(layer).includes('LambdaAdapterLayer'));
  return wrapped || (adapterLayer && Object.keys(environment).some((key) => key.startsWith('AWS_LWA_')));
}

const LANGUAGES: Array<{ prefix: string; commands: string[]; install: string }> = [
  { prefix: 'python', commands: ['python3', 'python'], install: "Python 3 (Debian/Ubuntu: 'apt-get install python3'; macOS: 'brew install python'; or python.org)" },
  { prefix: 'java', commands: ['java'], install: 'a Java runtime (e.g. Amazon Corretto, or apt-get install default-jre-headless)' },
  { prefix: 'dotnet', commands: ['dotnet'], install: 'the .NET runtime (https://dot.net)' },
  { prefix: 'ruby', commands: ['ruby'], install: "Ruby ('apt-get install ruby' or 'brew install ruby')" },
];

/** When the language the app runs on is not installed here: what to install. */
export function missingLanguage(runtime: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const language = LANGUAGES.find((l) => runtime.startsWith(l.prefix));
  if (!language) return undefined;
  if (language.commands.some((command) => which(command, searchPath))) return undefined;
  return `the web app runs on ${runtime}, which is not installed here: install ${language.install}, then restart the gateway`;
}

function which(command: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command that runs a start script: its shebang's interpreter, else `sh`. */
export function startCommand(script: string): string[] {
  let first = '';
  try {
    first = fs.readFileSync(script, 'utf8').split('\n', 1)[0];
  } catch {
    // a missing script fails when spawned, with a clear error
  }
  const shebang = /^#!\s*(\S+)(?:\s+(.*))?$/.exec(first.trim());
  if (!shebang) return ['/bin/sh', script];
  return [shebang[1], ...(shebang[2] ? shebang[2].trim().split(/\s+/) : []), script];
}

let shimDir: string | undefined;
export function pythonShim(runtime: string): string | undefined {
  if (!runtime.startsWith('python')) return undefined;
  const searchPath = process.env.PATH ?? '';
  const python3 = which('python3', searchPath);
  if (which('python', searchPath) || !python3) return undefined;
  if (!shimDir) {
    const dir = shimDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-gateway-python-'));
    fs.symlinkSync(python3, path.join(dir, 'python'));
    atExit(() => fs.rmSync(dir, { recursive: true, force: true })); // one per process, kept until it exits
  }
  return shimDir;
}
