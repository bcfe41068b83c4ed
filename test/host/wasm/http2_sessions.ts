// One HTTP/2 (h2c) connection per upstream endpoint, shared by the calls a plugin makes (Envoy pools upstream
// connections the same way). A broken connection is dropped and the next call opens a new one.
import { type ClientHttp2Session, connect } from "node:http2";
import type { Endpoint } from "../api.ts";

export class Http2Sessions {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  session(endpoint: Endpoint): ClientHttp2Session {
    const key = `${endpoint.address}:${endpoint.port}`;
    const existing = this.sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const host = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
    const session = connect(`http://${host}:${endpoint.port}`);
    session.on("error", () => {}); // each stream sees the failure and reports it to its caller
    session.on("close", () => this.sessions.get(key) === session && this.sessions.delete(key));
    session.unref(); // an idle pooled connection does not keep the host process alive
    this.sessions.set(key, session);
    return session;
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.destroy();
    this.sessions.clear();
  }
}
