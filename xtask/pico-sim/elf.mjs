// The loadable segments of a 32-bit little-endian ELF, at their load
// (physical) addresses: where a flasher writes them.
export function loadSegments(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== 0x7f454c46 || bytes[4] !== 1 || bytes[5] !== 1) {
    throw new Error('not a 32-bit little-endian ELF');
  }
  const phoff = view.getUint32(0x1c, true);
  const phentsize = view.getUint16(0x2a, true);
  const phnum = view.getUint16(0x2c, true);
  const segments = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const type = view.getUint32(at, true);
    const offset = view.getUint32(at + 4, true);
    const paddr = view.getUint32(at + 12, true);
    const filesz = view.getUint32(at + 16, true);
    if (type === 1 && filesz > 0) {
      segments.push({ address: paddr, data: bytes.subarray(offset, offset + filesz) });
    }
  }
  return segments;
}

/** The address of the symbol `name`, or undefined. */
export function symbol(bytes, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = view.getUint32(0x20, true);
  const shentsize = view.getUint16(0x2e, true);
  const shnum = view.getUint16(0x30, true);
  const section = (i) => {
    const at = shoff + i * shentsize;
    return {
      type: view.getUint32(at + 4, true),
      offset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
      link: view.getUint32(at + 24, true),
    };
  };
  const wanted = new TextEncoder().encode(name);
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(symtab.link);
    for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 16) {
      const start = strtab.offset + view.getUint32(at, true);
      if (bytes[start + wanted.length] === 0 && wanted.every((b, k) => bytes[start + k] === b)) {
        return view.getUint32(at + 4, true);
      }
    }
  }
  return undefined;
}
