// In-process cost per request: the bundled host's wasm side drives build/<module>.wasm through FakeConnections (no
// sockets): requests in proxy_on_downstream_data, their responses in proxy_on_upstream_data, 1 or 64 per data event,
// with and without request_mutation, access log on and off; and the pass-through floor module on the same bytes.
// Every scenario is checked before it is timed (counters, access log lines, mutation applied or counted as
// unsupported, bytes let through), so that a fast number is never the number of a filter that skipped the work.
import { LogLevel } from "../host/api.ts";
import { DrivenPlugin } from "./driver.ts";
import { nsPerIteration, nsPerPhase, type TimingOptions } from "./timing.ts";
import { batch, type Workload } from "./workloads.ts";

export const MUTATION = [{ key: "x-mesh", value: "wasm" }];

/** Extra plugin configuration for a scenario: routing or the local rate limit. */
export interface Extra {
  readonly label: string;
  readonly config: object;
}

/**
 * Three routes as a mesh would have them: a canary route on an attachment/header the traffic does not carry, a
 * regex on the method, a catch-all; connection routing off (it holds a connection's first request for the cluster
 * choice, a one-off per connection): what is timed is matching every request.
 */
export const ROUTES: Extra = {
  label: "routes",
  config: {
    connection_routing: false,
    routes: [
      { name: "canary", match: { metadata: [{ name: "x-canary", present_match: true }] }, route: { cluster: "v2" } },
      { name: "methods", match: { metadata: [{ name: "method", safe_regex_match: { regex: "say.*|echo.*|calc.*" } }] }, route: { cluster: "v1" } },
      { name: "default", match: { metadata: [] }, route: { cluster: "v1" } },
    ],
  },
};

/** Routes on the method alone (a regex, a catch-all): routing where the codecs need read no attachment. */
export const METHOD_ROUTES: Extra = {
  label: "method routes",
  config: {
    connection_routing: false,
    routes: [
      { name: "methods", match: { metadata: [{ name: "method", safe_regex_match: { regex: "say.*|echo.*|calc.*" } }] }, route: { cluster: "v1" } },
      { name: "default", match: { metadata: [] }, route: { cluster: "v1" } },
    ],
  },
};

/** A local rate limit that never limits: the cost of taking a token (shared data, compare-and-swap) per request. */
export const RATE_LIMIT: Extra = {
  label: "rate limit",
  config: { local_ratelimit: { token_bucket: { max_tokens: 1_000_000_000, tokens_per_fill: 1_000_000_000, fill_interval: "1s" } } },
};

export interface InProcessResult {
  readonly workload: string;
  readonly perEvent: number;
  readonly mutation: boolean;
  readonly accessLog: boolean;
  /** Routing or rate limit on ("" for neither). */
  readonly extra: string;
  /** Filter time per request: its request and its response, both directions (wasm + the host's ABI side). */
  readonly nsPerRequest: number;
  /** The same in the median sample. */
  readonly medianNsPerRequest: number;
  /** Of which the request direction and the response direction (measured at 64 per event only). */
  readonly requestNs?: number;
  readonly responseNs?: number;
  /** What the check before timing saw (mutation applied, or counted as unsupported). */
  readonly note: string;
}

export interface FloorResult {
  readonly workload: string;
  readonly perEvent: number;
  readonly nsPerRequest: number;
  readonly medianNsPerRequest: number;
}

const plugins = new Map<string, Promise<DrivenPlugin>>();

/** The plugin of `configuration`, loaded once per run (closePlugins closes them all). */
export function plugin(wasmPath: string, protocol: string, configuration: object): Promise<DrivenPlugin> {
  const key = `${wasmPath}|${JSON.stringify(configuration)}`;
  let loaded = plugins.get(key);
  if (!loaded) {
    loaded = DrivenPlugin.load({ wasmPath, protocol, configuration: JSON.stringify(configuration), logLevel: LogLevel.Info });
    plugins.set(key, loaded);
  }
  return loaded;
}

export async function closePlugins(): Promise<void> {
  for (const loaded of plugins.values()) await (await loaded).close();
  plugins.clear();
}

function moduleConfig(mutation: boolean, accessLog: boolean, extra?: Extra): object {
  return { stat_prefix: "bench", access_log: accessLog, ...(mutation ? { request_mutation: MUTATION } : {}), ...(extra?.config ?? {}) };
}

