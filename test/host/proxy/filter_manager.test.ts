import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteBuffer, CloseType, FilterStatus, type ConnectionInfo, type NetworkFilter, type ReadFilterCallbacks } from "../api.ts";
import { FilterManager, type FilterManagerConnection } from "./filter_manager.ts";
import { ConnectionFilterState } from "./filter_state.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

class FakeConnection implements FilterManagerConnection {
  readonly info = { id: 1 } as ConnectionInfo;
  readonly filterState = new ConnectionFilterState();
  readonly readBuffer = new ByteBuffer();
  readEndStream = false;
  open = true;
  isOpen = () => this.open;
  close = (_type: CloseType) => void (this.open = false);
  readDisable = () => {};
}

/** Records what it is shown in `calls`; each callback's status comes from `behaviour` (default Continue). */
class ScriptedFilter implements NetworkFilter {
  callbacks!: ReadFilterCallbacks;
  constructor(
    private readonly name: string,
    private readonly calls: string[],
    private readonly behaviour: {
      onNewConnection?: () => FilterStatus;
      onData?: (data: ByteBuffer) => FilterStatus;
      onWrite?: (data: ByteBuffer) => FilterStatus;
    } = {},
  ) {}
  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.callbacks = callbacks;
  }
  onNewConnection(): FilterStatus {
    this.calls.push(`${this.name}.onNewConnection`);
    return this.behaviour.onNewConnection?.() ?? FilterStatus.Continue;
  }
  onData(data: ByteBuffer, endStream: boolean): FilterStatus {
    this.calls.push(`${this.name}.onData(${text(data.view())}${endStream ? ", end" : ""})`);
    return this.behaviour.onData?.(data) ?? FilterStatus.Continue;
  }
  onWrite(data: ByteBuffer): FilterStatus {
    this.calls.push(`${this.name}.onWrite(${text(data.view())})`);
    return this.behaviour.onWrite?.(data) ?? FilterStatus.Continue;
  }
  onEvent(): void {}
}

function chain(...filters: ScriptedFilter[]): { manager: FilterManager; connection: FakeConnection } {
  const connection = new FakeConnection();
  const manager = new FilterManager(connection);
  for (const filter of filters) {
    manager.addReadFilter(filter);
    manager.addWriteFilter(filter);
  }
  return { manager, connection };
}

describe("network filter manager", () => {
  it("initialises each read filter when iteration first reaches it, stopping at a StopIteration", () => {
    const calls: string[] = [];
    const first = new ScriptedFilter("A", calls, { onNewConnection: () => FilterStatus.StopIteration });
    const second = new ScriptedFilter("B", calls);
    const { manager, connection } = chain(first, second);

    manager.initializeReadFilters();
    assert.deepEqual(calls, ["A.onNewConnection"]);

    connection.readBuffer.append(bytes("hi"));
    manager.onRead();
    assert.deepEqual(calls, ["A.onNewConnection", "A.onData(hi)", "B.onNewConnection", "B.onData(hi)"]);
  });

  it("presents the whole undrained read buffer again, from the first filter, on every read", () => {
    const calls: string[] = [];
    const framer = new ScriptedFilter("A", calls, {
      onData: (data) => (text(data.view()).includes("\n") ? FilterStatus.Continue : FilterStatus.StopIteration),
    });
    const sink = new ScriptedFilter("B", calls, {
      onData: (data) => {
        data.drain(data.length);
        return FilterStatus.StopIteration;
      },
    });
    const { manager, connection } = chain(framer, sink);
    manager.initializeReadFilters();

    connection.readBuffer.append(bytes("hel"));
    manager.onRead();
    connection.readBuffer.append(bytes("lo\n"));
    manager.onRead();
    assert.deepEqual(calls.filter((call) => call.includes("onData")), ["A.onData(hel)", "A.onData(hello\n)", "B.onData(hello\n)"]);
    assert.equal(connection.readBuffer.length, 0);
  });

  it("resumes with the filter after the one calling continueReading, with the whole buffer", () => {
    const calls: string[] = [];
    const holder = new ScriptedFilter("A", calls, { onNewConnection: () => FilterStatus.StopIteration });
    const next = new ScriptedFilter("B", calls);
    const { manager, connection } = chain(holder, next);
    manager.initializeReadFilters();
    connection.readBuffer.append(bytes("early"));

    holder.callbacks.continueReading();
    assert.deepEqual(calls, ["A.onNewConnection", "B.onNewConnection", "B.onData(early)"]);
  });

  it("presents the end of stream even with an empty buffer", () => {
    const calls: string[] = [];
    const { manager, connection } = chain(new ScriptedFilter("A", calls));
    manager.initializeReadFilters();
    connection.readEndStream = true;
    manager.onRead();
    assert.deepEqual(calls, ["A.onNewConnection", "A.onData(, end)"]);
  });

  it("stops iterating as soon as a filter closes the connection", () => {
    const calls: string[] = [];
    const closer = new ScriptedFilter("A", calls, {
      onData: () => {
        closer.callbacks.close(CloseType.NoFlush);
        return FilterStatus.Continue;
      },
    });
    const { manager, connection } = chain(closer, new ScriptedFilter("B", calls));
    manager.initializeReadFilters();
    connection.readBuffer.append(bytes("x"));
    manager.onRead();
    assert.deepEqual(calls, ["A.onNewConnection", "B.onNewConnection", "A.onData(x)"]);
  });

  it("runs write filters in reverse order; StopIteration leaves the bytes in the caller's buffer", () => {
    const calls: string[] = [];
    let complete = false;
    const { manager } = chain(
      new ScriptedFilter("A", calls),
      new ScriptedFilter("B", calls, { onWrite: () => (complete ? FilterStatus.Continue : FilterStatus.StopIteration) }),
    );
    const upstreamBytes = new ByteBuffer(bytes("par"));

    assert.equal(manager.onWrite(upstreamBytes, false), FilterStatus.StopIteration);
    assert.equal(text(upstreamBytes.view()), "par");
    upstreamBytes.append(bytes("tial"));
    complete = true;
    assert.equal(manager.onWrite(upstreamBytes, false), FilterStatus.Continue);
    assert.deepEqual(calls, ["B.onWrite(par)", "B.onWrite(partial)", "A.onWrite(partial)"]);
  });
});
