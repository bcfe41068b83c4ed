// The reference: the same bytes decoded by the peers' own JavaScript decoders, what a user would otherwise run.
//   Dubbo:  dubbo-remoting's frame splitting (DubboDecoder._decode: body length at 12) + protocol.decode (hessian.js),
//           for the request and for the response (sofa-rpc-node's server and client run exactly this).
//   Thrift: npm thrift's transport receiver (TFramedTransport.receiver splits frames), then the protocol class's
//           readMessageBegin, skip(STRUCT) of the arguments / result, readMessageEnd; THeader as the peers' server
//           reads it (a TBufferedTransport over the frame, THeaderProtocol reading the headers first).
//   awesomerpc: the sample peers' FrameReader (test/peers/awesomerpc/protocol.ts).
// Each decodes `perEvent` requests and as many responses per iteration, from one buffer each, like one read.
import { createRequire } from "node:module";
import { FrameReader } from "../peers/awesomerpc/protocol.ts";
import { nsPerIteration, type TimingOptions } from "./timing.ts";
import { batch, type Workload } from "./workloads.ts";

const require = createRequire(import.meta.url);

/**
 * npm thrift calls the deprecated `new Buffer()`. Node checks whether each such call comes from node_modules by walking
 * the stack (under tsx, through its source maps: ~100 us a call) until it has warned once or checked 10,000 times; a
 * long-running peer pays that only at start-up. Warn once here, silently, so that the steady state is measured.
 */
function settleBufferDeprecation(): void {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  new (Buffer as unknown as new (size: number) => Buffer)(0);
  process.noDeprecation = quiet;
}

export interface ReferenceResult {
  readonly workload: string;
  readonly decoder: string;
  readonly perEvent: number;
  readonly nsPerRequest: number;
  readonly medianNsPerRequest: number;
}

type Decode = (bytes: Buffer) => number;

function dubboDecoder(): { name: string; decode: Decode } {
  const protocol = require("dubbo-remoting/lib/protocol");
  return {
    name: "dubbo-remoting 2.1.4 protocol.decode (hessian.js 2.11.0)",
    decode: (bytes) => {
      let frames = 0;
      for (let at = 0; at + 16 <= bytes.length; ) {
        const size = 16 + bytes.readInt32BE(at + 12);
        const decoded = protocol.decode(bytes.subarray(at, at + size), {});
        if (decoded.packetType !== "request" && decoded.packetType !== "response") throw new Error(`dubbo-remoting read a ${decoded.packetType}`);
        at += size;
        frames++;
      }
      return frames;
    },
  };
}

function thriftDecoder(w: Workload): { name: string; decode: Decode } {
  const thrift = require("thrift");
  const header = w.request.readUInt16BE(4) === 0x0fff;
  const compact = header ? false : w.request[4] === 0x82;
  const STRUCT = thrift.Thrift.Type.STRUCT;
  const readMessage = (protocol: any) => {
    protocol.readMessageBegin();
    protocol.skip(STRUCT);
    protocol.readMessageEnd();
  };
  if (header) {
    return {
      name: "npm thrift 0.24.0 THeaderProtocol over TBufferedTransport, skip(STRUCT)",
      decode: (bytes) => {
        let frames = 0;
        for (let at = 0; at + 4 <= bytes.length; ) {
          const size = 4 + bytes.readUInt32BE(at);
          const transport = new thrift.TBufferedTransport();
          transport.inBuf = bytes.subarray(at, at + size);
          transport.writeCursor = size;
          readMessage(new thrift.THeaderProtocol(transport));
          at += size;
          frames++;
        }
        return frames;
      },
    };
  }
  const Protocol = compact ? thrift.TCompactProtocol : thrift.TBinaryProtocol;
  return {
    name: `npm thrift 0.24.0 TFramedTransport.receiver + ${compact ? "TCompactProtocol" : "TBinaryProtocol"}, skip(STRUCT)`,
    decode: (bytes) => {
      let frames = 0;
      const receive = thrift.TFramedTransport.receiver((transport: unknown) => {
        readMessage(new Protocol(transport));
        frames++;
      });
      receive(bytes);
      return frames;
    },
  };
}

function awesomeDecoder(): { name: string; decode: Decode } {
  return {
    name: "sample peers' FrameReader (test/peers/awesomerpc)",
    decode: (bytes) => new FrameReader().push(bytes).length,
  };
}

export function referenceDecoder(w: Workload): { name: string; decode: Decode } {
  return w.module === "dubbo" ? dubboDecoder() : w.module === "thrift" ? thriftDecoder(w) : awesomeDecoder();
}

export function measureReference(w: Workload, perEvent: number, timing: TimingOptions): ReferenceResult {
  settleBufferDeprecation();
  const { name, decode } = referenceDecoder(w);
  const requests = batch(w, w.request, perEvent);
  const responses = batch(w, w.response, perEvent);
  const decoded = decode(requests) + decode(responses);
  if (decoded !== 2 * perEvent) throw new Error(`${name} read ${decoded} frames of ${2 * perEvent}`);
  const t = nsPerIteration((n) => {
    for (let i = 0; i < n; i++) {
      decode(requests);
      decode(responses);
    }
  }, timing);
  return { workload: w.name, decoder: name, perEvent, nsPerRequest: t.best / perEvent, medianNsPerRequest: t.median / perEvent };
}
