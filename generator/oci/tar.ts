// A tar archive (POSIX ustar) of regular files, written byte for byte the same for the same input: owner root,
// mode 0644, modification time 0, so that an image built from the same module has the same digest.
const BLOCK = 512;

export interface TarFile {
  readonly name: string;
  readonly content: Uint8Array;
}

export function tar(files: readonly TarFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { name, content } of files) {
    parts.push(header(name, content.length), content, new Uint8Array(padding(content.length)));
  }
  parts.push(new Uint8Array(2 * BLOCK)); // the end of the archive
  return Buffer.concat(parts);
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function header(name: string, size: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const encoder = new TextEncoder();
  const put = (offset: number, length: number, text: string) => {
    const bytes = encoder.encode(text);
    if (bytes.length > length) throw new Error(`tar: ${JSON.stringify(text)} does not fit in ${length} bytes`);
    block.set(bytes, offset);
  };
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0"); // then a NUL
  put(0, 100, name);
  put(100, 8, octal(0o644, 8)); // mode
  put(108, 8, octal(0, 8)); // uid
  put(116, 8, octal(0, 8)); // gid
  put(124, 12, octal(size, 12));
  put(136, 12, octal(0, 12)); // mtime
  put(148, 8, "        "); // the checksum counts its own field as spaces
  put(156, 1, "0"); // a regular file
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(265, 32, "root");
  put(297, 32, "root");
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  put(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  return block;
}
