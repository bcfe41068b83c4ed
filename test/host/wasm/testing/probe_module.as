// use: abort=probe/probeAbort
// A proxy-wasm network filter for the host's tests (AssemblyScript). It logs every callback ("cb <name> <args>")
// and runs the commands it receives: the downstream (or upstream) data of a connection are ";"-separated commands
// run on that context, the message of a gRPC response ","-separated commands run on the root context ("$conn" is
// the connection that made the call); each logs "r <command> => <result>". The plugin configuration holds flags
// ("reject", "accept=<n>" (only the first n configures of its vm_id succeed, counted in shared data), "tick=<ms>",
// "linger", "trap_on_log"), kept per root context: several plugins may share the VM.

@external("env", "proxy_log") declare function proxy_log(level: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_get_log_level") declare function proxy_get_log_level(levelPtr: usize): u32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(type: u32, start: u32, length: u32, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_get_buffer_status") declare function proxy_get_buffer_status(type: u32, lengthPtr: usize, flagsPtr: usize): u32;
@external("env", "proxy_set_buffer_bytes") declare function proxy_set_buffer_bytes(type: u32, start: u32, length: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_get_property") declare function proxy_get_property(pathPtr: usize, pathSize: usize, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_set_property") declare function proxy_set_property(pathPtr: usize, pathSize: usize, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(type: u32): u32;
@external("env", "proxy_close_stream") declare function proxy_close_stream(type: u32): u32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(code: u32, dPtr: usize, dSize: usize, bPtr: usize, bSize: usize, hPtr: usize, hSize: usize, grpc: i32): u32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(id: u32): u32;
@external("env", "proxy_call_foreign_function") declare function proxy_call_foreign_function(namePtr: usize, nameSize: usize, argPtr: usize, argSize: usize, resPtrPtr: usize, resSizePtr: usize): u32;
@external("env", "proxy_get_shared_data") declare function proxy_get_shared_data(keyPtr: usize, keySize: usize, ptrPtr: usize, sizePtr: usize, casPtr: usize): u32;
@external("env", "proxy_set_shared_data") declare function proxy_set_shared_data(keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32): u32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(type: u32, namePtr: usize, nameSize: usize, idPtr: usize): u32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, offset: i64): u32;
@external("env", "proxy_record_metric") declare function proxy_record_metric(id: u32, value: u64): u32;
@external("env", "proxy_get_metric") declare function proxy_get_metric(id: u32, resultPtr: usize): u32;
@external("env", "proxy_grpc_call") declare function proxy_grpc_call(sPtr: usize, sSize: usize, nPtr: usize, nSize: usize, mPtr: usize, mSize: usize, mdPtr: usize, mdSize: usize, rPtr: usize, rSize: usize, timeout: u32, tokenPtr: usize): u32;
@external("env", "proxy_grpc_cancel") declare function proxy_grpc_cancel(token: u32): u32;
@external("env", "proxy_http_call") declare function proxy_http_call(uPtr: usize, uSize: usize, hPtr: usize, hSize: usize, bPtr: usize, bSize: usize, tPtr: usize, tSize: usize, timeout: u32, tokenPtr: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(ms: u32): u32;
@external("env", "proxy_get_current_time_nanoseconds") declare function proxy_get_current_time_nanoseconds(resultPtr: usize): u32;
@external("env", "proxy_get_status") declare function proxy_get_status(codePtr: usize, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_register_shared_queue") declare function proxy_register_shared_queue(namePtr: usize, nameSize: usize, tokenPtr: usize): u32;
@external("env", "proxy_resolve_shared_queue") declare function proxy_resolve_shared_queue(vmPtr: usize, vmSize: usize, namePtr: usize, nameSize: usize, tokenPtr: usize): u32;
@external("env", "proxy_enqueue_shared_queue") declare function proxy_enqueue_shared_queue(token: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_dequeue_shared_queue") declare function proxy_dequeue_shared_queue(token: u32, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(type: u32, kPtr: usize, kSize: usize, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(type: u32, ptrPtr: usize, sizePtr: usize): u32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(type: u32, kPtr: usize, kSize: usize, vPtr: usize, vSize: usize): u32;
@external("env", "proxy_done") declare function proxy_done(): u32;

export function probeAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}

export function proxy_abi_version_0_2_1(): void {}

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

/** The configuration of each root context, and the root of each stream context. */
const configs = new Map<u32, string>();
const roots = new Map<u32, u32>();
/** A module global: one per VM, shared by every plugin the VM serves. */
let calls: u32 = 0;
let waitingConnection: u32 = 0;
const out = heap.alloc(16); // out-parameters: pointer at out, size at out + 4

function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

function ptr(b: ArrayBuffer): usize {
  return changetype<usize>(b);
}

function returned(): ArrayBuffer {
  const p = load<u32>(out);
  const n = load<u32>(out + 4);
  const b = new ArrayBuffer(<i32>n);
  memory.copy(changetype<usize>(b), p, n);
  return b;
}

function hex(b: ArrayBuffer): string {
  const digits = "0123456789abcdef";
  const bytes = Uint8Array.wrap(b);
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += digits.charAt(bytes[i] >> 4) + digits.charAt(bytes[i] & 15);
  return s;
}

function unhex(s: string): ArrayBuffer {
  const b = new ArrayBuffer(s.length / 2);
  const bytes = Uint8Array.wrap(b);
  for (let i = 0; i < bytes.length; i++) bytes[i] = <u8>U32.parseInt(s.substr(i * 2, 2), 16);
  return b;
}

function num(s: string): u32 {
  return U32.parseInt(s);
}

function pairs(keys: string[], values: string[]): ArrayBuffer {
  let size = 4 + keys.length * 8;
  for (let i = 0; i < keys.length; i++) size += String.UTF8.byteLength(keys[i]) + String.UTF8.byteLength(values[i]) + 2;
  const b = new ArrayBuffer(size);
  const base = changetype<usize>(b);
  store<u32>(base, keys.length);
  let offset = base + 4 + keys.length * 8;
  for (let i = 0; i < keys.length; i++) {
    const k = utf8(keys[i]);
    const v = utf8(values[i]);
    store<u32>(base + 4 + i * 8, k.byteLength);
    store<u32>(base + 8 + i * 8, v.byteLength);
    memory.copy(offset, ptr(k), k.byteLength);
    offset += k.byteLength + 1;
    memory.copy(offset, ptr(v), v.byteLength);
    offset += v.byteLength + 1;
  }
  return b;
}

function rootOf(context: u32): u32 {
  return roots.has(context) ? roots.get(context) : context;
}

function configOf(context: u32): string {
  const root = rootOf(context);
  return configs.has(root) ? configs.get(root) : "";
}

/** Counts the configures of this vm_id in shared data; the count including this one. */
function countConfigure(): u32 {
  const k = utf8("configures");
  const found = proxy_get_shared_data(ptr(k), k.byteLength, out, out + 4, out + 8) == 0;
  const count = found ? num(String.UTF8.decode(returned())) + 1 : 1;
  const v = utf8(count.toString());
  proxy_set_shared_data(ptr(k), k.byteLength, ptr(v), v.byteLength, 0);
  return count;
}

function run(command: string, context: u32): string {
  const a = command.split(" ");
  const op = a[0];
  memory.fill(out, 0, 16);
  if (op == "ctx") return context.toString();
  if (op == "root") return rootOf(context).toString();
  if (op == "config") return configOf(context);
  if (op == "calls") return (++calls).toString();
  if (op == "grow") return memory.grow(<i32>num(a[1])).toString();
  if (op == "alloc") return heap.alloc(<usize>num(a[1])).toString();
  if (op == "get") {
    const r = proxy_get_buffer_bytes(num(a[1]), num(a[2]), num(a[3]), out, out + 4);
    return r.toString() + " " + String.UTF8.decode(returned());
  }
  if (op == "set") {
    const data = utf8(a.length > 4 ? a[4] : "");
    return proxy_set_buffer_bytes(num(a[1]), num(a[2]), num(a[3]), ptr(data), data.byteLength).toString();
  }
  if (op == "status") {
    const r = proxy_get_buffer_status(num(a[1]), out, out + 4);
    return r.toString() + " " + load<u32>(out).toString();
  }
  if (op == "prop") {
    const path = utf8(a[1].replaceAll("/", "\0"));
    const r = proxy_get_property(ptr(path), path.byteLength, out, out + 4);
    return r.toString() + " " + hex(returned());
  }
  if (op == "setprop") {
    const k = utf8(a[1]);
    const v = utf8(a[2]);
    return proxy_set_property(ptr(k), k.byteLength, ptr(v), v.byteLength).toString();
  }
  if (op == "continue") return proxy_continue_stream(num(a[1])).toString();
  if (op == "close") return proxy_close_stream(num(a[1])).toString();
  if (op == "local") return proxy_send_local_response(403, 0, 0, 0, 0, 0, 0, -1).toString();
  if (op == "effective") return proxy_set_effective_context(num(a[1])).toString();
  if (op == "ff") {
    const name = utf8(a[1]);
    const arg = unhex(a.length > 2 ? a[2] : "");
    const r = proxy_call_foreign_function(ptr(name), name.byteLength, ptr(arg), arg.byteLength, out, out + 4);
    return r.toString() + " " + hex(returned());
  }
  if (op == "sset") {
    const k = utf8(a[1]);
    const v = utf8(a[2]);
    return proxy_set_shared_data(ptr(k), k.byteLength, ptr(v), v.byteLength, num(a[3])).toString();
  }
  if (op == "sget") {
    const k = utf8(a[1]);
    const r = proxy_get_shared_data(ptr(k), k.byteLength, out, out + 4, out + 8);
    return r.toString() + " " + String.UTF8.decode(returned()) + " " + load<u32>(out + 8).toString();
  }
  if (op == "mdef") {
    const name = utf8(a[2]);
    const r = proxy_define_metric(num(a[1]), ptr(name), name.byteLength, out + 8);
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "minc") return proxy_increment_metric(num(a[1]), I64.parseInt(a[2])).toString();
  if (op == "mrec") return proxy_record_metric(num(a[1]), U64.parseInt(a[2])).toString();
  if (op == "mget") {
    const r = proxy_get_metric(num(a[1]), out + 8);
    return r.toString() + " " + load<u64>(out + 8).toString();
  }
  if (op == "grpc") {
    const service = a[1].startsWith("hex:") ? unhex(a[1].substr(4)) : utf8(a[1]);
    const name = utf8(a[2]);
    const method = utf8(a[3]);
    const request = utf8(a.slice(5).join(" "));
    const metadata = pairs(["x-probe"], ["yes"]);
    const r = proxy_grpc_call(ptr(service), service.byteLength, ptr(name), name.byteLength, ptr(method), method.byteLength,
      ptr(metadata), metadata.byteLength, ptr(request), request.byteLength, num(a[4]), out + 8);
    waitingConnection = context;
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "grpccancel") return proxy_grpc_cancel(num(a[1])).toString();
  if (op == "http") {
    const cluster = utf8(a[1]);
    const headers = pairs([":method", ":path", ":authority"], ["GET", a[2], a[1]]);
    const r = proxy_http_call(ptr(cluster), cluster.byteLength, ptr(headers), headers.byteLength, 0, 0, 0, 0, num(a[3]), out + 8);
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "tick") return proxy_set_tick_period_milliseconds(num(a[1])).toString();
  if (op == "loglevel") {
    const r = proxy_get_log_level(out + 8);
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "log") {
    const m = utf8(a.slice(2).join(" "));
    return proxy_log(num(a[1]), ptr(m), m.byteLength).toString();
  }
  if (op == "time") {
    const r = proxy_get_current_time_nanoseconds(out + 8);
    return r.toString() + " " + load<u64>(out + 8).toString();
  }
  if (op == "getstatus") {
    const r = proxy_get_status(out + 8, out, out + 4);
    return r.toString() + " " + load<u32>(out + 8).toString() + " " + String.UTF8.decode(returned());
  }
  if (op == "qreg") {
    const n = utf8(a[1]);
    const r = proxy_register_shared_queue(ptr(n), n.byteLength, out + 8);
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "qresolve") {
    const v = utf8(a[1] == "-" ? "" : a[1]);
    const n = utf8(a[2]);
    const r = proxy_resolve_shared_queue(ptr(v), v.byteLength, ptr(n), n.byteLength, out + 8);
    return r.toString() + " " + load<u32>(out + 8).toString();
  }
  if (op == "qenq") {
    const d = utf8(a[2]);
    return proxy_enqueue_shared_queue(num(a[1]), ptr(d), d.byteLength).toString();
  }
  if (op == "qdeq") {
    const r = proxy_dequeue_shared_queue(num(a[1]), out, out + 4);
    return r.toString() + " " + String.UTF8.decode(returned());
  }
  if (op == "hget") {
    const k = utf8(a[2]);
    const r = proxy_get_header_map_value(num(a[1]), ptr(k), k.byteLength, out, out + 4);
    return r.toString() + " " + String.UTF8.decode(returned());
  }
  if (op == "hpairs") {
    const r = proxy_get_header_map_pairs(num(a[1]), out, out + 4);
    return r.toString() + " " + hex(returned());
  }
  if (op == "hadd") {
    const k = utf8(a[2]);
    const v = utf8(a[3]);
    return proxy_add_header_map_value(num(a[1]), ptr(k), k.byteLength, ptr(v), v.byteLength).toString();
  }
  if (op == "done") return proxy_done().toString();
  if (op == "trap") unreachable();
  if (op == "stop") return "stop";
  return "unknown";
}

/** Runs ";"-separated commands; true when one of them was "stop". */
function runAll(commands: string, context: u32): bool {
  const list = commands.split(";");
  let stop = false;
  for (let i = 0; i < list.length; i++) {
    const command = list[i].trim();
    if (command.length == 0) continue;
    const result = run(command, context);
    log("r " + command + " => " + result);
    if (result == "stop") stop = true;
  }
  return stop;
}

function readBuffer(type: u32, size: u32): string {
  proxy_get_buffer_bytes(type, 0, size, out, out + 4);
  return String.UTF8.decode(returned());
}

export function proxy_on_context_create(context: u32, parent: u32): void {
  log("cb on_context_create " + context.toString() + " " + parent.toString());
  if (parent != 0) roots.set(context, parent);
}

export function proxy_on_vm_start(root: u32, size: u32): u32 {
  log("cb on_vm_start " + root.toString() + " " + readBuffer(6, size));
  return 1;
}

export function proxy_on_configure(root: u32, size: u32): u32 {
  const config = readBuffer(7, size);
  configs.set(root, config);
  log("cb on_configure " + root.toString() + " " + config);
  if (config.includes("tick=")) proxy_set_tick_period_milliseconds(num(config.split("tick=")[1].split(" ")[0]));
  if (config.includes("accept=")) return countConfigure() <= num(config.split("accept=")[1].split(" ")[0]) ? 1 : 0;
  return config.includes("reject") ? 0 : 1;
}

export function proxy_on_new_connection(context: u32): u32 {
  log("cb on_new_connection " + context.toString());
  return 0;
}

export function proxy_on_downstream_data(context: u32, size: u32, end: u32): u32 {
  log("cb on_downstream_data " + context.toString() + " " + size.toString() + " " + end.toString());
  return runAll(readBuffer(2, size), context) ? 1 : 0;
}

export function proxy_on_upstream_data(context: u32, size: u32, end: u32): u32 {
  log("cb on_upstream_data " + context.toString() + " " + size.toString() + " " + end.toString());
  return runAll(readBuffer(3, size), context) ? 1 : 0;
}

export function proxy_on_downstream_connection_close(context: u32, peer: u32): void {
  log("cb on_downstream_connection_close " + context.toString() + " " + peer.toString());
}

export function proxy_on_upstream_connection_close(context: u32, peer: u32): void {
  log("cb on_upstream_connection_close " + context.toString() + " " + peer.toString());
}

export function proxy_on_done(context: u32): u32 {
  log("cb on_done " + context.toString());
  return configOf(context).includes("linger") ? 0 : 1;
}

export function proxy_on_log(context: u32): void {
  log("cb on_log " + context.toString());
  if (configOf(context).includes("trap_on_log")) unreachable();
}

export function proxy_on_delete(context: u32): void {
  log("cb on_delete " + context.toString());
}

export function proxy_on_tick(root: u32): void {
  log("cb on_tick " + root.toString());
}

export function proxy_on_grpc_receive(root: u32, token: u32, size: u32): void {
  const message = readBuffer(5, size);
  log("cb on_grpc_receive " + root.toString() + " " + token.toString() + " " + message);
  runAll(message.replaceAll("$conn", waitingConnection.toString()).replaceAll(",", ";"), root);
}

export function proxy_on_grpc_close(root: u32, token: u32, status: u32): void {
  proxy_get_status(out + 8, out, out + 4);
  log("cb on_grpc_close " + root.toString() + " " + token.toString() + " " + status.toString() + " " + String.UTF8.decode(returned()));
}

export function proxy_on_http_call_response(root: u32, token: u32, headers: u32, body: u32, trailers: u32): void {
  const status = utf8(":status");
  proxy_get_header_map_value(6, ptr(status), status.byteLength, out, out + 4);
  const code = String.UTF8.decode(returned());
  log("cb on_http_call_response " + token.toString() + " " + headers.toString() + " " + code + " " + readBuffer(4, body));
}

export function proxy_on_queue_ready(root: u32, token: u32): void {
  const r = proxy_dequeue_shared_queue(token, out, out + 4);
  log("cb on_queue_ready " + root.toString() + " " + token.toString() + " " + r.toString() + " " + String.UTF8.decode(returned()));
}
