// proxy-wasm shared queues: named per vm_id for the whole process, deleted with the last VM of the vm_id
// (vm_id_handles.ts). Registering returns a token (the same one again for the same name) and makes the registering
// VM's root context the one told, asynchronously, by proxy_on_queue_ready(root, token) after each enqueue; any VM
// with that vm_id, or knowing the vm_id, can resolve the name and enqueue; dequeue answers Empty when there is nothing.
// Read: proxy-wasm-cpp-host src/shared_queue.cc (registerQueue/resolveQueue/enqueue/dequeue/deleteByVmId; tokens start
// at 1) and src/context.cc (registerSharedQueue uses the root context of the caller).
import { WasmResult } from "./abi_codes.ts";

export interface QueueListener {
  /** Called on the next event loop turn after an enqueue. */
  queueReady(rootContextId: number, token: number): void;
}

interface Queue {
  readonly items: Uint8Array[];
  listener: QueueListener;
  rootContextId: number;
}

class SharedQueues {
  private readonly tokens = new Map<string, number>();
  private readonly queues = new Map<number, Queue>();
  private nextToken = 1;

  register(vmId: string, name: string, listener: QueueListener, rootContextId: number): number {
    const key = JSON.stringify([vmId, name]);
    const token = this.tokens.get(key) ?? this.nextToken++;
    this.tokens.set(key, token);
    const queue = this.queues.get(token);
    if (queue) Object.assign(queue, { listener, rootContextId }); // keeps queued items
    else this.queues.set(token, { items: [], listener, rootContextId });
    return token;
  }

  /** 0 when no queue has that name. */
  resolve(vmId: string, name: string): number {
    return this.tokens.get(JSON.stringify([vmId, name])) ?? 0;
  }

  enqueue(token: number, item: Uint8Array): WasmResult {
    const queue = this.queues.get(token);
    if (!queue) return WasmResult.NotFound;
    queue.items.push(item);
    const { listener, rootContextId } = queue;
    setImmediate(() => listener.queueReady(rootContextId, token));
    return WasmResult.Ok;
  }

  deleteByVmId(vmId: string): void {
    for (const [key, token] of this.tokens) {
      if (JSON.parse(key)[0] !== vmId) continue;
      this.tokens.delete(key);
      this.queues.delete(token);
    }
  }

  dequeue(token: number): Uint8Array | WasmResult.NotFound | WasmResult.Empty {
    const queue = this.queues.get(token);
    if (!queue) return WasmResult.NotFound;
    return queue.items.shift() ?? WasmResult.Empty;
  }
}

/** Process-wide, like Envoy's. */
export const sharedQueues = new SharedQueues();
