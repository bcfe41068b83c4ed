// Helpers for the proxy half's tests: upstream servers, a client, a bootstrap builder, and the host run with test
// filters in place of the wasm half (each "wasm" filter entry is served by a filter built in the test).
import net from "node:net";
import { EnvoyStatsStore } from "../stats/stats_store.ts";
import { FilterStatus, type ByteBuffer, type NetworkFilter, type ReadFilterCallbacks, type WasmPluginConfig } from "../api.ts";
import { runHost, type HostComponents, type RunningHost } from "./host.ts";

export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

/** Polls `check` every 10 ms; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Upstream {
  readonly port: number;
  /** Everything received, per accepted connection. */
  readonly received: string[];
  /** Connections that reached their end: the peer's FIN, or a reset. */
  readonly ended: boolean[];
  readonly sockets: net.Socket[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1:0 that records what it receives and answers through `onData` (default: echo). */
export async function startUpstream(onData: (socket: net.Socket, chunk: Buffer) => void = (s, c) => s.write(c)): Promise<Upstream> {
  const received: string[] = [];
  const ended: boolean[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const index = sockets.push(socket) - 1;
    received[index] = "";
    ended[index] = false;
    socket.on("data", (chunk) => {
      received[index] += chunk.toString("utf8");
      onData(socket, chunk);
    });
    socket.on("end", () => (ended[index] = true));
    socket.on("error", () => (ended[index] = true));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    ended,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const upstream = await startUpstream();
  await upstream.close();
  return upstream.port;
}

export class Client {
  received = "";
  ended = false;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => (this.received += chunk.toString("utf8")));
    socket.on("end", () => (this.ended = true));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<Client> {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new Client(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  waitFor(expected: string, timeoutMs?: number): Promise<void> {
    return eventually(() => this.received.includes(expected), `the client to receive ${JSON.stringify(expected)}`, timeoutMs);
  }

  /** Waits for the proxy's FIN or reset. */
  waitClosed(timeoutMs?: number): Promise<void> {
    return eventually(() => this.ended || this.closed, "the proxy to close the client connection", timeoutMs);
  }
}

export interface ProxyOptions {
  /** The filters before tcp_proxy, one "wasm" entry each, built anew for every connection. */
  readonly filters?: readonly (() => NetworkFilter)[];
  /** tcp_proxy typed_config fields (stat_prefix is "main"). Default: `cluster: backend`. */
  readonly tcpProxy?: Record<string, unknown>;
  /** Cluster name to endpoint port; "backend" is usually enough. */
  readonly clusters: Record<string, number>;
  readonly listener?: Record<string, unknown>;
  readonly cluster?: Record<string, unknown>;
}

/** One "wasm" filter entry per test filter, named so that testComponents serves entry N with `filters[N]`. */
function testFilterEntries(filters: readonly unknown[] = []): object[] {
  return filters.map((_, index) => ({
    name: "envoy.filters.network.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm",
      config: { name: `filter${index}`, root_id: `filter${index}`, vm_config: { code: { local: { filename: `filter${index}.wasm` } } } },
    },
  }));
}

/** A socket_address on 127.0.0.1. */
export const address = (port: number) => ({ socket_address: { address: "127.0.0.1", port_value: port } });

/** A bootstrap in the supported subset: listener "main" (test filters, then tcp_proxy) and STATIC clusters. */
export function testBootstrap(options: ProxyOptions): object {
  return singleListenerBootstrap({
    filters: options.filters,
    listener: options.listener,
    terminal: {
      name: "envoy.filters.network.tcp_proxy",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
        stat_prefix: "main",
        ...(options.tcpProxy ?? { cluster: "backend" }),
      },
    },
    clusters: Object.entries(options.clusters).map(([name, port]) => ({
      name,
      connect_timeout: "1s",
      ...options.cluster,
      load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: address(port) } }] }] },
    })),
  });
}

/** An admin on an ephemeral port and listener "main": a "wasm" entry per test filter, then `terminal`. */
export function singleListenerBootstrap(parts: {
  filters?: readonly unknown[];
  listener?: Record<string, unknown>;
  terminal: object;
  clusters: object[];
}): object {
  return {
    admin: { address: address(0) },
    static_resources: {
      listeners: [
        {
          name: "main",
          address: address(0),
          ...parts.listener,
          filter_chains: [{ filters: [...testFilterEntries(parts.filters), parts.terminal] }],
        },
      ],
      clusters: parts.clusters,
    },
  };
}

/** The wasm half replaced by test filters: the filter of entry `filterN` is built by `filters[N]`. */
export function testComponents(filters: readonly (() => NetworkFilter)[] = []): HostComponents {
  return {
    createStatsStore: (config) => new EnvoyStatsStore(config),
    createWasmLoader: () => async (plugin: WasmPluginConfig) => {
      const make = filters[Number(plugin.name.replace("filter", ""))];
      return { createFilter: make, close: async () => {} };
    },
  };
}

export interface TestProxy {
  readonly host: RunningHost;
  readonly port: number;
  /** The value of a counter or gauge in the admin's /stats text, or undefined. */
  stat(name: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startTestProxy(options: ProxyOptions): Promise<TestProxy> {
  const host = await runHost(
    { config: testBootstrap(options), concurrency: 1, log: () => {} },
    testComponents(options.filters),
  );
  return {
    host,
    port: host.listenerPort("main"),
    stat: async (name) => {
      const body = await (await fetch(`http://127.0.0.1:${host.adminPort}/stats`)).text();
      const line = body.split("\n").find((l) => l.startsWith(`${name}: `));
      return line === undefined ? undefined : Number(line.slice(name.length + 2));
    },
    stop: () => host.stop(),
  };
}

/**
 * A network filter for tests: each callback does what the test says (default: Continue), and it keeps its
 * callbacks so that tests can call continueReading(), set filter state, or read the connection info.
 */
export class TestFilter implements NetworkFilter {
  callbacks!: ReadFilterCallbacks;
  /** What onData was shown, one entry per call. */
  readonly seen: string[] = [];

  constructor(
    private readonly behaviour: {
      onNewConnection?: (filter: TestFilter) => FilterStatus;
      onData?: (data: ByteBuffer, filter: TestFilter) => FilterStatus;
      onWrite?: (data: ByteBuffer) => FilterStatus;
    } = {},
  ) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.callbacks = callbacks;
  }
  onNewConnection(): FilterStatus {
    return this.behaviour.onNewConnection?.(this) ?? FilterStatus.Continue;
  }
  onData(data: ByteBuffer): FilterStatus {
    this.seen.push(text(data.view()));
    return this.behaviour.onData?.(data, this) ?? FilterStatus.Continue;
  }
  onWrite(data: ByteBuffer): FilterStatus {
    return this.behaviour.onWrite?.(data) ?? FilterStatus.Continue;
  }
  onEvent(): void {}
}

/** Builds a TestFilter per connection, keeping each one for the test to inspect. */
export function testFilters(behaviour: ConstructorParameters<typeof TestFilter>[0] = {}): {
  make: () => TestFilter;
  instances: TestFilter[];
} {
  const instances: TestFilter[] = [];
  return {
    make: () => {
      const filter = new TestFilter(behaviour);
      instances.push(filter);
      return filter;
    },
    instances,
  };
}
