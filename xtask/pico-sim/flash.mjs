// The SSI (RP2040 datasheet, SSI) with the Pico's W25Q16JV behind it, as
// far as the firmware and its boot2 (re-run from RAM after every flash
// write) drive it: rp2040js's own SSI answers every read with 0, so a
// unique-id read would return zeros. Modelled commands (W25Q16JV datasheet
// instruction table): 05/35 status registers 1/2 (idle, QE set), 9F JEDEC id
// (EF 40 15), 4B unique id (4 dummy bytes, then 8 id bytes). Any other
// command answers 0, which is what boot2's XIP setup expects.
import { BasePeripheral } from 'rp2040js';

const CTRLR0 = 0x00;
const CTRLR1 = 0x04;
const SSIENR = 0x08;
const SR = 0x28;
const DR0 = 0x60;
const SR_TFNF = 1 << 1;
const SR_TFE = 1 << 2;
const SR_RFNE = 1 << 3;
/** The unique id this emulated chip reports. */
export const UNIQUE_ID = [0xe6, 0x60, 0x58, 0x38, 0x83, 0x47, 0x2a, 0x2f];

export class FlashSsi extends BasePeripheral {
  constructor(rp2040, name) {
    super(rp2040, name);
    this.registers = new Map();
    this.command = [];
    this.rx = [];
    this.answer = [];
  }

  readUint32(offset) {
    switch (offset) {
      case SR:
        return SR_TFNF | SR_TFE | (this.rx.length ? SR_RFNE : 0);
      case DR0:
        return this.rx.length ? this.rx.shift() : 0;
      default:
        return this.registers.get(offset) ?? 0;
    }
  }

  writeUint32(offset, value) {
    if (offset === DR0) {
      this.frame(value & 0xff);
      return;
    }
    if (offset === SSIENR) {
      this.command = [];
      this.answer = [];
      this.rx = [];
    }
    this.registers.set(offset, value >>> 0);
  }

  /** One frame out; in TMOD 0 one frame back, in TMOD 3 (EEPROM read) the data phase. */
  frame(byte) {
    this.command.push(byte);
    if (this.command.length === 1) this.answer = answerTo(byte);
    const tmod = ((this.registers.get(CTRLR0) ?? 0) >> 8) & 3;
    if (tmod === 3) {
      const frames = (this.registers.get(CTRLR1) ?? 0) + 1;
      for (let i = 0; i < frames; i++) this.rx.push(this.answer.shift() ?? 0);
    } else {
      this.rx.push(this.command.length === 1 ? 0 : (this.answer.shift() ?? 0));
    }
  }
}

function answerTo(command) {
  switch (command) {
    case 0x05:
      return [0x00, 0x00];
    case 0x35:
      return [0x02, 0x02];
    case 0x9f:
      return [0xef, 0x40, 0x15];
    case 0x4b:
      return [0, 0, 0, 0, ...UNIQUE_ID];
    default:
      return [];
  }
}

/**
 * XIP_CTRL (RP2040 datasheet, XIP: its registers at 0x14000000), absent from rp2040js: the
 * cache here is always flushed and the streaming engine always idle, which
 * is what the flash driver waits for before it turns XIP off.
 */
export const XIP_CTRL_BASE = 0x14000000;
const XIP_STAT = 0x08;
const XIP_STREAM_CTR = 0x18;
const XIP_STAT_FLUSH_READY = 1;
const XIP_STAT_FIFO_EMPTY = 1 << 1;

export class XipCtrl {
  constructor() {
    this.registers = new Map([[0x00, 3]]);
  }

  read(offset) {
    if (offset === XIP_STAT) return XIP_STAT_FLUSH_READY | XIP_STAT_FIFO_EMPTY;
    if (offset === XIP_STREAM_CTR) return 0;
    return this.registers.get(offset) ?? 0;
  }

  write(offset, value) {
    this.registers.set(offset, value >>> 0);
  }
}

/** Maps XIP_CTRL into the chip's address space, ahead of rp2040js. */
export function mapXipCtrl(rp) {
  const xip = new XipCtrl();
  const read = rp.readUint32.bind(rp);
  const write = rp.writeUint32.bind(rp);
  const inside = (address) => address >>> 0 >= XIP_CTRL_BASE && address >>> 0 < XIP_CTRL_BASE + 0x20;
  rp.readUint32 = (address) => (inside(address) ? xip.read(address - XIP_CTRL_BASE) : read(address));
  rp.writeUint32 = (address, value) =>
    inside(address) ? xip.write(address - XIP_CTRL_BASE, value) : write(address, value);
}