/** One checked exchange of `perEvent` requests and responses; returns what it saw, throws when something is off. */
function check(p: DrivenPlugin, w: Workload, perEvent: number, mutation: boolean, accessLog: boolean, floor: boolean): string {
  const requests = batch(w, w.request, perEvent);
  const responses = batch(w, w.response, perEvent);
  const counters = ["request", "response_success", "request_decoding_error", "response_decoding_error", "response_unmatched", "request_untracked", "mutation_unsupported", "route_not_found", "rate_limited"];
  const before = Object.fromEntries(counters.map((c) => [c, p.counter(c)]));
  const linesBefore = p.accessLines;
  const c = p.connect();
  c.keep = true;
  c.start();
  c.send(requests);
  c.receiveBytes(responses);
  c.closeRemote();
  const delta = (name: string) => p.counter(name) - before[name];
  const problems: string[] = [];
  if (c.closed) problems.push("the filter closed the connection");
  if (p.trapCount > 0) problems.push(`the VM trapped: ${p.errors.join(" | ")}`);
  if (!floor) {
    if (delta("request") !== perEvent) problems.push(`request +${delta("request")}, expected +${perEvent}`);
    if (delta("response_success") !== perEvent) problems.push(`response_success +${delta("response_success")}, expected +${perEvent}`);
    for (const bad of ["request_decoding_error", "response_decoding_error", "response_unmatched", "request_untracked", "route_not_found", "rate_limited"]) {
      if (delta(bad) !== 0) problems.push(`${bad} +${delta(bad)}`);
    }
    const lines = p.accessLines - linesBefore;
    if (lines !== (accessLog ? perEvent : 0)) problems.push(`${lines} access log lines, expected ${accessLog ? perEvent : 0}`);
  }
  if (!c.deliveredBytes().equals(responses)) problems.push("the responses were changed on their way to the client");
  let note = "";
  const forwarded = c.forwardedBytes();
  if (!mutation) {
    if (!forwarded.equals(requests)) problems.push("the requests were changed without a mutation");
  } else if (delta("mutation_unsupported") === perEvent) {
    note = "mutation_unsupported";
    if (!forwarded.equals(requests)) problems.push("an unsupported mutation changed the requests");
  } else {
    const marks = forwarded.toString("latin1").split("x-mesh").length - 1;
    if (marks !== perEvent || !forwarded.includes("wasm")) problems.push(`x-mesh set on ${marks} of ${perEvent} requests`);
    note = "x-mesh set";
  }
  if (problems.length > 0) throw new Error(`${w.name}, ${perEvent}/event${mutation ? ", mutation" : ""}${accessLog ? ", access log" : ""}${floor ? " (floor)" : ""}: ${problems.join("; ")}`);
  return note;
}

/** Times `perEvent` requests + responses per iteration on one connection; ns per request. */
function time(p: DrivenPlugin, w: Workload, perEvent: number, timing: TimingOptions, split: boolean): { ns: number; median: number; requestNs?: number; responseNs?: number } {
  const requests = batch(w, w.request, perEvent);
  const responses = batch(w, w.response, perEvent);
  const c = p.connect();
  c.start();
  const t = nsPerIteration((n) => {
    for (let i = 0; i < n; i++) {
      c.send(requests);
      c.receiveBytes(responses);
    }
  }, timing);
  const ns = t.best / perEvent;
  let result: { ns: number; median: number; requestNs?: number; responseNs?: number } = { ns, median: t.median / perEvent };
  if (split) {
    // Timers cost ~150 ns each here: only worth it when one call carries 64 requests.
    const phases = nsPerPhase([() => c.send(requests), () => c.receiveBytes(responses)], timing);
    result = { ...result, requestNs: phases.ns[0] / perEvent, responseNs: phases.ns[1] / perEvent };
  }
  if (c.closed || p.trapCount > 0) throw new Error(`${w.name}: the connection closed or the VM trapped while timed`);
  c.closeRemote();
  return result;
}

export async function measureModule(
  w: Workload,
  wasmPath: string,
  perEvent: number,
  mutation: boolean,
  accessLog: boolean,
  timing: TimingOptions,
  extra?: Extra,
): Promise<InProcessResult> {
  const p = await plugin(wasmPath, w.module, moduleConfig(mutation, accessLog, extra));
  const note = check(p, w, perEvent, mutation, accessLog, false);
  const t = time(p, w, perEvent, timing, perEvent > 1);
  return { workload: w.name, perEvent, mutation, accessLog, extra: extra?.label ?? "", nsPerRequest: t.ns, medianNsPerRequest: t.median, requestNs: t.requestNs, responseNs: t.responseNs, note };
}

export async function measureFloor(w: Workload, passThroughPath: string, perEvent: number, timing: TimingOptions): Promise<FloorResult> {
  const p = await plugin(passThroughPath, "passthrough", { stat_prefix: "floor", access_log: false, codec: { framing: w.framing } });
  check(p, w, perEvent, false, false, true);
  const t = time(p, w, perEvent, timing, false);
  return { workload: w.name, perEvent, nsPerRequest: t.ns, medianNsPerRequest: t.median };
}
