// Envoy's StreamInfo::FilterState for a downstream connection: string values by key, shared by every filter of the
// connection (a wasm filter sets `envoy.tcp_proxy.cluster` here; tcp_proxy reads it when it picks its route).
// Values are mutable, as those set through the `set_envoy_filter_state` foreign function are.
import type { FilterState, FilterStateLifeSpan } from "../api.ts";

export class ConnectionFilterState implements FilterState {
  private readonly values = new Map<string, string>();

  // On a connection every life span (filter chain, request, connection) ends with the connection itself.
  set(key: string, value: string, _lifeSpan: FilterStateLifeSpan): void {
    this.values.set(key, value);
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }
}
