//! A tiny driver for the ARM CMSDK APB UART that QEMU's mps2-an385 emulates
//! (ARM DDI 0479C, "APB UART"): blocking transmit, interrupt-driven receive
//! into a queue, since QEMU holds one received byte at a time.
//!
//! Volatile access to memory-mapped registers, the NVIC and the exception
//! handler are `unsafe` by nature; this module is the only place the
//! firmware allows it. Every access is to a fixed, valid, aligned register.
#![allow(unsafe_code)]

use core::cell::RefCell;
use core::ptr::{read_volatile, write_volatile};

use cortex_m::interrupt::{InterruptNumber, Mutex};
use cortex_m::peripheral::NVIC;
use cortex_m_rt::exception;
use heapless::Deque;

/// Registers, as offsets from the UART's base.
const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const INTSTATUS: usize = 0x0C;
const BAUDDIV: usize = 0x10;
/// STATE bits.
const TX_FULL: u32 = 1 << 0;
const RX_FULL: u32 = 1 << 1;
/// CTRL bits: transmitter, receiver, receive interrupt.
const TX_EN: u32 = 1 << 0;
const RX_EN: u32 = 1 << 1;
const RX_INT_EN: u32 = 1 << 3;
/// INTSTATUS: the receive interrupt (write 1 to clear).
const RX_INT: u32 = 1 << 1;

/// Bytes received and not yet taken; more than a turn's worth at 115200 baud.
const QUEUE: usize = 1024;

/// The mps2-an385's UART interrupts: UARTn RX is IRQ 2n.
#[derive(Clone, Copy)]
enum Irq {
    Uart0Rx = 0,
    Uart1Rx = 2,
}

// SAFETY: the numbers are the board's receive interrupts, all valid.
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self as u16
    }
}

/// One of the two UARTs the firmware uses.
#[derive(Clone, Copy)]
pub enum Port {
    /// UART0 at 0x4000_4000: the modem.
    Modem,
    /// UART1 at 0x4000_5000: the console.
    Console,
}

static MODEM_RX: Mutex<RefCell<Deque<u8, QUEUE>>> = Mutex::new(RefCell::new(Deque::new()));
static CONSOLE_RX: Mutex<RefCell<Deque<u8, QUEUE>>> = Mutex::new(RefCell::new(Deque::new()));

impl Port {
    fn base(self) -> usize {
        match self {
            Port::Modem => 0x4000_4000,
            Port::Console => 0x4000_5000,
        }
    }

    fn irq(self) -> Irq {
        match self {
            Port::Modem => Irq::Uart0Rx,
            Port::Console => Irq::Uart1Rx,
        }
    }

    fn queue(self) -> &'static Mutex<RefCell<Deque<u8, QUEUE>>> {
        match self {
            Port::Modem => &MODEM_RX,
            Port::Console => &CONSOLE_RX,
        }
    }

    fn read(self, register: usize) -> u32 {
        // SAFETY: a CMSDK UART register of this board.
        unsafe { read_volatile((self.base() + register) as *const u32) }
    }

    fn write(self, register: usize, value: u32) {
        // SAFETY: a CMSDK UART register of this board.
        unsafe { write_volatile((self.base() + register) as *mut u32, value) }
    }

    /// Enables transmit and interrupt-driven receive. QEMU ignores the baud
    /// rate but wants a divider of at least 16 before it sends anything.
    pub fn init(self) {
        self.write(BAUDDIV, 16);
        self.write(CTRL, TX_EN | RX_EN | RX_INT_EN);
        // SAFETY: the handler below only touches this port's queue in a
        // critical section; unmasking cannot break another critical section.
        unsafe { NVIC::unmask(self.irq()) };
    }

    /// Writes bytes, waiting while the transmit register is full.
    pub fn write_all(self, bytes: &[u8]) {
        for &byte in bytes {
            while self.read(STATE) & TX_FULL != 0 {}
            self.write(DATA, u32::from(byte));
        }
    }

    /// Moves received bytes into the queue (the interrupt does it too).
    fn drain(self) {
        cortex_m::interrupt::free(|cs| {
            // Clear first: a byte arriving after the last check raises it again.
            self.write(INTSTATUS, RX_INT);
            let mut queue = self.queue().borrow(cs).borrow_mut();
            while self.read(STATE) & RX_FULL != 0 {
                let byte = (self.read(DATA) & 0xFF) as u8;
                // Full: the oldest bytes are kept; the modem driver's
                // timeouts recover from what is lost.
                let _ = queue.push_back(byte);
            }
        });
    }

    /// Takes received bytes into `buf`; returns how many.
    pub fn take(self, buf: &mut [u8]) -> usize {
        self.drain();
        cortex_m::interrupt::free(|cs| {
            let mut queue = self.queue().borrow(cs).borrow_mut();
            let mut n = 0;
            for slot in buf.iter_mut() {
                let Some(byte) = queue.pop_front() else { break };
                *slot = byte;
                n += 1;
            }
            n
        })
    }

    /// Whether bytes wait in the queue.
    pub fn pending(self) -> bool {
        cortex_m::interrupt::free(|cs| !self.queue().borrow(cs).borrow().is_empty())
    }

    /// Drops whatever was received.
    pub fn discard(self) {
        self.drain();
        cortex_m::interrupt::free(|cs| self.queue().borrow(cs).borrow_mut().clear());
    }
}

impl core::fmt::Write for Port {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.write_all(s.as_bytes());
        Ok(())
    }
}

/// Every device interrupt lands here (no PAC defines handlers): the two
/// UART receive interrupts fill their queues.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    match irqn {
        0 => Port::Modem.drain(),
        2 => Port::Console.drain(),
        // -14, NMI: the watchdog's first expiry. It stays pending, so this
        // returns into it again until the second expiry resets the chip.
        _ => {}
    }
}
