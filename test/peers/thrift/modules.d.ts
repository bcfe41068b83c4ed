// Minimal typings for npm thrift 0.24 (it ships none); only what test/peers/thrift uses.
declare module "thrift" {
  import type { EventEmitter } from "node:events";
  import type net from "node:net";

  /** Every transport of npm thrift inherits the THeader state (read/write headers, subprotocol id, seqid). */
  export interface TTransportInstance {
    inBuf: Buffer;
    readCursor: number;
    writeCursor: number;
    onFlush?: (buffer: Buffer, seqid?: number) => void;
    flush(): void;
    getReadHeaders(): Record<string, string>;
    setWriteHeader(key: string, value: string): void;
    setProtocolId(id: number): void;
    getProtocolId(): number;
    setSeqId(seqid: number): void;
    writeHeaders(): void;
    readHeaders(): Record<string, string> | undefined;
  }
  export interface TTransportClass {
    new (buffer?: Buffer, callback?: (buffer: Buffer, seqid?: number) => void): TTransportInstance;
    receiver(callback: (transport: TTransportInstance, seqid?: number) => void, seqid?: number, maxLength?: number): (data: Buffer) => void;
  }
  export interface TProtocolInstance {
    trans: TTransportInstance;
    writeMessageBegin(name: string, type: number, seqid: number): void;
    flush(): void;
  }
  export interface TProtocolClass {
    new (transport: TTransportInstance, ...rest: unknown[]): TProtocolInstance;
    prototype: TProtocolInstance;
  }

  export const TBufferedTransport: TTransportClass;
  export const TFramedTransport: TTransportClass;
  export const TBinaryProtocol: TProtocolClass;
  export const TCompactProtocol: TProtocolClass;
  export const THeaderProtocol: TProtocolClass;

  export interface Processor {
    process(input: TProtocolInstance, output: TProtocolInstance): void;
  }
  export class MultiplexedProcessor implements Processor {
    registerProcessor(name: string, processor: Processor): void;
    process(input: TProtocolInstance, output: TProtocolInstance): void;
  }

  export interface ServerOptions {
    transport?: TTransportClass;
    protocol?: TProtocolClass;
  }
  export function createServer(service: unknown, handler: object, options?: ServerOptions): net.Server;
  export function createMultiplexServer(processor: Processor, options?: ServerOptions): net.Server;

  export interface ConnectionOptions extends ServerOptions {
    connect_timeout?: number;
    timeout?: number;
    max_attempts?: number;
  }
  export class Connection extends EventEmitter {
    readonly connection: net.Socket;
    readonly connected: boolean;
    client: any;
    seqId2Service: Record<number, string>;
    end(): void;
    destroy(): void;
  }
  export function createConnection(host: string, port: number, options: ConnectionOptions): Connection;
  export function createClient(service: unknown, connection: Connection): any;
  export class Multiplexer {
    createClient(serviceName: string, service: unknown, connection: Connection): any;
  }

  export class Int64 {
    constructor(value: number | Buffer);
    toNumber(allowImprecise?: boolean): number;
  }
  class TException extends Error {}
  class TApplicationException extends TException {
    constructor(type?: number, message?: string);
    type: number;
  }
  export const Thrift: {
    TException: typeof TException;
    TApplicationException: typeof TApplicationException;
    MessageType: { CALL: 1; REPLY: 2; EXCEPTION: 3; ONEWAY: 4 };
    TApplicationExceptionType: Record<string, number>;
  };
  export function setLogLevel(level: string): void;
  export function setLogFunc(log: (line: string) => void): void;
}
