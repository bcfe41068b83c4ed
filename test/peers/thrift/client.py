#!/usr/bin/python3
"""A real Apache Thrift client (Debian python3-thrift 0.17, code generated from demo.thrift) for the end-to-end tests.

Runs a fixed batch of calls on ONE connection, so a test pays Python's start-up once per transport/protocol pair,
and prints one JSON object on stdout. Run it with /usr/bin/python3: the thrift module is installed for that
interpreter only.

usage: client.py --gen-dir build/thrift-gen/py --port N --transport framed|buffered|header --protocol binary|compact
                 [--multiplexed] [--header KEY=VALUE ...] [--tag TAG] [--slow N]
"""
import argparse
import json
import sys
import traceback


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gen-dir", required=True, help="folder holding the generated `demo` package")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--transport", choices=["framed", "buffered", "header"], required=True)
    parser.add_argument("--protocol", choices=["binary", "compact"], required=True)
    parser.add_argument("--multiplexed", action="store_true", help="Calculator and Echo behind TMultiplexedProtocol")
    parser.add_argument("--header", action="append", default=[], help="THeader info header KEY=VALUE (repeatable)")
    parser.add_argument("--tag", default="py", help="marks the arguments of this run's calls")
    parser.add_argument("--slow", type=int, default=3, help="number of sequential slow() calls")
    parser.add_argument("--timeout-ms", type=int, default=5000)
    return parser.parse_args()


def main():
    args = parse_args()
    sys.path.insert(0, args.gen_dir)
    from thrift.Thrift import TApplicationException
    from thrift.protocol import TBinaryProtocol, TCompactProtocol, TMultiplexedProtocol
    from thrift.protocol.THeaderProtocol import THeaderProtocol
    from thrift.transport import TSocket, TTransport
    from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID
    from demo import Calculator, Echo
    from demo.ttypes import InvalidOperation, Operation, Work

    socket = TSocket.TSocket(args.host, args.port)
    socket.setTimeout(args.timeout_ms)
    headers = [tuple(h.split("=", 1)) for h in args.header]
    if args.transport == "header":
        subprotocol = THeaderSubprotocolID.COMPACT if args.protocol == "compact" else THeaderSubprotocolID.BINARY
        # THeaderProtocol wraps the socket in its own THeaderTransport; only THeader replies are accepted.
        protocol = THeaderProtocol(socket, [THeaderClientType.HEADERS], subprotocol)
        transport = protocol.trans
    else:
        transport = TTransport.TFramedTransport(socket) if args.transport == "framed" else TTransport.TBufferedTransport(socket)
        protocol = (TCompactProtocol.TCompactProtocol if args.protocol == "compact" else TBinaryProtocol.TBinaryProtocol)(transport)
    if args.multiplexed:
        calculator = Calculator.Client(TMultiplexedProtocol.TMultiplexedProtocol(protocol, "Calculator"))
        echo = Echo.Client(TMultiplexedProtocol.TMultiplexedProtocol(protocol, "Echo"))
    else:
        calculator, echo = Calculator.Client(protocol), None

    reply_headers = []

    def call(fn, *call_args):
        if args.transport == "header":
            # python3-thrift clears the write headers after every flush, and wants bytes: set them before each call.
            for key, value in headers:
                protocol.set_header(key.encode(), value.encode())
        try:
            return fn(*call_args)
        finally:
            if args.transport == "header" and fn.__name__ != "zip":  # a oneway call has no reply
                reply_headers.append({k.decode(): v.decode() for k, v in protocol.get_headers().items()})

    results = {}
    transport.open()
    try:
        tag = args.tag
        work = Work(id=7, op=Operation.MULTIPLY, operands=[2, 3, 2 ** 40], labels={"client": "python", "tag": tag},
                    blob=b"\x00\xff")
        r = call(calculator.calculate, work)
        results["calculate"] = {"id": r.id, "value": r.value, "partials": r.partials, "trace": r.trace, "ratio": r.ratio}
        try:
            call(calculator.calculate, Work(id=8, op=Operation.DIVIDE, operands=[1, 0]))
            results["invalid"] = {"returned": True}
        except InvalidOperation as e:
            results["invalid"] = {"exception": "InvalidOperation", "whatOp": e.whatOp, "why": e.why}
        try:
            call(calculator.crash, tag + "-crash")
            results["crash"] = {"returned": True}
        except TApplicationException as e:
            results["crash"] = {"exception": "TApplicationException", "type": e.type, "message": e.message}
        results["zip"] = call(calculator.zip, tag + "-oneway")
        results["slow"] = [call(calculator.slow, 1, "%s-%d" % (tag, i)) for i in range(args.slow)]
        if echo is not None:
            results["echo"] = call(echo.echo, tag + "-echo")
            results["split"] = call(echo.split, "a,b,c", ",")
        if args.transport == "header":
            results["replyHeaders"] = reply_headers
    finally:
        transport.close()
    json.dump(results, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report every failure as JSON too, with the traceback on stderr
        traceback.print_exc()
        json.dump({"error": "%s: %s" % (type(error).__name__, error)}, sys.stdout)
        sys.stdout.write("\n")
        sys.exit(1)
