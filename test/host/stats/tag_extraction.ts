// Envoy's TagProducer: every stats_tags regex is searched in the FULL stat name; on a match the first capture
// group is cut out of the name and the second (or the first, when there is only one) is the tag value.
// Read: envoy source/common/stats/tag_extractor_impl.cc (TagExtractorStdRegexImpl::extractTag) and
// tag_producer_impl.cc (extractors run on the original name, removals are merged).
import type { TagSpecifier } from "../api.ts";
import { DEFAULT_TAG_SPECIFIERS } from "./default_tags.ts";

export interface Tag {
  readonly name: string;
  readonly value: string;
}

export interface ExtractedName {
  readonly tagExtractedName: string;
  readonly tags: readonly Tag[];
}

export class TagProducer {
  private readonly extractors: { name: string; regex: RegExp }[];

  /**
   * `useAllDefaultTags` is stats_config.use_all_default_tags (true when unset). A user specifier with an empty regex
   * names a default one; a user specifier replaces the default of the same name.
   */
  constructor(specifiers: readonly TagSpecifier[], useAllDefaultTags = true) {
    const byName = new Map<string, string>();
    if (useAllDefaultTags) for (const d of DEFAULT_TAG_SPECIFIERS) byName.set(d.tagName, d.regex);
    for (const s of specifiers) {
      const regex = s.regex !== "" ? s.regex : DEFAULT_TAG_SPECIFIERS.find((d) => d.tagName === s.tagName)?.regex;
      if (regex === undefined) throw new Error(`stats_tags: tag '${s.tagName}' has no regex and is not a default tag`);
      byName.set(s.tagName, regex);
    }
    this.extractors = [...byName].map(([name, regex]) => ({ name, regex: new RegExp(toJavaScriptRegex(regex), "d") }));
  }

  extract(name: string): ExtractedName {
    const tags: Tag[] = [];
    const removed: [number, number][] = [];
    for (const extractor of this.extractors) {
      const match = extractor.regex.exec(name);
      if (!match?.indices?.[1]) continue;
      const removeRange = match.indices[1];
      tags.push({ name: extractor.name, value: match[2] ?? match[1] });
      removed.push([removeRange[0], removeRange[1]]);
    }
    return { tagExtractedName: removeRanges(name, removed), tags };
  }
}

function removeRanges(name: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return name;
  let out = "";
  for (let i = 0; i < name.length; i++) {
    if (!ranges.some(([start, end]) => i >= start && i < end)) out += name[i];
  }
  return out;
}

/** Envoy compiles these with std::regex (ECMAScript grammar), which also knows POSIX classes like [:digit:]. */
function toJavaScriptRegex(regex: string): string {
  return regex.replaceAll("[:digit:]", "0-9").replaceAll("[:alpha:]", "a-zA-Z").replaceAll("[:alnum:]", "a-zA-Z0-9");
}
