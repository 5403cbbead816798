// The emulated Pico as a process: `node main.mjs --elf FILE --wiring
// onewire=4,modemTx=0,modemRx=1 --baud 115200`. It reads one command per
// line on stdin and answers on stdout, in lock-step with its driver
// (`isocket-host pico`, which plays the modem and the scenario):
//
//   run <us>             run the chip that long, or to the end of the millisecond
//                        something happened in; answers event lines, then
//                        `at <us>` (the chip's time since the first power-on)
//   uart <hex>           bytes from the modem to the chip's UART0 RX
//   level <pin> <0|1>    the world drives an input pin
//   probe <raw>|fail|none  the DS18B20 reads raw/16 C, fails its CRC, or is unplugged
//   hang                 the firmware locks up
//   reset                the RUN pin resets the chip
//   power <0|1>          the board's supply
//
// Events: `uart <hex>` (bytes the chip sent the modem), `pin <n> <0|1|z>`
// (a pin's driven level changed), `watchdog timer|force` (the watchdog
// reset the chip), `fault <text>` (the chip did what the real one could
// not: see rom.mjs), `note <text>` (diagnostics), `probe-error <text>` (a
// 1-Wire slot out of the DS18B20's timing).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadSegments, symbol } from './elf.mjs';
import { Chip } from './chip.mjs';
import { Ds18b20 } from './ds18b20.mjs';

function options(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const args = options(process.argv.slice(2));
const wiring = Object.fromEntries(
  (args.wiring ?? '').split(',').filter(Boolean).map((pair) => {
    const [name, pin] = pair.split('=');
    return [name, Number(pin)];
  }),
);
for (const name of ['onewire', 'modemTx', 'modemRx']) {
  if (!Number.isInteger(wiring[name])) throw new Error(`--wiring needs ${name}=PIN`);
}
const lines = [];
const emit = (line) => lines.push(line);
const probe = new Ds18b20();
const elf = readFileSync(args.elf);
// defmt's RTT up-channel, read as a debug probe would (SEGGER RTT control block).
const rtt = symbol(elf, '_SEGGER_RTT');
const chip = new Chip({
  segments: loadSegments(elf),
  wiring,
  baud: Number(args.baud ?? 115200),
  probe,
  emit,
});

function command(line) {
  const [verb, ...rest] = line.trim().split(/\s+/);
  switch (verb) {
    case 'run': {
      // A millisecond at a time, ending early once something happened, so
      // the driver answers the chip within the millisecond.
      for (let left = Number(rest[0]); left > 0 && !lines.length && !chip.fromChip.length; left -= 1000) {
        chip.run(Math.min(left, 1000) * 1000);
      }
      if (chip.fromChip.length) {
        emit(`uart ${Buffer.from(chip.fromChip).toString('hex')}`);
        chip.fromChip = [];
      }
      const log = rtt === undefined ? [] : readRtt(chip, rtt);
      if (log.length) emit(`log ${Buffer.from(log).toString('hex')}`);
      for (const error of probe.errors.splice(0)) emit(`probe-error ${error}`);
      emit(`at ${Math.floor(chip.now / 1000)}`);
      break;
    }
    case 'uart':
      chip.sendToChip(Buffer.from(rest[0] ?? '', 'hex'));
      return;
    case 'level':
      chip.drive(Number(rest[0]), rest[1] === '1');
      return;
    case 'probe':
      probe.setting = rest[0] === 'fail' || rest[0] === 'none' ? rest[0] : Number(rest[0]);
      return;
    case 'hang':
      chip.hang();
      return;
    case 'reset':
      chip.reset();
      return;
    case 'power':
      chip.power(rest[0] === '1');
      return;
    default:
      emit(`fault unknown command: ${line}`);
      emit(`at ${Math.floor(chip.now / 1000)}`);
  }
  process.stdout.write(lines.splice(0).map((l) => `${l}\n`).join(""));
}

/** Takes what the firmware wrote to RTT up-channel 0 since the last call. */
function readRtt(chip, block) {
  if (!chip.powered) return [];
  const rp = chip.rp;
  const channel = block + 24;
  const [buffer, size, write] = [4, 8, 12].map((o) => rp.readUint32(channel + o));
  let read = rp.readUint32(channel + 16);
  const out = [];
  if (size === 0 || write >= size || read >= size) return out;
  while (read !== write) {
    out.push(rp.readUint8(buffer + read));
    read = (read + 1) % size;
  }
  rp.writeUint32(channel + 16, read);
  return out;
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim()) command(line);
});
