// A real Apache Thrift client (npm thrift 0.24, code generated from demo.thrift) for the end-to-end tests: one
// connection, the Calculator client (and the Echo client when multiplexed), typed wrappers that turn i64 values into
// numbers. Calls on one connection may be concurrent: the library matches replies to calls by seqid.
// See test/peers/NOTES.md (section 2) for the library quirks worked around here.
import * as thrift from "thrift";
import { loadGeneratedModules } from "./generate.ts";
import { protocolClass, transportClass, type ThriftProtocolName, type ThriftTransportName } from "./server.ts";

export const Operation = { ADD: 1, SUBTRACT: 2, MULTIPLY: 3, DIVIDE: 4 } as const;

export interface Work {
  id: number;
  op: number;
  operands: number[];
  labels?: Record<string, string>;
  blob?: Buffer;
}

export interface CalcResult {
  id: number;
  value: number;
  partials: Record<string, number>;
  trace: string[];
  ratio?: number;
}

export interface ThriftClientOptions {
  port: number;
  host?: string;
  transport: ThriftTransportName;
  protocol: ThriftProtocolName;
  multiplexed?: boolean;
  /** THeader only: info headers written on every request. */
  headers?: Record<string, string>;
  connectTimeoutMs?: number;
}

export interface CalculatorApi {
  calculate(work: Work): Promise<CalcResult>;
  /** Oneway: resolves as soon as the request is written. */
  zip(note: string): Promise<void>;
  slow(ms: number, tag: string): Promise<string>;
  crash(why: string): Promise<void>;
}

export interface EchoApi {
  echo(text: string): Promise<string>;
  split(text: string, separator: string): Promise<string[]>;
}

export interface ThriftClient {
  readonly calculator: CalculatorApi;
  /** Only on a multiplexed connection. */
  readonly echo: EchoApi | undefined;
  /** Errors the connection reported. */
  readonly errors: Error[];
  close(): Promise<void>;
}

const HEADER_SUBPROTOCOL: Record<ThriftProtocolName, number> = { binary: 0, compact: 2 };

export async function connectThriftClient(options: ThriftClientOptions): Promise<ThriftClient> {
  const { Calculator, Echo } = loadGeneratedModules();
  const header = options.transport === "header";
  const connection = thrift.createConnection(options.host ?? "127.0.0.1", options.port, {
    transport: header ? headerClientTransport(HEADER_SUBPROTOCOL[options.protocol], options.headers ?? {}) : transportClass(options.transport),
    protocol: header ? HeaderClientProtocol : protocolClass(options.protocol),
    connect_timeout: options.connectTimeoutMs ?? 2000,
  });
  const errors: Error[] = [];
  const generated: any[] = [];
  // The library leaves calls pending forever when the connection goes; fail them instead.
  const failPending = (reason: Error) => {
    for (const client of generated) {
      for (const [seqid, callback] of Object.entries(client._reqs as Record<string, (e: Error) => void>)) {
        delete client._reqs[seqid];
        callback(reason);
      }
    }
  };
  connection.on("error", (error: Error) => {
    errors.push(error);
    failPending(error);
  });
  connection.on("close", () => failPending(new Error("thrift connection closed")));
  await new Promise<void>((resolve, reject) => {
    connection.once("connect", () => resolve());
    connection.once("error", reject);
    connection.once("close", () => reject(new Error(`could not connect to 127.0.0.1:${options.port}`)));
  });

  let calculatorClient: any;
  let echoClient: any;
  if (options.multiplexed) {
    const multiplexer = new thrift.Multiplexer();
    calculatorClient = multiplexer.createClient("Calculator", Calculator, connection);
    echoClient = multiplexer.createClient("Echo", Echo, connection);
    generated.push(calculatorClient, echoClient);
  } else {
    calculatorClient = thrift.createClient(Calculator, connection);
    generated.push(calculatorClient);
  }

  const calculator: CalculatorApi = {
    calculate: async (work) => toResult(await calculatorClient.calculate(work)),
    zip: async (note) => {
      await calculatorClient.zip(note);
    },
    slow: (ms, tag) => calculatorClient.slow(ms, tag),
    crash: async (why) => {
      await calculatorClient.crash(why);
    },
  };
  const echo: EchoApi | undefined = echoClient && {
    echo: (text) => echoClient.echo(text),
    split: (text, separator) => echoClient.split(text, separator),
  };
  return {
    calculator,
    echo,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        if (connection.connection.destroyed) return resolve();
        connection.once("close", () => resolve());
        connection.end();
      }),
  };
}

function toNumber(value: thrift.Int64 | number): number {
  return typeof value === "number" ? value : value.toNumber();
}

function toResult(result: any): CalcResult {
  const partials: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.partials as Record<string, thrift.Int64>)) partials[key] = toNumber(value);
  return {
    id: result.id,
    value: toNumber(result.value),
    partials,
    trace: result.trace,
    ...(result.ratio === null || result.ratio === undefined ? {} : { ratio: result.ratio }),
  };
}

/**
 * The client transport for THeader. npm thrift does not export THeaderTransport (TBufferedTransport inherits it), and
 * generated clients flush the transport directly, skipping THeaderProtocol.flush(), so no THeader frame would be
 * written (plain unframed binary goes out instead): flush() writes the header first.
 */
function headerClientTransport(subprotocol: number, headers: Record<string, string>): thrift.TTransportClass {
  class HeaderClientTransport extends (thrift.TBufferedTransport as any) {
    constructor(buffer?: Buffer, callback?: (buffer: Buffer, seqid?: number) => void) {
      super(buffer, callback);
      this.setProtocolId(subprotocol);
      // Write headers are never cleared: they go on every request.
      for (const [key, value] of Object.entries(headers)) this.setWriteHeader(key, value);
    }
    flush() {
      this.writeHeaders();
      return super.flush();
    }
  }
  // The connection reads replies through the static receiver, which must stay TBufferedTransport's.
  (HeaderClientTransport as any).receiver = thrift.TBufferedTransport.receiver;
  return HeaderClientTransport as unknown as thrift.TTransportClass;
}

/**
 * THeaderProtocol that puts the message's seqid in the THeader sequence number, as the Python and C++ libraries do;
 * npm thrift's client always writes 0 there. Function-style so that the library's util.inherits wrappers still work.
 */
const HeaderClientProtocol = function (this: any, transport: thrift.TTransportInstance) {
  (thrift.THeaderProtocol as any).call(this, transport);
} as unknown as thrift.TProtocolClass;
Object.setPrototypeOf(HeaderClientProtocol.prototype, thrift.THeaderProtocol.prototype);
HeaderClientProtocol.prototype.writeMessageBegin = function (this: thrift.TProtocolInstance, name: string, type: number, seqid: number) {
  this.trans.setSeqId(seqid);
  return thrift.THeaderProtocol.prototype.writeMessageBegin.call(this, name, type, seqid);
};
