// A DS18B20 on the 1-Wire pin, at the pin level, in the emulator's time
// (Maxim DS18B20 datasheet: "1-Wire Signaling", its timing diagrams
// and the AC table). It sees only the master's pulls on the line
// and answers with its own:
// - a low of 480 us or more is a reset; 15-60 us after its end the probe pulls
//   the line low for 60-240 us (presence) - here after 30 us, for 120 us;
// - a low of 1-15 us is a write-1 or the start of a read slot, 60-120 us a
//   write-0; the probe samples at 30 us, so 15-60 us is ambiguous on the
//   real part and a protocol error here, as is anything else out of range
//   (the probe then waits for the next reset);
// - in a read slot, a 0 bit is the probe holding the line low from the
//   master's falling edge for 15 us (tRDV: the master must sample within
//   15 us of the edge);
// - ROM commands: Skip ROM (CC), Read ROM (33), Match ROM (55); function
//   commands: Convert T (44, 750 ms at 12 bits; read slots return 0 while
//   converting, then 1), Read Scratchpad (BE, 9 bytes with the Dallas
//   CRC-8), Write Scratchpad (4E: TH, TL, config), Copy Scratchpad (48),
//   Recall E2 (B8), Read Power Supply (B4: 1, externally powered).
// The temperature register reads 85 C until the first conversion, as on the
// real part. `fail` corrupts every scratchpad's CRC; `none` unplugs it.

const US = 1000; // nanoseconds
const ROM = [0x28, 0x5a, 0x17, 0x46, 0x0e, 0x00, 0x00];

export function crc8(bytes) {
  let crc = 0;
  for (const byte of bytes) {
    let b = byte;
    for (let i = 0; i < 8; i++) {
      const mix = (crc ^ b) & 1;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      b >>= 1;
    }
  }
  return crc;
}

export class Ds18b20 {
  constructor() {
    /** Raw temperature in 1/16 C, or 'fail' / 'none'. */
    this.setting = 20 * 16;
    this.th = 0x4b;
    this.tl = 0x46;
    this.config = 0x7f;
    this.register = 85 * 16;
    this.errors = [];
    this.rom = [...ROM, crc8(ROM)];
    this.idle();
  }

  /** Connects the probe to `pin` of `chip` (after every chip reset). */
  attach(chip, pin) {
    this.chip = chip;
    this.pin = pin;
    this.pulling = false;
    this.fellAt = null;
    this.converting = false;
    this.holdAlarm = chip.clock.createAlarm(() => this.release());
    this.presenceAlarm = chip.clock.createAlarm(() => this.presence());
    this.convertAlarm = chip.clock.createAlarm(() => {
      this.converting = false;
      if (typeof this.setting === 'number') this.register = this.setting;
    });
  }

  idle() {
    this.state = 'idle';
    this.bits = [];
    this.out = [];
  }

  /** The master's side of the line changed: `low` is true while it pulls. */
  master(low) {
    const now = this.chip.clock.nanos;
    if (low) {
      this.fellAt = now;
      this.readSlot = false;
      if (this.setting === 'none') return;
      if (this.out.length > 0) {
        this.readSlot = true;
        if (!this.out.shift()) this.pull(15 * US);
      } else if (this.answering) {
        this.readSlot = true;
        this.pull(15 * US);
      }
      return;
    }
    if (this.fellAt === null) return;
    const width = (now - this.fellAt) / US;
    this.fellAt = null;
    if (this.setting === 'none') return;
    if (width >= 480) {
      this.idle();
      this.state = 'rom';
      this.presenceAlarm.schedule(30 * US);
    } else if (width >= 1 && width <= 15) {
      if (!this.readSlot) this.bit(1);
    } else if (width >= 60 && width <= 120) {
      this.bit(0);
    } else {
      this.error(`a ${width.toFixed(1)} us low pulse is no 1-Wire slot`);
    }
  }

  error(text) {
    if (this.errors.length < 20) this.errors.push(text);
    this.idle();
  }

  presence() {
    this.pull(120 * US);
  }

  pull(nanos) {
    this.pulling = true;
    this.chip.onewireLevel(this.pin);
    this.holdAlarm.schedule(nanos);
  }

  release() {
    this.pulling = false;
    this.chip.onewireLevel(this.pin);
  }

  send(bytes) {
    for (const byte of bytes) for (let i = 0; i < 8; i++) this.out.push((byte >> i) & 1);
  }

  bit(value) {
    if (!['rom', 'match', 'function', 'write'].includes(this.state)) return;
    this.bits.push(value);
    if (this.bits.length < 8) return;
    const byte = this.bits.reduce((acc, b, i) => acc | (b << i), 0);
    this.bits = [];
    this.byte(byte);
  }

  scratchpad() {
    const t = this.register & 0xffff;
    const pad = [t & 0xff, t >> 8, this.th, this.tl, this.config, 0xff, 0x0c, 0x10];
    const crc = crc8(pad);
    return [...pad, this.setting === 'fail' ? crc ^ 0x5a : crc];
  }

  byte(byte) {
    if (this.state === 'rom') {
      if (byte === 0xcc) this.state = 'function';
      else if (byte === 0x33) {
        this.send(this.rom);
        this.state = 'function';
      } else if (byte === 0x55) {
        this.state = 'match';
        this.matched = [];
      } else this.error(`ROM command 0x${byte.toString(16)} not served`);
    } else if (this.state === 'match') {
      this.matched.push(byte);
      if (this.matched.length === 8) {
        this.state = this.matched.every((b, i) => b === this.rom[i]) ? 'function' : 'idle';
      }
    } else if (this.state === 'function') {
      this.function(byte);
    } else if (this.state === 'write') {
      this.written.push(byte);
      if (this.written.length === 3) {
        [this.th, this.tl] = this.written;
        this.config = (this.written[2] & 0x60) | 0x1f;
        this.state = 'idle';
      }
    }
  }

  function(byte) {
    switch (byte) {
      case 0x44: {
        this.converting = true;
        // 93.75 ms at 9 bits, doubling per bit to 750 ms at 12.
        const bits = 9 + ((this.config >> 5) & 3);
        this.convertAlarm.schedule(93.75e6 * 2 ** (bits - 9));
        this.state = 'converting';
        break;
      }
      case 0xbe:
        this.send(this.scratchpad());
        this.state = 'reading';
        break;
      case 0x4e:
        this.written = [];
        this.state = 'write';
        break;
      case 0x48:
      case 0xb8:
        this.state = 'idle';
        break;
      case 0xb4:
        this.state = 'idle';
        break;
      default:
        this.error(`function command 0x${byte.toString(16)} not served`);
    }
  }

  /** Read slots during a conversion: 0 until it is done. */
  get answering() {
    return this.state === 'converting' && this.converting;
  }
}
