// Shared by the peers' command-line entry points (test/peers/*/provider_main.ts, consumer_main.ts), which the
// docker-compose scenarios (test/docker/) run in containers and test/docker/compose.test.ts runs on this machine: option
// parsing, retrying the first call until the proxy and the provider are up, and reading the filter's request counter
// from the proxy's admin.
import { parseArgs } from "node:util";

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** "host:port" (an IPv6 host in brackets). */
export function parseAddress(text: string, what: string): Address {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (match === null) throw new Error(`${what}: expected host:port, got ${JSON.stringify(text)}`);
  return { host: match[1], port: Number(match[2]) };
}

/** Parses `--name value` options; every option is a string with a default. */
export function options<T extends Record<string, string>>(defaults: T, argv = process.argv.slice(2)): T {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: "string" as const }])),
    strict: true,
  });
  return { ...defaults, ...values } as T;
}

export function positiveInteger(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds or `waitMs` has passed (containers start in any order: the proxy may not listen
 * yet, or may not reach the provider yet). Returns the attempt's result; throws its last error.
 */
export async function retryUntilUp<T>(what: string, waitMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`${what}: still failing after ${tries} attempts: ${(error as Error).message}`);
      await sleep(500);
    }
  }
}

/** A counter as Envoy's Prometheus output shows it once the stats_tags made labels of its tags. */
export interface Counter {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The value of `counter` in the admin's Prometheus output, polled until it reaches `atLeast` or 5 s have passed (the
 * filter hands its counts to the proxy once per data event).
 */
export async function adminCounter(admin: Address, counter: Counter, atLeast: number): Promise<number> {
  const deadline = Date.now() + 5000;
  const wanted = JSON.stringify(Object.entries(counter.labels).sort());
  let value = 0;
  for (;;) {
    const response = await fetch(`http://${admin.host}:${admin.port}/stats/prometheus`);
    const text = await response.text();
    const line = text.split("\n").find((l) => {
      const match = /^([\w:]+)\{(.*)\} \S+$/.exec(l);
      if (match === null || match[1] !== counter.name) return false;
      return JSON.stringify([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]).sort()) === wanted;
    });
    value = line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
    if (value >= atLeast || Date.now() >= deadline) return value;
    await sleep(100);
  }
}

/** `promise`, or a rejection naming `what` after `ms` (a call through a proxy that never answers must not hang). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A consumer entry point's client: how to connect, make call `i` (true when its reply was right) and close. */
export interface ScenarioClient<C> {
  connect(): Promise<C>;
  call(client: C, i: number): Promise<boolean>;
  close(client: C): Promise<void>;
}

/**
 * The consumers' scenario: call 0 is retried with a new connection until the proxy and the server behind it answer,
 * then calls 1..calls-1 go ten at a time on that connection; then the filter's `requestCounter` is read from the
 * admin. Prints one summary line and exits 0 when every call succeeded and the filter counted them all.
 */
export async function runConsumerScenario<C>(
  label: string,
  opts: { target: string; admin: string; calls: string; "wait-seconds": string },
  requestCounter: Counter,
  client: ScenarioClient<C>,
): Promise<never> {
  try {
    const admin = parseAddress(opts.admin, "--admin");
    const calls = positiveInteger(opts.calls, "--calls");
    const connection = await retryUntilUp(`${label}: first call`, Number(opts["wait-seconds"]) * 1000, async () => {
      const candidate = await withTimeout(client.connect(), 5000, `connecting to ${opts.target}`);
      if (await client.call(candidate, 0)) return candidate;
      await client.close(candidate);
      throw new Error(`no answer through ${opts.target}`);
    });
    let ok = 1;
    for (let from = 1; from < calls; from += 10) {
      const batch = Array.from({ length: Math.min(10, calls - from) }, (_, k) => client.call(connection, from + k));
      ok += (await Promise.all(batch)).filter(Boolean).length;
    }
    await client.close(connection);
    const counted = await adminCounter(admin, requestCounter, calls);
    console.log(`${label}: ${ok}/${calls} calls ok; the wasm filter counted ${counted} requests`);
    process.exit(ok === calls && counted >= calls ? 0 : 1);
  } catch (error) {
    exitWithError(label, error);
  }
}

/** Prints the error and exits 1: the entry points' last word on failure. */
export function exitWithError(what: string, error: unknown): never {
  console.error(`${what}: FAILED: ${(error as Error)?.stack ?? error}`);
  process.exit(1);
}

/** Exits 0 on SIGINT and SIGTERM (docker compose stops the provider with SIGTERM) after `close`. */
export function closeOnSignals(close: () => Promise<void>): void {
  const stop = () => void close().finally(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
