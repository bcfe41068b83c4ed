// A second, independent Dubbo consumer: dubbo2.js in direct mode (DirectlyDubbo, no ZooKeeper). It encodes its
// requests and decodes responses with its own code (and its own hessian.js 2.5.0). See test/peers/NOTES.md (1b, 1d).
import { createRequire } from "node:module";
import type { DirectlyDubbo as DirectlyDubboType } from "dubbo2.js";
import { DEMO_SERVICE, DEMO_VERSION, USER_CLASS } from "./provider.ts";

const require = createRequire(import.meta.url);
const { DirectlyDubbo, java } = require("dubbo2.js") as { DirectlyDubbo: typeof DirectlyDubboType; java: any };
const HeartBeat = require("dubbo2.js/es7/heartbeat.js").default as { encode(): Buffer };

export interface Dubbo2jsConsumer {
  sayHello(name: string): Promise<string>;
  echoUser(user: { name: string; age: number }): Promise<{ name: string; age: number }>;
  echoMap(map: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Rejects with the error dubbo2.js makes of a status-80 answer (its message is the raw body as text). */
  fail(message: string): Promise<unknown>;
  /**
   * The attachments of each response received so far, in arrival order, as dubbo2.js decoded them ({} for a response
   * without). Its direct mode drops them on the way to the caller: they are taken from its decoder's output.
   */
  readonly responseAttachments: Record<string, unknown>[];
  /** Heartbeat frames written so far (request id 0, as dubbo2.js always writes them). */
  readonly heartbeatsSent: number;
  close(): void;
}

export interface Dubbo2jsConsumerOptions {
  host?: string;
  /** dubbo2.js sends a heartbeat every 180 s (a constant); this replaces the interval. */
  heartbeatMs?: number;
  /** Seconds (dubbo2.js's unit), default 5. */
  invokeTimeoutS?: number;
}

/** The socket worker's private fields we use to shorten heartbeats and to close (dubbo2.js has no close()). */
interface SocketWorker {
  _socket: import("node:net").Socket;
  _retry: number;
  _heartBeatTimer: NodeJS.Timeout | undefined;
  _subscriber: { onConnect: (info: unknown) => void; onData: (response: { attachments: Record<string, unknown> }) => void };
}

export function connectDubbo2js(port: number, options: Dubbo2jsConsumerOptions = {}): Dubbo2jsConsumer {
  const dubbo = DirectlyDubbo.from({
    dubboAddress: `${options.host ?? "127.0.0.1"}:${port}`,
    dubboVersion: "2.0.2",
    dubboInvokeTimeout: options.invokeTimeoutS ?? 5,
  });
  const worker = (dubbo as unknown as { _socketWorker: SocketWorker })._socketWorker;
  let heartbeatsSent = 0;
  const responseAttachments: Record<string, unknown>[] = [];
  const onData = worker._subscriber.onData;
  worker._subscriber.onData = (response) => {
    responseAttachments.push(response.attachments);
    onData(response);
  };
  if (options.heartbeatMs !== undefined) {
    const onConnect = worker._subscriber.onConnect;
    worker._subscriber.onConnect = (info) => {
      onConnect(info);
      // The worker starts its 180 s heartbeat timer right after this callback; replace it then (the worker clears
      // `_heartBeatTimer` when the socket closes).
      queueMicrotask(() => {
        clearInterval(worker._heartBeatTimer);
        worker._heartBeatTimer = setInterval(() => {
          heartbeatsSent++;
          worker._socket.write(HeartBeat.encode());
        }, options.heartbeatMs);
      });
    };
  }
  // Without `version` dubbo2.js writes a null service version, which the sofa provider cannot decode (NOTES 1b).
  const service = dubbo.proxyService<Record<string, (...args: any[]) => Promise<{ res: any; err: Error | null }>>>({
    dubboInterface: DEMO_SERVICE,
    version: DEMO_VERSION,
    timeout: 3000,
    group: "",
    methods: {
      sayHello: (name: string) => [java.String(name)],
      echoUser: (user: { name: string; age: number }) => [
        java.combine(USER_CLASS, { name: java.String(user.name), age: java.int(user.age) }),
      ],
      echoMap: (map: Record<string, unknown>) => [java.Map(map)],
      fail: (message: string) => [java.String(message)],
    },
  });
  // Methods resolve {res, err} and never reject (dubbo2.js's go() wrapper); turn that back into a promise.
  const call = async (method: string, ...args: unknown[]) => {
    const { res, err } = await service[method](...args);
    if (err) throw err;
    return res;
  };
  return {
    sayHello: (name) => call("sayHello", name),
    echoUser: (user) => call("echoUser", user),
    echoMap: (map) => call("echoMap", map),
    fail: (message) => call("fail", message),
    responseAttachments,
    get heartbeatsSent() {
      return heartbeatsSent;
    },
    close() {
      // No retries left: the close handler then marks the worker closed and fails pending calls.
      worker._retry = 0;
      clearInterval(worker._heartBeatTimer);
      worker._socket.destroy();
    },
  };
}
