//! UART0 receive by DMA into a RAM ring that keeps filling while the CPU
//! stalls on flash (an erase turns XIP off and interrupts are masked; the
//! DMA needs neither). embassy-rp 0.10 has no ring-buffered UART receiver,
//! so this is the minimal one, on raw RP2040 registers (datasheet §2.5 DMA,
//! §4.2 UART).
//!
//! - Channel [`DATA`] is paced by DREQ_UART0_RX and copies each received
//!   byte from UARTDR into [`RING`], its write address wrapping on the
//!   ring's size (CTRL.RING_SEL = write, RING_SIZE = log2 of it). It runs
//!   [`RUN`] bytes, then chains to channel [`RELOAD`].
//! - Channel [`RELOAD`] copies the word [`RUN`] (from RAM: flash may be
//!   off) into DATA's AL1_TRANS_COUNT_TRIG, which restarts DATA where it
//!   stopped. So DATA never stops, and never needs the CPU.
//! - The bytes received so far in this run are `RUN - TRANS_COUNT`
//!   (TRANS_COUNT counts completed writes); as RUN is a multiple of the
//!   ring's size, that count modulo the size is also the write position.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{Ordering, compiler_fence};

use embassy_rp::Peri;
use embassy_rp::peripherals::{DMA_CH0, DMA_CH1};

/// The ring's size: 2^RING_BITS bytes, aligned to it (the DMA wraps the
/// address bits below that). At 115200 8N1 (11.52 bytes/ms) it holds
/// 89 ms of back-to-back modem output, twice a W25Q16JV sector erase's
/// typical 45 ms; and more than the modem sends for any one command (one
/// is in flight at a time; the longest answer, +CMGR with a 160-character
/// text, is under 300 bytes), however long the stall (README). 2 KiB
/// would take the image past the 16 KiB static RAM limit.
pub const RING_BITS: u32 = 10;
const RING_LEN: usize = 1 << RING_BITS;
/// Bytes per DMA run: a multiple of the ring's size (2^31).
const RUN: u32 = 1 << 31;

const DATA: usize = 0;
const RELOAD: usize = 1;

// RP2040 registers (datasheet §2.5.7, §4.2.8).
const DMA_BASE: usize = 0x5000_0000;
const CH_READ_ADDR: usize = 0x00;
const CH_WRITE_ADDR: usize = 0x04;
const CH_TRANS_COUNT: usize = 0x08;
const CH_CTRL_TRIG: usize = 0x0C;
const CH_AL1_CTRL: usize = 0x10;
const CH_AL1_TRANS_COUNT_TRIG: usize = 0x1C;
const UART0_DR: usize = 0x4003_4000;
/// UARTDMACR through the atomic-set alias (+0x2000): RXDMAE is bit 0.
const UART0_DMACR_SET: usize = 0x4003_4000 + 0x048 + 0x2000;
const DREQ_UART0_RX: u32 = 21;
const TREQ_PERMANENT: u32 = 0x3F;

// CTRL fields.
const EN: u32 = 1 << 0;
const SIZE_WORD: u32 = 2 << 2;
const INCR_WRITE: u32 = 1 << 5;
const RING_SIZE_SHIFT: u32 = 6;
const RING_SEL_WRITE: u32 = 1 << 10;
const CHAIN_SHIFT: u32 = 11;
const TREQ_SHIFT: u32 = 15;
const IRQ_QUIET: u32 = 1 << 21;

#[repr(C, align(1024))]
struct Ring(UnsafeCell<MaybeUninit<[u8; RING_LEN]>>);
struct Word(UnsafeCell<u32>);
const _: () = assert!(core::mem::align_of::<Ring>() == RING_LEN);
// SAFETY: the DMA is the only writer of the ring and RxRing (one instance:
// it owns both channels) the only reader; the word is written once, at
// init, before the DMA reads it.
unsafe impl Sync for Ring {}
unsafe impl Sync for Word {}

/// The ring, in `.uninit` (counted in the image's RAM; its alignment gap
/// before the section is not a static).
#[unsafe(link_section = ".uninit.isocket_rx_ring")]
static RING: Ring = Ring(UnsafeCell::new(MaybeUninit::uninit()));
/// What RELOAD copies into DATA's transfer count: in RAM, not flash.
static RUN_WORD: Word = Word(UnsafeCell::new(RUN));

