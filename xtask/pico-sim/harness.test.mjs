// The harness's own parts, against their datasheets: `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc8, Ds18b20 } from './ds18b20.mjs';
import { romImage } from './rom.mjs';

test('Dallas CRC-8 of the ROM code in Maxim AN27 is A2', () => {
  assert.equal(crc8([0x02, 0x1c, 0xb8, 0x01, 0x00, 0x00, 0x00]), 0xa2);
});

/** A chip stand-in with a settable clock, for the probe alone. */
function bench() {
  const alarms = [];
  const chip = {
    clock: {
      nanos: 0,
      createAlarm: (callback) => {
        const alarm = { callback, at: null, schedule: (d) => (alarm.at = chip.clock.nanos + d), cancel: () => (alarm.at = null) };
        alarms.push(alarm);
        return alarm;
      },
    },
    line: [],
    onewireLevel() {
      chip.line.push([chip.clock.nanos, probe.pulling]);
    },
  };
  const probe = new Ds18b20();
  probe.attach(chip, 4);
  const until = (nanos) => {
    for (;;) {
      const due = alarms.filter((a) => a.at !== null && a.at <= nanos).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      chip.clock.nanos = due.at;
      due.at = null;
      due.callback();
    }
    chip.clock.nanos = nanos;
  };
  const low = (us) => {
    probe.master(true);
    until(chip.clock.nanos + us * 1000);
    probe.master(false);
    until(chip.clock.nanos + 60_000);
  };
  const write = (byte) => {
    for (let i = 0; i < 8; i++) low((byte >> i) & 1 ? 6 : 60);
  };
  const read = () => {
    let byte = 0;
    for (let i = 0; i < 8; i++) {
      probe.master(true);
      until(chip.clock.nanos + 6_000);
      probe.master(false);
      until(chip.clock.nanos + 6_000); // the master samples 12 us after its edge
      if (!probe.pulling) byte |= 1 << i;
      until(chip.clock.nanos + 50_000);
    }
    return byte;
  };
  return { probe, chip, low, write, read, until };
}

test('a reset gets a presence pulse 30 us after it, 120 us long', () => {
  const { chip, low, until } = bench();
  low(480);
  until(chip.clock.nanos + 300_000);
  const [[start, pulled], [end, released]] = chip.line;
  assert.equal(pulled, true);
  assert.equal(released, false);
  assert.equal((end - start) / 1000, 120);
});

test('skip ROM, convert, read scratchpad: the reading with a good CRC', () => {
  const { probe, low, write, read, until, chip } = bench();
  probe.setting = 21.5 * 16;
  low(480);
  write(0xcc);
  write(0x44);
  until(chip.clock.nanos + 800e6);
  low(480);
  write(0xcc);
  write(0xbe);
  const pad = Array.from({ length: 9 }, read);
  assert.equal(pad[0] | (pad[1] << 8), 344);
  assert.equal(crc8(pad.slice(0, 8)), pad[8]);
  assert.deepEqual(probe.errors, []);
});

test('a reset too short for the datasheet is an error, not a reset', () => {
  const { probe, chip, low } = bench();
  low(320);
  assert.equal(chip.line.length, 0);
  assert.match(probe.errors[0], /320.0 us/);
});

test('the ROM serves its table through the lookup stub', () => {
  const rom = new DataView(romImage().buffer);
  assert.equal(rom.getUint16(0x10, true), 0x754d); // 'M' 'u'
  const table = rom.getUint16(0x14, true);
  const codes = [];
  for (let at = table; rom.getUint16(at, true); at += 4) {
    codes.push(String.fromCharCode(rom.getUint8(at), rom.getUint8(at + 1)));
    assert.equal(rom.getUint16(rom.getUint16(at + 2, true) & ~1, true) >> 8, 0xbe); // bkpt
  }
  assert.deepEqual(codes, ['IF', 'EX', 'FC', 'CX', 'RE', 'RP', 'C4', 'MC', 'S4', 'MS']);
});
