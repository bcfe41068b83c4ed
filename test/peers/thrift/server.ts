// A real Apache Thrift server (npm thrift 0.24, code generated from demo.thrift by the Debian 0.17 compiler) for the
// end-to-end tests. It serves Calculator, or Calculator and Echo behind the multiplexed protocol, over framed,
// buffered (unframed) or THeader transport with the binary or compact protocol, and records every call it receives
// (with the THeader info headers of the request). See test/peers/NOTES.md (section 2) for the library quirks.
import net from "node:net";
import * as thrift from "thrift";
import { loadGeneratedModules } from "./generate.ts";

export type ThriftTransportName = "framed" | "buffered" | "header";
export type ThriftProtocolName = "binary" | "compact";

export interface ThriftServerOptions {
  transport: ThriftTransportName;
  /** For THeader, the server answers in the subprotocol of each request whatever this says. */
  protocol: ThriftProtocolName;
  /** Serve Calculator and Echo behind TMultiplexedProtocol (method names `Service:method`). */
  multiplexed?: boolean;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** THeader only: info headers the server puts on every reply. */
  replyHeaders?: Record<string, string>;
}

export interface ThriftCall {
  readonly service: "Calculator" | "Echo";
  readonly method: string;
  readonly args: unknown[];
  /** THeader only: the info headers of the request. */
  readonly headers?: Record<string, string>;
}

