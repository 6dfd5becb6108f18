/**
 * The local gateway under concurrent streams, against a bare node:http server doing the same work
 * inline, in the same run: a route that writes 100 chunks of 1 KB, 10 ms apart, its function
 * defined as `StreamingFunction` defines one (512 MB, `NODE_OPTIONS=--enable-source-maps`). At 1, 50, 200 and
 * 500 concurrent streams, cold (a fresh server) and warm (the same requests again, WARM_ROUNDS
 * times: one burst's p99 varies by tens of ms on a busy 2-core machine, for either server), it
 * reports the p50/p99 time to first byte (warm: over all warm rounds' requests, and the median of
 * the rounds' p99s), the server's CPU per request and the total RSS of the server and its function
 * environments (Linux /proc). Servers run in their own process (gateway-concurrency-server.ts,
 * bundled as the package ships the gateway); the clients run here.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-concurrency.ts [levels] [gateway options JSON]
 * PREWARM_ROUNDS=N first serves N rounds from the server as it starts (the gateway: another function
 * with the same handler, whose environments the measured function does not use): the cold round
 * then measures the function's cold starts in a gateway whose own code V8 has already optimized,
 * and the first warm round no longer includes that optimization (by default it does).
 * To look inside: SERVER_NODE_FLAGS='--trace-gc' (or --cpu-prof, --trace-opt: flags for the servers'
 * node) and BENCH_TRACE=1 (the servers' output, and each round's start, end and percentiles, with
 * millisecond stamps to line them up).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { median } from './gateway-support';

const LEVELS = (process.argv[2] ?? '1,50,200,500').split(',').map(Number);
const GATEWAY_OPTIONS = process.argv[3] ?? '{}';
const WARM_ROUNDS = Number(process.env.WARM_ROUNDS ?? 5);
const PREWARM_ROUNDS = Number(process.env.PREWARM_ROUNDS ?? 0);
const TICKS_PER_SECOND = 100;
const PAGE = 4096;

interface Sample { ttfb: number[]; cpuMs: number; peakRssMb: number; failures: number; roundP99s: number[] }

/**
 * The pid and every descendant of `root`, from each thread's `children` file (Linux): the sampler
 * reads this every 50 ms during a round, on the same cores as the servers, so it reads the tree
 * only, not every process's `stat`.
 */
function tree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue; // gone
    }
    for (const task of tasks) {
      try {
        for (const child of fs.readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').split(' ')) if (child.trim()) out.push(Number(child));
      } catch { /* gone */ }
    }
  }
  return out;
}

/** CPU ms used so far by a process (utime + stime), 0 if gone. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  try {
    return (Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE) / 1024 / 1024;
  } catch {
    return 0;
  }
}

/**
 * The servers run bundled the way the package ships the gateway (esbuild, as `compile:local-gateway`
 * does), with the function worker's bundle beside them: a TypeScript loader (tsx names every
 * closure, ts-node loads `domain`, which slows every event emitter) would measure a slower gateway
 * than the one users run.
 */
function bundleServer(): string {
  const dir = path.join(__dirname, '..', '.bench', 'concurrency');
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const esbuild = require('esbuild') as typeof import('esbuild');
  const common: import('esbuild').BuildOptions = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['esbuild'], logLevel: 'warning' };
  esbuild.buildSync({ ...common, entryPoints: [path.join(__dirname, 'gateway-concurrency-server.ts')], outfile: path.join(dir, 'server.js') });
  esbuild.buildSync({ ...common, entryPoints: [path.join(__dirname, '..', 'local-gateway', 'lambda', 'sandbox', 'main.ts')], outfile: path.join(dir, 'sandbox.js') });
  return path.join(dir, 'server.js');
}

const SERVER = bundleServer();

async function startServer(kind: string): Promise<{ child: ChildProcess; url: string }> {
  const flags = (process.env.SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, SERVER, kind, GATEWAY_OPTIONS], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The URL is the first line that is one: SERVER_NODE_FLAGS such as --trace-gc print on stdout too.
  const url = await new Promise<string>((resolve) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (process.env.BENCH_TRACE) process.stderr.write(d);
      seen += d.toString();
      const line = /^http:\/\/\S+$/m.exec(seen);
      if (line) resolve(line[0]);
    });
  });
  return { child, url };
}

function firstByte(url: string, agent: http.Agent): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    http.get(url, { agent }, (res) => {
      let ttfb: number | undefined;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        ttfb ??= performance.now() - started;
        bytes += c.length;
      });
      res.on('end', () => resolve(res.statusCode === 200 && bytes === 100 * 1024 ? ttfb : undefined));
      res.on('error', () => resolve(undefined));
    }).on('error', () => resolve(undefined));
  });
}

