// One Raspberry Pi Pico: rp2040js's RP2040 running the release image from
// its own flash array, and the board around it, in simulated time.
//
// What the harness adds to rp2040js, and why (xtask/README.md lists it too):
// - boot: no boot2 run at power-on; the core starts at the image's vector
//   table (0x10000100), as boot2 leaves it (VTOR, MSP, reset handler);
// - the ROM (rom.mjs) and the flash chip behind the SSI (ssi.mjs);
// - the PIO runs in simulated time at each state machine's clock divider
//   (rp2040js steps it from wall-clock timers, ignoring the divider), so a
//   1-Wire slot is as long in the emulator as on the chip;
// - resets: the watchdog's trigger (rp2040js only calls a hook), the RUN
//   pin and the supply each start a fresh RP2040 on the same flash array;
//   a watchdog reset keeps the watchdog's scratch registers and REASON;
// - UART0 at the line level: bytes reach the modem only on the pins the
//   wiring names, in the UART function, at the modem's baud rate and 8N1,
//   and reach the chip paced at that rate (rp2040js delivers any byte fed);
// - the 1-Wire line is wired-AND: low while the pin drives low or the probe
//   pulls; otherwise the pull-up holds it high.
import { RP2040, GPIOPinState } from 'rp2040js';
import { FLASH_BASE, FLASH_SIZE, romImage, serve, HALT_LOOP } from './rom.mjs';
import { FlashSsi, mapXipCtrl } from './flash.mjs';

const CYCLE = 8; // nanoseconds at clk_sys 125 MHz
const VECTORS = FLASH_BASE + 0x100;
const FUNCSEL_UART = 2;
const FUNCSEL_SIO = 5;
const FUNCSEL_PIO0 = 6;
const FUNCSEL_PIO1 = 7;
const WATCHDOG_TIMER = 1;

export class Chip {
  /**
   * `segments`: the ELF's load segments; `wiring`: pin numbers by signal;
   * `baud`: the modem's rate; `probe`: a Ds18b20; `emit(line)` reports.
   */
  constructor({ segments, wiring, baud, probe, emit }) {
    this.wiring = wiring;
    this.baud = baud;
    this.probe = probe;
    this.emit = emit;
    this.flash = new Uint8Array(16 * 1024 * 1024).fill(0xff);
    for (const { address, data } of segments) {
      const at = address - FLASH_BASE;
      if (at < 0 || at + data.length > FLASH_SIZE) {
        throw new Error(`segment at 0x${address.toString(16)} is outside the 2 MiB flash`);
      }
      this.flash.set(data, at);
    }
    this.rom = romImage();
    /** Levels the world drives onto input pins. */
    this.levels = new Map();
    this.base = 0;
    this.toChip = [];
    this.fromChip = [];
    this.faults = [];
    this.powered = false;
  }

  /** Simulated nanoseconds since the first power-on. */
  get now() {
    return this.base + (this.clock ? this.clock.nanos : 0);
  }

  /** Starts a fresh chip: `reason` 0 (power-on, RUN pin) or the watchdog's REASON bits. */
  start(reason = 0, scratch = new Uint32Array(8)) {
    if (this.clock) this.base += this.clock.nanos;
    // A reset lets every pin float until the firmware drives it again.
    for (const index of this.lastOutput?.keys() ?? []) this.emit(`pin ${index} z`);
    const rp = new RP2040();
    const clock = rp.clock;
    rp.logger = quietLogger();
    rp.loadBootrom(this.rom);
    rp.flash = this.flash;
    rp.flash16 = new Uint16Array(this.flash.buffer);
    rp.flashView = new DataView(this.flash.buffer);
    rp.peripherals[0x18000] = new FlashSsi(rp, 'SSI');
    mapXipCtrl(rp);
    for (const pio of rp.pio) {
      pio.run = () => {};
      for (const machine of pio.machines) modelForcedInstructions(machine);
    }
    const watchdog = rp.peripherals[0x40058];
    watchdog.scratchData.set(scratch);
    watchdog.reason = reason;
    watchdog.onWatchdogTrigger = () => {
      // The chip resets now: its counter must not fire again meanwhile
      // (rp2040js's periodic alarm would, at the same instant, for ever).
      watchdog.timer.enable = false;
      watchdog.alarm.enable = false;
      this.pendingReset = { reason: watchdog.reason, scratch: watchdog.scratchData.slice() };
    };
    this.xip = { xip: true };
    rp.onBreak = (n) => {
      const at = rp.core.PC - 2;
      if (at < 0x4000) {
        this.stall += serve(rp, n, this.xip, (text) => this.fault(text));
      } else {
        this.fault(`the firmware stopped at a breakpoint at 0x${at.toString(16)} (a panic)`);
        this.frozen = true;
      }
    };
    const core = rp.core;
    core.VTOR = VECTORS;
    core.SP = rp.readUint32(VECTORS);
    core.PC = rp.readUint32(VECTORS + 4) & ~1;
    this.rp = rp;
    this.clock = clock;
    this.stall = 0;
    this.frozen = false;
    this.pendingReset = null;
    this.powered = true;
    this.lastOutput = new Map();
    this.wire(rp);
    this.probe.attach(this, this.wiring.onewire);
  }

