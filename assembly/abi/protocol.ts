// The protocol a module serves, registered once by the module's entry file (filters/<protocol>/main.ts).
import { Protocol } from "../core/protocol";

let registered: Protocol | null = null;

export function registerProtocol(protocol: Protocol): void {
  registered = protocol;
}

export function registeredProtocol(): Protocol | null {
  return registered;
}
