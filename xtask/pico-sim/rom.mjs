// A minimal RP2040 boot ROM of our own: the header the SDKs read, a
// function table, and for each served function a two-instruction stub
// `bkpt #n; bx lr`. The BKPT traps into `serve` below, which does the
// work on the emulator's registers and flash array; `bx lr` returns to the
// firmware. No third-party bootrom binary is involved.
//
// Served (RP2040 datasheet, Bootrom: function table codes in quotes):
// - rom_table_lookup (the pointer at 0x18) over the table at 0x14;
// - 'IF' connect_internal_flash, 'EX' flash_exit_xip, 'FC' flash_flush_cache,
//   'CX' flash_enter_cmd_xip: the flash is always readable here, so these
//   only check that erase and program run between exit and re-entry;
// - 'RE' flash_range_erase, 'RP' flash_range_program: NOR semantics on the
//   Pico's 2 MiB W25Q16JV (erase sets 4 KiB sectors to 0xFF, programming can
//   only clear bits), each taking the chip's typical time, during which the
//   core is stalled and everything else keeps running;
// - 'C4' memcpy44, 'MC' memcpy, 'S4' memset4, 'MS' memset.
// Any other lookup is refused (0, as the real ROM answers an unknown code)
// and reported, so a firmware needing more fails loudly here.

export const FLASH_BASE = 0x10000000;
/** The Pico's W25Q16JV. */
export const FLASH_SIZE = 2 * 1024 * 1024;
const SECTOR = 4096;
const PAGE = 256;
// W25Q16JV datasheet, AC electrical characteristics, typical: sector erase
// tSE 45 ms, page program tPP 0.4 ms.
const ERASE_NANOS = 45e6;
const PROGRAM_NANOS = 0.4e6;

const code = (s) => s.charCodeAt(0) | (s.charCodeAt(1) << 8);
const FUNCTIONS = ['IF', 'EX', 'FC', 'CX', 'RE', 'RP', 'C4', 'MC', 'S4', 'MS'];
const LOOKUP_STUB = 0x200;
const stubAddress = (i) => LOOKUP_STUB + 4 * (i + 1);
const TABLE = 0x100;
const DATA_TABLE = 0x180;
/** `b .`: where a frozen core sits. */
export const HALT_LOOP = 0x1f0;

/** The ROM image, as `RP2040.loadBootrom` takes it. */
export function romImage() {
  const bytes = new Uint8Array(16 * 1024);
  const view = new DataView(bytes.buffer);
  view.setUint32(0x00, 0x20042000, true); // initial SP
  for (let v = 1; v < 4; v++) view.setUint32(4 * v, HALT_LOOP | 1, true);
  bytes.set([0x4d, 0x75, 0x01, 0x03], 0x10); // 'M' 'u' 1, version 3 (B2)
  view.setUint16(0x14, TABLE, true);
  view.setUint16(0x16, DATA_TABLE, true);
  view.setUint16(0x18, LOOKUP_STUB | 1, true);
  FUNCTIONS.forEach((name, i) => {
    view.setUint16(TABLE + 4 * i, code(name), true);
    view.setUint16(TABLE + 4 * i + 2, stubAddress(i) | 1, true);
  });
  view.setUint16(HALT_LOOP, 0xe7fe, true); // b .
  const stub = (at, n) => {
    view.setUint16(at, 0xbe00 | n, true); // bkpt #n
    view.setUint16(at + 2, 0x4770, true); // bx lr
  };
  stub(LOOKUP_STUB, 0xff);
  FUNCTIONS.forEach((_, i) => stub(stubAddress(i), i));
  return new Uint32Array(bytes.buffer);
}

/**
 * Serves the call behind `bkpt #n`. Returns the nanoseconds the core
 * stalls in it. `fault(text)` reports what the real chip would not do.
 */
export function serve(rp2040, n, state, fault) {
  const r = rp2040.core.registers;
  if (n === 0xff) {
    const tag = r[1] & 0xffff;
    for (let at = r[0]; ; at += 4) {
      const entry = rp2040.readUint16(at);
      if (entry === 0) break;
      if (entry === tag) {
        r[0] = rp2040.readUint16(at + 2);
        return 0;
      }
    }
    fault(`the firmware needs a ROM function this ROM does not serve: '${String.fromCharCode(tag & 0xff, tag >> 8)}'`);
    r[0] = 0;
    return 0;
  }
  const name = FUNCTIONS[n];
  const flash = rp2040.flash;
  switch (name) {
    case 'IF':
      return 0;
    case 'EX':
      state.xip = false;
      return 0;
    case 'FC':
      return 0;
    case 'CX':
      state.xip = true;
      return 0;
    case 'RE': {
      const [addr, count] = [r[0], r[1]];
      if (state.xip) fault('flash_range_erase called with XIP on');
      if (addr % SECTOR || count % SECTOR || addr + count > FLASH_SIZE) {
        fault(`flash_range_erase(0x${addr.toString(16)}, ${count}): not whole sectors of the 2 MiB flash`);
        return 0;
      }
      flash.fill(0xff, addr, addr + count);
      return (count / SECTOR) * ERASE_NANOS;
    }
    case 'RP': {
      const [addr, data, count] = [r[0], r[1], r[2]];
      if (state.xip) fault('flash_range_program called with XIP on');
      if (addr % PAGE || count % PAGE || addr + count > FLASH_SIZE) {
        fault(`flash_range_program(0x${addr.toString(16)}, ${count}): not whole pages of the 2 MiB flash`);
        return 0;
      }
      for (let i = 0; i < count; i++) flash[addr + i] &= rp2040.readUint8(data + i);
      return (count / PAGE) * PROGRAM_NANOS;
    }
    case 'C4':
    case 'MC': {
      const [dest, src, count] = [r[0], r[1], r[2]];
      for (let i = 0; i < count; i++) rp2040.writeUint8(dest + i, rp2040.readUint8(src + i));
      return 0;
    }
    case 'S4':
    case 'MS': {
      const [dest, value, count] = [r[0], r[1] & 0xff, r[2]];
      for (let i = 0; i < count; i++) rp2040.writeUint8(dest + i, value);
      return 0;
    }
    default:
      fault(`bkpt #${n} outside the ROM's functions`);
      return 0;
  }
}