  wire(rp) {
    for (const pin of rp.gpio) {
      pin.addListener(() => this.pinChanged(pin));
    }
    for (const [pin, level] of this.levels) rp.gpio[pin].setInputValue(level);
    this.onewireLevel(this.wiring.onewire);
    const uart = rp.uart[0];
    modelRxDma(uart, rp.dma);
    uart.onByte = (byte) => {
      if (this.uartUsable('modemTx')) this.fromChip.push(byte);
    };
    this.rxAlarm = this.clock.createAlarm(() => this.feedUart());
    if (this.toChip.length) this.rxAlarm.schedule(this.byteNanos);
  }

  get byteNanos() {
    return 1e9 * 10 / this.baud;
  }

  /** Whether UART0 reaches the modem's line on the wiring's pin, set up as the modem is. */
  uartUsable(signal) {
    const uart = this.rp.uart[0];
    const pin = this.rp.gpio[this.wiring[signal]];
    const lcr = uart.lineCtrlRegister;
    const cr = uart.ctrlRegister;
    const enabled = (cr & 1) && (cr & (signal === 'modemTx' ? 1 << 8 : 1 << 9));
    const format = ((lcr >> 5) & 3) === 3 && !(lcr & 0b1010); // 8 bits, no parity, 1 stop
    const rate = Math.abs(uart.baudRate - this.baud) / this.baud < 0.02;
    return pin.functionSelect === FUNCSEL_UART && enabled && format && rate;
  }

  feedUart() {
    const byte = this.toChip.shift();
    if (byte === undefined) return;
    if (this.uartUsable('modemRx')) {
      const uart = this.rp.uart[0];
      if (uart.rxFIFO.full) this.emit('note uart-overrun');
      else uart.feedByte(byte);
    }
    if (this.toChip.length) this.rxAlarm.schedule(this.byteNanos);
  }

  /** Bytes from the modem, sent at its baud rate; an unpowered chip hears none. */
  sendToChip(bytes) {
    if (!this.powered) return;
    const idle = this.toChip.length === 0;
    this.toChip.push(...bytes);
    if (idle && this.powered) this.rxAlarm.schedule(this.byteNanos);
  }

  pinChanged(pin) {
    if (pin.index === this.wiring.onewire) {
      this.probe.master(pin.value === GPIOPinState.Low);
      this.onewireLevel(pin.index);
    }
    // Pins in another function (UART, SPI…) are not levels to report.
    if ([FUNCSEL_SIO, FUNCSEL_PIO0, FUNCSEL_PIO1].includes(pin.functionSelect)) {
      this.report(pin.index, pin.value);
    }
  }

  report(index, value) {
    const level = value === GPIOPinState.High ? '1' : value === GPIOPinState.Low ? '0' : 'z';
    if (this.lastOutput.get(index) !== level) {
      this.lastOutput.set(index, level);
      this.emit(`pin ${index} ${level}`);
    }
  }

  onewireLevel(index) {
    if (!this.rp) return;
    const pin = this.rp.gpio[index];
    const low = pin.value === GPIOPinState.Low || this.probe.pulling;
    pin.setInputValue(!low);
  }

  /** The world drives an input pin. */
  drive(pin, level) {
    this.levels.set(pin, level);
    if (this.powered) this.rp.gpio[pin].setInputValue(level);
  }

  fault(text) {
    this.faults.push(text);
    this.emit(`fault ${text}`);
  }

  /** The core stops making progress (a lock-up with interrupts masked). */
  hang() {
    this.frozen = true;
    this.rp.core.PC = HALT_LOOP;
  }

  /** A RUN-pin reset: everything but the flash starts over. */
  reset() {
    this.start();
    this.emit('note reset');
  }

  power(on) {
    if (on && !this.powered) {
      this.start();
    } else if (!on && this.powered) {
      this.base += this.clock.nanos;
      this.clock = null;
      this.powered = false;
      this.toChip = [];
      for (const index of this.lastOutput.keys()) this.emit(`pin ${index} z`);
      this.lastOutput = new Map();
    }
  }

