// Minimal typings for the CommonJS Dubbo peer libraries (they ship none); only what test/peers/dubbo uses.
// dubbo2.js ships its own typings.

declare module "sofa-rpc-node" {
  import type { EventEmitter } from "node:events";
  import type net from "node:net";

  export interface RpcLogger {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  }

  /** A request as dubbo-remoting decodes it on the server. */
  export interface RpcServerRequest {
    packetId: number;
    data: {
      methodName: string;
      serverSignature: string;
      interfaceName?: string;
      args: unknown[];
      methodArgSigs: string[];
      /** The request's attachments, plus `dubbo` (version) and `path` from the body. */
      requestProps: Record<string, unknown>;
    };
  }

  export interface RpcServerConnection extends EventEmitter {
    readonly remoteAddress: string;
    close(): Promise<void>;
  }

  export class RpcServer extends EventEmitter {
    constructor(options: Record<string, unknown>);
    publishPort: number;
    readonly logger: RpcLogger;
    readonly listenPorts: number[];
    readonly options: Record<string, any>;
    _servers: net.Server[];
    _started: boolean;
    _connections: Map<string, RpcServerConnection>;
    addService(info: { interfaceName: string; version?: string; group?: string }, delegate: Record<string, Function>): void;
    start(): Promise<void>;
    close(): Promise<void>;
    ready(flagOrError?: boolean | Error): Promise<void>;
    _startServer(port: number): net.Server;
    _handleSocket(socket: net.Socket): void;
  }

  export interface RpcInvokeOptions {
    responseTimeout?: number;
    requestProps?: Record<string, unknown>;
  }

  export class RpcConsumer extends EventEmitter {
    ready(): Promise<void>;
    invoke(method: string, args: unknown[], options?: RpcInvokeOptions): Promise<unknown>;
    close(): void;
  }

  export class RpcClient extends EventEmitter {
    constructor(options: Record<string, unknown>);
    readonly consumerMap: Map<string, RpcConsumer>;
    readonly connectionManager: {
      /** Connections by host:port; each has its protocol decoder (an EventEmitter) as `_decoder`. */
      readonly connections: Map<string, { _decoder: EventEmitter }>;
      close(): Promise<unknown>;
    };
    createConsumer(options: Record<string, unknown>): RpcConsumer;
    close(): Promise<unknown>;
  }

  const sofa: {
    server: { RpcServer: typeof RpcServer };
    client: { RpcClient: typeof RpcClient };
  };
  export default sofa;
}

declare module "sofa-rpc-node/lib/client/dynamic_config.js" {
  const DynamicConfig: {
    instance: { metric: { numBuckets: number; bucketSizeInMs: number } };
  };
  export default DynamicConfig;
}

declare module "dubbo-remoting" {
  const protocol: {
    name: string;
    encoder(options: object): unknown;
    decoder(options: object): unknown;
  };
  export default protocol;
}

declare module "hessian.js" {
  class DecoderV2 {
    constructor(buf: Buffer);
    read(): unknown;
    readInt(): number;
    position(): number;
  }
  class EncoderV2 {
    constructor(options?: object);
    write(value: unknown): this;
    get(): Buffer;
    reset(): void;
  }
  const hessian: {
    DecoderV2: typeof DecoderV2;
    EncoderV2: typeof EncoderV2;
    decode(buf: Buffer, version?: string): unknown;
    encode(value: unknown, version?: string): Buffer;
  };
  export default hessian;
}