fn reg(ch: usize, offset: usize) -> *mut u32 {
    (DMA_BASE + ch * 0x40 + offset) as *mut u32
}

/// The modem UART's receive side, drained by the loop.
pub struct RxRing {
    /// Bytes of this run already handed out (mod RUN).
    done: u32,
}

impl RxRing {
    /// Starts the DMA on UART0 RX. The UART must be configured already
    /// (its FIFO on); the channels are taken so no driver shares them.
    pub fn start(_data: Peri<'static, DMA_CH0>, _reload: Peri<'static, DMA_CH1>) -> Self {
        let ring = RING.0.get() as usize;
        // SAFETY: plain register writes to the two DMA channels this value
        // owns and to UART0's DMA enable; the ring and the word are statics
        // the DMA may write (ring) and read (word) for ever.
        unsafe {
            write_volatile(RUN_WORD.0.get(), RUN);
            write_volatile(reg(RELOAD, CH_READ_ADDR), RUN_WORD.0.get() as u32);
            write_volatile(
                reg(RELOAD, CH_WRITE_ADDR),
                reg(DATA, CH_AL1_TRANS_COUNT_TRIG) as u32,
            );
            write_volatile(reg(RELOAD, CH_TRANS_COUNT), 1);
            // AL1_CTRL does not trigger: RELOAD waits for DATA's chain.
            // Chaining to itself means no chain.
            write_volatile(
                reg(RELOAD, CH_AL1_CTRL),
                EN | SIZE_WORD
                    | (RELOAD as u32) << CHAIN_SHIFT
                    | TREQ_PERMANENT << TREQ_SHIFT
                    | IRQ_QUIET,
            );
            write_volatile(reg(DATA, CH_READ_ADDR), UART0_DR as u32);
            write_volatile(reg(DATA, CH_WRITE_ADDR), ring as u32);
            write_volatile(reg(DATA, CH_TRANS_COUNT), RUN);
            compiler_fence(Ordering::SeqCst);
            write_volatile(
                reg(DATA, CH_CTRL_TRIG),
                EN | INCR_WRITE
                    | RING_BITS << RING_SIZE_SHIFT
                    | RING_SEL_WRITE
                    | (RELOAD as u32) << CHAIN_SHIFT
                    | DREQ_UART0_RX << TREQ_SHIFT
                    | IRQ_QUIET,
            );
            write_volatile(UART0_DMACR_SET as *mut u32, 1);
        }
        RxRing { done: 0 }
    }

    /// Copies the bytes received since the last call into `buf`, oldest
    /// first; returns how many. More than a ring behind (the loop stalled
    /// longer than the ring lasts): the oldest are gone, `lost` says how many.
    pub fn read(&mut self, buf: &mut [u8]) -> (usize, u32) {
        // SAFETY: a read of DATA's live transfer count.
        let remaining = unsafe { read_volatile(reg(DATA, CH_TRANS_COUNT)) };
        compiler_fence(Ordering::SeqCst);
        let written = RUN.wrapping_sub(remaining) & (RUN - 1);
        let mut pending = written.wrapping_sub(self.done) & (RUN - 1);
        let mut lost = 0;
        // Keep half a ring of margin from the DMA's writes when behind.
        if pending > RING_LEN as u32 {
            lost = pending - RING_LEN as u32 / 2;
            pending = RING_LEN as u32 / 2;
            self.done = written.wrapping_sub(pending) & (RUN - 1);
        }
        let base = RING.0.get() as *const u8;
        let mut n = 0;
        for (slot, i) in buf.iter_mut().zip(0..pending) {
            let at = (self.done.wrapping_add(i) as usize) & (RING_LEN - 1);
            // SAFETY: `at` is inside the ring, and the DMA finished that
            // byte (it is below the completed-write count).
            *slot = unsafe { read_volatile(base.add(at)) };
            n += 1;
        }
        self.done = self.done.wrapping_add(n) & (RUN - 1);
        (n as usize, lost)
    }
}
