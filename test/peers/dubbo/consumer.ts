// A real Dubbo consumer: sofa-rpc-node's RpcClient with dubbo-remoting, connected straight to one address (no
// registry). All calls share one TCP connection. See test/peers/NOTES.md (section 1a, 1d).
import protocol from "dubbo-remoting";
import sofa, { type RpcLogger } from "sofa-rpc-node";
import DynamicConfig from "sofa-rpc-node/lib/client/dynamic_config.js";
import { DEMO_SERVICE, DEMO_VERSION } from "./provider.ts";

export interface DubboResponse {
  readonly method: string;
  /** The attachments the response carried (result flags 3-5), as dubbo-remoting decoded them; null without. */
  readonly attachments: Record<string, unknown> | null;
}

export interface DubboConsumer {
  /**
   * Calls `method` of com.example.DemoService:1.0.0. `attachments` are sent next to the standard ones (dubbo,
   * interface, timeout, and path, version, group that the library adds). Rejects with the provider's message when
   * it answers with an error status.
   */
  invoke(method: string, args: unknown[], attachments?: Record<string, string>): Promise<unknown>;
  /** Responses to the calls so far, in the order they came back (errors and timeouts included). */
  readonly responses: DubboResponse[];
  /** Heartbeat answers received (the library itself ignores them). */
  readonly heartbeatAcks: number;
  close(): Promise<void>;
}

export interface DubboConsumerOptions {
  host?: string;
  /** Per call (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Heartbeats: every `tickMs` the client checks its connection and sends a heartbeat when it has been idle for more
   * than `idleMs` (library defaults 10 s and 30 s). `tickMs` is process-wide in sofa-rpc-node and applies to
   * consumers created afterwards.
   */
  heartbeat?: { tickMs: number; idleMs: number };
  logger?: RpcLogger;
}

const quietLogger: RpcLogger = {
  info() {},
  debug() {},
  warn() {},
  error: (...args) => console.error("[dubbo consumer]", ...args),
};

export async function connectDubboConsumer(port: number, options: DubboConsumerOptions = {}): Promise<DubboConsumer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (options.heartbeat) DynamicConfig.instance.metric.bucketSizeInMs = options.heartbeat.tickMs;
  const client = new sofa.client.RpcClient({
    logger: options.logger ?? quietLogger,
    protocol,
    // RpcClient mutates its module-level default connectionOpts, so always pass our own (with the protocol).
    connectionOpts: {
      protocol,
      noDelay: true,
      connectTimeout: 3000,
      maxIdleTime: options.heartbeat?.idleMs ?? 30_000,
    },
  });
  client.on("error", () => {});
  const consumer = client.createConsumer({
    interfaceName: DEMO_SERVICE,
    version: DEMO_VERSION, // must match the provider's (NOTES 1a)
    group: "",
    serverHost: `${options.host ?? "127.0.0.1"}:${port}`,
    responseTimeout: timeoutMs,
    // The address group sleeps this long between reconnection rounds, even after close (library default 30 s,
    // which would keep the process alive for 30 s).
    retryFaultInterval: 1000,
  });
  await consumer.ready();
  const responses: DubboResponse[] = [];
  // sofa-rpc-node hands the caller the value only; the response's attachments are on the context it emits.
  consumer.on("response", (ctx: { req: { methodName: string }; res: { responseProps?: Record<string, unknown> | null } }) => {
    responses.push({ method: ctx.req.methodName, attachments: ctx.res.responseProps ?? null });
  });
  let heartbeatAcks = 0;
  for (const connection of client.connectionManager.connections.values()) {
    connection._decoder.on("heartbeat_ack", () => heartbeatAcks++);
  }
  return {
    invoke: (method, args, attachments = {}) =>
      consumer.invoke(method, args, {
        responseTimeout: timeoutMs,
        // requestProps become the attachments; without `dubbo` the library writes dubbo version 5.3.0.
        requestProps: { dubbo: "2.0.2", interface: DEMO_SERVICE, timeout: String(timeoutMs), ...attachments },
      }),
    responses,
    get heartbeatAcks() {
      return heartbeatAcks;
    },
    // Not client.close(): it clears sofa's process-wide scheduler, which would stop other clients' heartbeats.
    close: async () => {
      consumer.close();
      await client.connectionManager.close();
    },
  };
}
