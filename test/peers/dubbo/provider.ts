// A real Dubbo provider: sofa-rpc-node's RpcServer speaking dubbo2/hessian2 through dubbo-remoting, with no registry.
// Service com.example.DemoService version 1.0.0: sayHello(name), echoUser(com.example.User), echoMap(map), fail(message)
// (throws: status 80), slow(ms, tag) (answers tag after ms, so answers overtake each other), exception(message)
// (returns an exception object: status 20, result flag 0) and nothing() (returns null). Every call is recorded with its
// arguments and attachments.
// See test/peers/NOTES.md (section 1) for the library quirks worked around here.
import net from "node:net";
import protocol from "dubbo-remoting";
import sofa, { type RpcLogger, type RpcServerRequest } from "sofa-rpc-node";

export const DEMO_SERVICE = "com.example.DemoService";
export const DEMO_VERSION = "1.0.0";
export const USER_CLASS = "com.example.User";

export interface DubboCall {
  readonly method: string;
  readonly args: unknown[];
  /** Attachments as the provider decoded them (dubbo-remoting adds `dubbo` and `path` from the request body). */
  readonly attachments: Record<string, unknown>;
}

export interface DubboProvider {
  readonly port: number;
  /** Calls received so far, in arrival order (heartbeats are not calls). */
  readonly calls: DubboCall[];
  /** Heartbeat requests received (each one is answered by the library). */
  readonly heartbeats: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export interface DubboProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The provider closes connections idle for this long (library default 90 s). */
  maxIdleTimeMs?: number;
  /** Where the library logs (default: nowhere). */
  logger?: RpcLogger;
}

// The library logs every error a method throws (`fail` does so on purpose); say nothing by default.
const quietLogger: RpcLogger = { info() {}, debug() {}, warn() {}, error() {} };

/** A Java-side `com.example.User`, as hessian.js writes it. */
export function javaUser(name: string, age: number): object {
  return { $class: USER_CLASS, $: { name, age: { $class: "int", $: age } } };
}

/**
 * dubbo-remoting writes falsy return values (null, 0, '', false) without the result flag, which breaks every consumer
 * (NOTES 1a). Typed wrappers make it write the flag.
 */
function wireSafe(value: unknown): unknown {
  if (value === null || value === undefined) return { $class: "java.lang.Object", $: null };
  if (value === 0) return { $class: "int", $: 0 };
  if (value === false) return { $class: "boolean", $: false };
  if (value === "") return { $class: "java.lang.String", $: "" };
  return value;
}

const delegate: Record<string, (...args: any[]) => Promise<unknown>> = {
  async sayHello(name: string) {
    return "Hello " + name;
  },
  async echoUser(user: { name: string; age: number }) {
    return javaUser(user.name, user.age);
  },
  async echoMap(map: Record<string, unknown>) {
    return { $class: "java.util.HashMap", $: { ...map } };
  },
  async fail(message: string) {
    // A thrown error becomes response status 80 (SERVER_ERROR) with the message as a hessian string.
    throw new Error(message);
  },
  async slow(ms: number, tag: string) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(Number(ms) || 0, 0), 10_000)));
    return tag;
  },
  async exception(message: string) {
    // Returned, not thrown: status 20 with result flag 0 (RESPONSE_WITH_EXCEPTION) and the exception object.
    return { $class: "java.lang.IllegalStateException", $: { detailMessage: message } };
  },
  async nothing() {
    return null;
  },
};

/**
 * RpcServer with three changes: it binds the given host (the library listens on every interface), it does not
 * install `graceful` (which would catch the test process's uncaught exceptions and exit 30 s later), and close()
 * does not create and close a test RpcClient (which clears sofa's process-wide timer scheduler, stopping the
 * heartbeats of every consumer in the process).
 */
class LocalRpcServer extends sofa.server.RpcServer {
  bindHost = "127.0.0.1";

  override _startServer(port: number): net.Server {
    const server = net.createServer();
    server.on("connection", (socket) => this._handleSocket(socket));
    server.listen(port, this.bindHost);
    return server;
  }

  override async start(): Promise<void> {
    if (this._started) return this.ready();
    this._started = true;
    const server = this._startServer(this.publishPort);
    this._servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.once("listening", () => {
        server.off("error", reject);
        server.on("error", (err) => this.emit("error", err));
        resolve();
      });
    });
    this.publishPort = (server.address() as net.AddressInfo).port;
    this.emit("listening");
    this.ready(true);
  }

  override async close(): Promise<void> {
    await Promise.all(this._servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await Promise.all([...this._connections.values()].map((c) => c.close()));
  }
}

export async function startDubboProvider(options: DubboProviderOptions = {}): Promise<DubboProvider> {
  const server = new LocalRpcServer({
    logger: options.logger ?? quietLogger,
    protocol,
    port: options.port ?? 0,
    version: DEMO_VERSION, // the service id is interface:version; an empty version is never found (NOTES 1a)
    maxIdleTime: options.maxIdleTimeMs ?? 90_000,
  });
  server.bindHost = options.host ?? "127.0.0.1";
  const calls: DubboCall[] = [];
  let heartbeats = 0;
  let connections = 0;
  const wrapped: Record<string, Function> = {};
  for (const [name, fn] of Object.entries(delegate)) {
    // The library calls only `async function`s.
    wrapped[name] = async (...args: unknown[]) => wireSafe(await fn(...args));
  }
  server.addService({ interfaceName: DEMO_SERVICE }, wrapped);
  server.on("request", ({ req }: { req: RpcServerRequest }) => {
    calls.push({ method: req.data.methodName, args: req.data.args, attachments: { ...req.data.requestProps } });
  });
  server.on("connection", (conn: any) => {
    connections++;
    conn._decoder.on("heartbeat", () => heartbeats++);
  });
  // Errors thrown by a method are answered with status 80; the library also emits them here.
  server.on("error", () => {});
  await server.start();
  return {
    port: server.publishPort,
    calls,
    get heartbeats() {
      return heartbeats;
    },
    get connections() {
      return connections;
    },
    close: () => server.close(),
  };
}

// `node --import tsx test/peers/dubbo/provider.ts [port] [host]` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const provider = await startDubboProvider({
    port: Number(process.argv[2] ?? 26101),
    host: process.argv[3] ?? "127.0.0.1",
    logger: console,
  });
  console.log(`dubbo provider ${DEMO_SERVICE}:${DEMO_VERSION} listening on ${process.argv[3] ?? "127.0.0.1"}:${provider.port}`);
  const stop = () => void provider.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