async function round(url: string, pid: number, n: number): Promise<Sample> {
  if (process.env.BENCH_TRACE) console.error(`[round ${Date.now() % 100000}]`);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const pids = () => tree(pid);
  const cpuBefore = new Map(pids().map((p) => [p, cpuMs(p)]));
  let peakRssMb = 0;
  const lastCpu = new Map<number, number>();
  const sampler = setInterval(() => {
    const all = pids();
    peakRssMb = Math.max(peakRssMb, all.reduce((sum, p) => sum + rssMb(p), 0));
    for (const p of all) lastCpu.set(p, cpuMs(p)); // environments that end keep their last reading
  }, 50);
  const results = await Promise.all(Array.from({ length: n }, () => firstByte(url, agent)));
  clearInterval(sampler);
  for (const p of pids()) lastCpu.set(p, cpuMs(p));
  const used = [...lastCpu].reduce((sum, [p, ms]) => sum + ms - (cpuBefore.get(p) ?? 0), 0);
  agent.destroy();
  const ttfb = results.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  if (process.env.BENCH_TRACE) console.error(`[round done ${Date.now() % 100000}: server CPU ${used} ms, first byte p50 ${pct(ttfb, 0.5).toFixed(0)} p90 ${pct(ttfb, 0.9).toFixed(0)} p99 ${pct(ttfb, 0.99).toFixed(0)} ms]`);
  return { ttfb, cpuMs: used, peakRssMb, failures: n - ttfb.length, roundP99s: [pct(ttfb, 0.99)] };
}

/** `rounds` rounds of `n` requests, pooled: every request's TTFB, the CPU of all, each round's p99. */
async function rounds(url: string, pid: number, n: number, count: number): Promise<Sample> {
  const all: Sample[] = [];
  for (let i = 0; i < count; i++) all.push(await round(url, pid, n));
  return {
    ttfb: all.flatMap((s) => s.ttfb).sort((a, b) => a - b),
    cpuMs: all.reduce((sum, s) => sum + s.cpuMs, 0) / count,
    peakRssMb: Math.max(...all.map((s) => s.peakRssMb)),
    failures: all.reduce((sum, s) => sum + s.failures, 0),
    roundP99s: all.flatMap((s) => s.roundP99s),
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

void (async () => {
  console.log(`gateway options ${GATEWAY_OPTIONS}; route: 100 x 1 KB chunks, 10 ms apart`);
  console.log(`warm: ${WARM_ROUNDS} rounds pooled (WARM_ROUNDS=N to change)`);
  if (PREWARM_ROUNDS > 0) console.log(`each server first served ${PREWARM_ROUNDS} rounds (the gateway: of another function)`);
  console.log('streams  server   round  ttfb p50 ms  ttfb p99 ms  median round p99  cpu/request ms  peak RSS MB  failures');
  const table: Record<string, Sample> = {};
  for (const n of LEVELS) {
    for (const kind of ['bare', 'gateway']) {
      const { child, url } = await startServer(kind);
      try {
        for (let i = 0; i < PREWARM_ROUNDS; i++) await round(url.replace(/\/s$/, '/prewarm'), child.pid!, n);
        for (const which of ['cold', 'warm']) {
          const s = which === 'cold' ? await round(url, child.pid!, n) : await rounds(url, child.pid!, n, WARM_ROUNDS);
          table[`${n} ${kind} ${which}`] = s;
          console.log(`${String(n).padStart(7)}  ${kind.padEnd(7)}  ${which}   ${pct(s.ttfb, 0.5).toFixed(1).padStart(10)}  ${pct(s.ttfb, 0.99).toFixed(1).padStart(11)}  ${median(s.roundP99s).toFixed(1).padStart(16)}  ${(s.cpuMs / n).toFixed(2).padStart(14)}  ${s.peakRssMb.toFixed(0).padStart(11)}  ${String(s.failures).padStart(8)}`);
        }
      } finally {
        // SIGTERM first, so a server run with --cpu-prof (SERVER_NODE_FLAGS) writes its profile.
        const pids = tree(child.pid!).reverse();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
        for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    const bare = table[`${n} bare warm`];
    const gw = table[`${n} gateway warm`];
    const p99Ratio = pct(gw.ttfb, 0.99) / pct(bare.ttfb, 0.99);
    console.log(`  -> ${n} streams, warm: CPU per request ${(gw.cpuMs / bare.cpuMs).toFixed(1)}x the bare server; p99 TTFB ${pct(gw.ttfb, 0.99).toFixed(1)} ms vs ${pct(bare.ttfb, 0.99).toFixed(1)} ms (${p99Ratio.toFixed(2)}x)`);
    const list = (s: Sample) => s.roundP99s.map((p) => p.toFixed(0)).join(', ');
    console.log(`     each warm round's p99 (ms): gateway ${list(gw)}; bare ${list(bare)}`);
  }
  // The targets of the sandbox issue (#26), as ratios against the bare server in this run.
  const at50 = table['50 gateway warm'];
  const bare50 = table['50 bare warm'];
  if (at50) {
    const p99 = pct(at50.ttfb, 0.99) / pct(bare50.ttfb, 0.99);
    const cpu = at50.cpuMs / bare50.cpuMs;
    console.log(`target at 50 warm: p99 first byte <= 2x bare -> ${p99 <= 2 ? 'met' : 'NOT MET'} (${p99.toFixed(2)}x); CPU per request <= 3x bare -> ${cpu <= 3 ? 'met' : 'NOT MET'} (${cpu.toFixed(1)}x)`);
  }
  for (const n of [200, 500]) {
    const cold = table[`${n} gateway cold`];
    const warm = table[`${n} gateway warm`];
    if (!cold || !warm) continue;
    const failures = cold.failures + warm.failures;
    const peak = Math.max(cold.peakRssMb, warm.peakRssMb);
    console.log(`target at ${n}: every request answered -> ${failures === 0 ? 'met' : `NOT MET (${failures} failed)`}; total RSS <= 2 GB -> ${peak <= 2048 ? 'met' : 'NOT MET'} (${peak.toFixed(0)} MB)`);
  }
})();