export interface ThriftServer {
  readonly port: number;
  /** Calls received so far, in arrival order. */
  readonly calls: ThriftCall[];
  /** Errors the server met (malformed input, library errors); a healthy run has none. */
  readonly errors: Error[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

// TCompactProtocol.writeMessageEnd never clears the seqid it recorded, so the buffered server's shared reply protocol
// logs "SeqId already set" on every reply after the first (the replies are correct): drop that line only.
thrift.setLogFunc((line: string) => {
  if (!line.includes("SeqId already set")) console.error(line);
});

/** Largest frame the THeader loop accepts (the library's framed default). */
const MAX_FRAME_SIZE = 16_384_000;
const THEADER_MAGIC = 0x0fff;

export function transportClass(transport: ThriftTransportName): thrift.TTransportClass {
  return transport === "framed" ? thrift.TFramedTransport : thrift.TBufferedTransport;
}

export function protocolClass(protocol: ThriftProtocolName): thrift.TProtocolClass {
  return protocol === "compact" ? thrift.TCompactProtocol : thrift.TBinaryProtocol;
}

export async function startThriftServer(options: ThriftServerOptions): Promise<ThriftServer> {
  const { Calculator, Echo, types } = loadGeneratedModules();
  const calls: ThriftCall[] = [];
  const errors: Error[] = [];
  // Set by the THeader loop while a request is decoded: the handler runs synchronously inside process().
  let headerSource: thrift.TTransportInstance | undefined;
  const record = (service: ThriftCall["service"], method: string, args: unknown[]) => {
    const call: ThriftCall = headerSource === undefined
      ? { service, method, args }
      : { service, method, args, headers: { ...headerSource.getReadHeaders() } };
    calls.push(call);
  };

  // The generated processor calls a handler Promise-style only when fn.length equals the argument count (otherwise it
  // passes a callback), and only a Promise rejection becomes a reply: the methods are async and keep their arity.
  const calculator = {
    async calculate(work: any) {
      record("Calculator", "calculate", [work]);
      return calculate(work, types);
    },
    zip(note: string) {
      record("Calculator", "zip", [note]);
    },
    async slow(ms: number, tag: string) {
      record("Calculator", "slow", [ms, tag]);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return tag;
    },
    async crash(why: string) {
      record("Calculator", "crash", [why]);
      throw new Error(`crash requested: ${why}`);
    },
  };
  const echo = {
    async echo(text: string) {
      record("Echo", "echo", [text]);
      return text;
    },
    async split(text: string, separator: string) {
      record("Echo", "split", [text, separator]);
      return text.split(separator);
    },
  };

  let processor: thrift.Processor;
  if (options.multiplexed) {
    const multiplexed = new thrift.MultiplexedProcessor();
    multiplexed.registerProcessor("Calculator", new Calculator.Processor(calculator));
    multiplexed.registerProcessor("Echo", new Echo.Processor(echo));
    processor = multiplexed;
  } else {
    processor = new Calculator.Processor(calculator);
  }

  const sockets = new Set<net.Socket>();
  let connections = 0;
  let server: net.Server;
  if (options.transport === "header") {
    server = net.createServer((socket) =>
      serveTHeader(socket, processor, options.replyHeaders ?? {}, errors, (transport) => (headerSource = transport)),
    );
  } else {
    server = thrift.createMultiplexServer(processor, {
      transport: transportClass(options.transport),
      protocol: protocolClass(options.protocol),
    });
    server.on("error", (error: Error) => errors.push(error));
  }
  server.on("connection", (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    calls,
    errors,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * THeader server loop. npm thrift's own server cannot be used: it reads and writes THeader through ONE transport per
 * connection and runs process() again on the drained buffer, which resets `shouldWriteHeaders`, so every reply of an
 * async handler goes out headerless (and Python's THeader client refuses it). Here each frame gets its own transport,
 * used for both directions as the library intends (the reply takes the request's seqid and subprotocol).
 */
function serveTHeader(
  socket: net.Socket,
  processor: thrift.Processor,
  replyHeaders: Record<string, string>,
  errors: Error[],
  decoding: (transport: thrift.TTransportInstance | undefined) => void,
): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on("error", (error) => errors.push(error));
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readUInt32BE(0);
      if (size > MAX_FRAME_SIZE || (pending.length >= 6 && pending.readUInt16BE(4) !== THEADER_MAGIC)) {
        errors.push(new Error(`not a THeader frame: ${pending.subarray(0, 16).toString("hex")}`));
        socket.destroy();
        return;
      }
      if (pending.length < 4 + size) return;
      const frame = Buffer.from(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
      const transport = new thrift.TBufferedTransport(undefined, (reply) => {
        if (!socket.destroyed) socket.write(reply);
      });
      transport.inBuf = frame;
      transport.writeCursor = frame.length;
      for (const [key, value] of Object.entries(replyHeaders)) transport.setWriteHeader(key, value);
      const protocol = new thrift.THeaderProtocol(transport);
      decoding(transport);
      try {
        processor.process(protocol, protocol);
      } catch (error) {
        errors.push(error as Error);
        socket.destroy();
        return;
      } finally {
        decoding(undefined);
      }
    }
  });
}

/** Calculator.calculate: folds the operands with the operation; division by zero throws the declared exception. */
function calculate(work: any, types: any): unknown {
  const operands: number[] = work.operands.map((o: thrift.Int64 | number) => (typeof o === "number" ? o : o.toNumber()));
  const name = ["", "ADD", "SUBTRACT", "MULTIPLY", "DIVIDE"][work.op] ?? `op${work.op}`;
  if (operands.length === 0) throw new types.InvalidOperation({ whatOp: work.op, why: "no operands" });
  let value = operands[0];
  const partials: Record<string, number> = { [`${name}[0]`]: value };
  const trace = [String(value)];
  for (let i = 1; i < operands.length; i++) {
    const operand = operands[i];
    switch (work.op) {
      case types.Operation.ADD:
        value += operand;
        break;
      case types.Operation.SUBTRACT:
        value -= operand;
        break;
      case types.Operation.MULTIPLY:
        value *= operand;
        break;
      case types.Operation.DIVIDE:
        if (operand === 0) throw new types.InvalidOperation({ whatOp: work.op, why: "division by zero" });
        value = Math.trunc(value / operand);
        break;
      default:
        throw new types.InvalidOperation({ whatOp: work.op, why: `unknown operation ${work.op}` });
    }
    partials[`${name}[${i}]`] = value;
    trace.push(`${name.toLowerCase()} ${operand} -> ${value}`);
  }
  for (const [key, label] of Object.entries((work.labels ?? {}) as Record<string, string>)) trace.push(`${key}=${label}`);
  if (work.blob) trace.push(`blob=${Buffer.from(work.blob).toString("hex")}`);
  return new types.Result({ id: work.id, value, partials, trace, ratio: value / operands.length });
}
