// A stat as the admin renderers see it: its full name, the name with tag values cut out, and the tags.
import type { Tag } from "./tag_extraction.ts";

export interface StatEntry<T> {
  readonly name: string;
  readonly tagExtractedName: string;
  readonly tags: readonly Tag[];
  readonly stat: T;
}