  /** Runs `nanos` of simulated time. */
  run(nanos) {
    const end = this.now + nanos;
    while (this.now < end) {
      if (!this.powered) {
        this.base = end;
        break;
      }
      if (this.pendingReset) {
        const { reason, scratch } = this.pendingReset;
        this.emit(reason & WATCHDOG_TIMER ? 'watchdog timer' : 'watchdog force');
        this.start(reason, scratch);
        continue;
      }
      const core = this.rp.core;
      if (this.frozen || core.waiting) {
        const next = this.clock.nextAlarm ? this.clock.nextAlarm.nanos : Infinity;
        this.advance(Math.max(0, Math.min(end - this.base, next) - this.clock.nanos));
      } else {
        const cycles = core.executeInstruction();
        const stall = this.stall;
        this.stall = 0;
        this.advance(cycles * CYCLE + stall);
      }
    }
  }

  /** Moves the clock on, stepping each running PIO state machine at its divider. */
  advance(delta) {
    const clock = this.clock;
    const target = clock.nanos + delta;
    for (;;) {
      let next = null;
      for (const pio of this.rp.pio) {
        for (const machine of pio.machines) {
          if (!machine.enabled) {
            machine.nextStep = undefined;
            continue;
          }
          if (machine.nextStep === undefined) machine.nextStep = clock.nanos + period(machine);
          if (machine.nextStep <= target && (next === null || machine.nextStep < next.nextStep)) {
            next = machine;
          }
        }
      }
      if (next === null) break;
      if (next.nextStep > clock.nanos) clock.tick(next.nextStep - clock.nanos);
      // rp2040js counts an instruction's delay cycles but runs the next
      // instruction at the next step anyway: the wait is ours to keep.
      const before = next.cycles;
      next.step();
      next.pio.checkChangedPins();
      next.nextStep += period(next) * Math.max(1, next.cycles - before);
    }
    if (target > clock.nanos) clock.tick(target - clock.nanos);
  }
}

const UARTDR = 0x00;
const UARTDMACR = 0x48;
const RXDMAE = 1;
const DREQ_UART0_RX = 21;

/**
 * UART0's receive DMA request (RP2040 datasheet, UART: UARTDMACR): raised
 * while UARTDMACR.RXDMAE is set and the receive FIFO holds a byte.
 * rp2040js has no UARTDMACR and never raises it, so a DMA-fed receiver
 * would see nothing.
 */
function modelRxDma(uart, dma) {
  let dmacr = 0;
  const read = uart.readUint32.bind(uart);
  const write = uart.writeUint32.bind(uart);
  const feed = uart.feedByte.bind(uart);
  const update = () => {
    if (dmacr & RXDMAE && !uart.rxFIFO.empty) dma.setDREQ(DREQ_UART0_RX);
    else dma.clearDREQ(DREQ_UART0_RX);
  };
  uart.readUint32 = (offset) => {
    if (offset === UARTDMACR) return dmacr;
    const value = read(offset);
    if (offset === UARTDR) update();
    return value;
  };
  uart.writeUint32 = (offset, value) => {
    if (offset !== UARTDMACR) return write(offset, value);
    dmacr = value;
    update();
  };
  uart.feedByte = (byte) => {
    feed(byte);
    update();
  };
}

const SM_INSTR = 0x10; // SMx_INSTR, from SMx_CLKDIV
const OPCODE_OUT = 0b011;

/**
 * An instruction written to SMx_INSTR runs at once and replaces the one
 * the state machine is stalled on (RP2040 datasheet, PIO, SMx_INSTR:
 * "execute an instruction immediately ... and then resume execution"):
 * rp2040js runs it but leaves the old stall in place, so a forced `jmp` out of a blocking
 * `out` (how a 1-Wire reset starts) would never take effect.
 */
function modelForcedInstructions(machine) {
  // A disabled state machine does not move: rp2040js lets a FIFO write
  // complete a stalled instruction even while the machine is disabled.
  const checkWait = machine.checkWait.bind(machine);
  machine.checkWait = () => {
    if (machine.enabled) checkWait();
  };
  const write = machine.writeUint32.bind(machine);
  machine.writeUint32 = (offset, value) => {
    if (offset === SM_INSTR && machine.waiting) {
      // rp2040js marks the OSR full when an autopull stalls (so the pull
      // can finish the instruction later); abandoned, the OSR is empty.
      if (machine.pio.instructions[machine.pc] >>> 13 === OPCODE_OUT) machine.outputShiftCount = 32;
      machine.waiting = false;
    }
    write(offset, value);
  };
}

function period(machine) {
  const divider = (machine.clockDivInt || 65536) + machine.clockDivFrac / 256;
  return divider * CYCLE;
}

/** rp2040js's complaints, each once per run (every reset would repeat them). */
const seen = new Set();

function quietLogger() {
  const report = (component, message) => {
    const line = `${component}: ${message}`;
    if (!seen.has(line) && seen.size < 50) {
      seen.add(line);
      process.stderr.write(`rp2040js ${line}\n`);
    }
  };
  return { debug() {}, info() {}, warn: report, error: report };
}
