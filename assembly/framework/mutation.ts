// A flat list of key/values to set on a message (MetaProtocol's Mutation). The codec decides what a key means
// (a Dubbo attachment, a THeader info header).
@final
export class Mutation {
  keys: Array<string> = [];
  values: Array<string> = [];

  get size(): i32 {
    return this.keys.length;
  }

  set(key: string, value: string): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) {
      this.values[at] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
  }
}
