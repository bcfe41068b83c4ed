// A sample awesomerpc server. Commands: 1 echo, 2 upper-case, 3 echo after the number of milliseconds in the
// body (so that answers can overtake each other), anything else: response code 2 "unknown command".
import net from "node:net";
import { encodeFrame, FrameReader, type AwesomeRpcFrame } from "./protocol.ts";

export const Command = { Echo: 1, Upper: 2, Delay: 3 } as const;
export const UNKNOWN_COMMAND = 2;

export interface AwesomeRpcServer {
  readonly port: number;
  /** Requests received so far, in arrival order. */
  readonly received: AwesomeRpcFrame[];
  close(): Promise<void>;
}

export async function startAwesomeRpcServer(port = 0, host = "127.0.0.1"): Promise<AwesomeRpcServer> {
  const received: AwesomeRpcFrame[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const reader = new FrameReader();
    socket.on("data", (chunk) => {
      let frames: AwesomeRpcFrame[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const request of frames) {
        received.push(request);
        answer(request, (reply) => {
          if (!socket.destroyed) socket.write(encodeFrame(reply));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(request: AwesomeRpcFrame, reply: (frame: AwesomeRpcFrame) => void): void {
  const respond = (body: Buffer, responseCode = 0) =>
    reply({ requestId: request.requestId, command: request.command, responseCode, body });
  switch (request.command) {
    case Command.Echo:
      return respond(request.body);
    case Command.Upper:
      return respond(Buffer.from(request.body.toString("utf8").toUpperCase()));
    case Command.Delay:
      setTimeout(() => respond(request.body), Math.min(Number(request.body.toString()) || 0, 5000));
      return;
    default:
      return respond(Buffer.from("unknown command"), UNKNOWN_COMMAND);
  }
}

// `tsx test/peers/awesomerpc/server.ts [port]` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startAwesomeRpcServer(Number(process.argv[2] ?? 26001));
  console.log(`awesomerpc server listening on 127.0.0.1:${server.port}`);
}
