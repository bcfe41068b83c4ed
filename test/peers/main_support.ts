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

/**
 * The value of the counter `name` (no tags) in the admin's Prometheus output, polled until it reaches `atLeast` or
 * 5 s have passed (the filter hands its counts to the proxy once per data event).
 */
export async function adminCounter(admin: Address, name: string, atLeast: number): Promise<number> {
  const deadline = Date.now() + 5000;
  let value = 0;
  for (;;) {
    const response = await fetch(`http://${admin.host}:${admin.port}/stats/prometheus`);
    const text = await response.text();
    const line = text.split("\n").find((l) => l.startsWith(`${name}{} `) || l.startsWith(`${name} `));
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
