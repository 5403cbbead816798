//! What this emulated board keeps across a reset, and how it resets.
//!
//! QEMU's mps2-an385 has no flash to write and no reset-cause register,
//! so the board keeps them in RAM that the startup code does not
//! initialise (cortex-m-rt's `.uninit`), which QEMU leaves as it was on a
//! system reset: the settings "flash" (an isocket-storage `RamFlash`, NOR
//! rules and all), the six retained words, the world outside the chip
//! (probe, contact, mains) and what the firmware knew of the coming reset.
//! A reset the firmware did not ask for is the watchdog's: nothing else on
//! this board resets it.
//!
//! The watchdog is the CMSDK APB watchdog (ARM DDI 0479C, "APB watchdog")
//! at 0x4000_8000, clocked at the 25 MHz system clock. Its first expiry
//! raises NMI, and if that is still pending at the second, it resets the
//! system. The firmware feeds it by clearing the interrupt, which reloads
//! the counter.
//!
//! Registers and no-init RAM need `unsafe`; this module keeps each use to
//! one fixed, valid, aligned address, or to the one no-init block handed
//! out once.
#![allow(unsafe_code)]

use core::mem::MaybeUninit;
use core::ptr::write_volatile;
use core::sync::atomic::{AtomicBool, Ordering};

use isocket_device::board::{RETAINED_WORDS, ResetCause};
use isocket_device::testing::console::Step;
use isocket_storage::ram_flash::RamFlash;

/// The settings flash: two 4 KiB sectors.
pub const FLASH_SIZE: usize = 8 * 1024;
pub type Flash = RamFlash<FLASH_SIZE>;

const MAGIC: u32 = 0x150C_0E40;
/// Why the coming reset happens, as the firmware recorded it.
const NEXT_NONE: u32 = 0;
const NEXT_POWER_ON: u32 = 1;
const NEXT_OTHER: u32 = 2;

/// The world outside the chip: it does not change when the chip resets.
#[derive(Clone, Copy)]
pub struct World {
    /// The last `temp` step.
    pub temp: Step,
    pub contact_closed: bool,
    pub mains_present: bool,
}

impl World {
    const fn new() -> Self {
        World {
            // 20 °C until a `temp` step says otherwise.
            temp: Step::Temp(Some(20 * 16)),
            contact_closed: false,
            mains_present: true,
        }
    }
}

/// What the board keeps in no-init RAM besides the flash.
pub struct Kept {
    next: u32,
    /// The device's retained words.
    pub retained: [u32; RETAINED_WORDS],
    pub world: World,
}

/// Everything in no-init RAM.
struct NoInit {
    magic: u32,
    kept: Kept,
    flash: Flash,
}

#[unsafe(link_section = ".uninit.isocket")]
static mut NO_INIT: MaybeUninit<NoInit> = MaybeUninit::uninit();
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The no-init state, the flash and the cause of this boot; `None` after
/// the first call.
pub fn take() -> Option<(&'static mut Kept, &'static mut Flash, ResetCause)> {
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: handed out once (the flag above), so no other reference
    // exists. The block is valid once the magic is set: its fields are
    // plain data written whole below before the magic.
    let block = unsafe { &mut *core::ptr::addr_of_mut!(NO_INIT) };
    let magic = unsafe { core::ptr::addr_of!((*block.as_ptr()).magic).read_volatile() };
    if magic != MAGIC {
        // QEMU just started: RAM is zero. A power-on, with erased flash.
        block.write(NoInit {
            magic: MAGIC,
            kept: Kept {
                next: NEXT_POWER_ON,
                retained: [0; RETAINED_WORDS],
                world: World::new(),
            },
            flash: Flash::new(),
        });
    }
    // SAFETY: initialised now, or by a previous boot (the magic says so).
    let NoInit { kept, flash, .. } = unsafe { block.assume_init_mut() };
    let cause = match core::mem::replace(&mut kept.next, NEXT_NONE) {
        NEXT_POWER_ON => ResetCause::PowerOn,
        NEXT_OTHER => ResetCause::Other,
        _ => ResetCause::Watchdog,
    };
    Some((kept, flash, cause))
}

impl Kept {
    /// The reset button, or the firmware's own reboot.
    pub fn reset(&mut self) -> ! {
        self.next = NEXT_OTHER;
        cortex_m::peripheral::SCB::sys_reset()
    }

    /// Power comes back after a cut: RAM-held words are gone (this board
    /// has no battery-backed domain); the flash and the world stay.
    pub fn power_on(&mut self) -> ! {
        self.retained = [0; RETAINED_WORDS];
        self.next = NEXT_POWER_ON;
        cortex_m::peripheral::SCB::sys_reset()
    }
}

const WATCHDOG: usize = 0x4000_8000;
const LOAD: usize = 0x00;
const CONTROL: usize = 0x08;
const INTCLR: usize = 0x0C;
const LOCK: usize = 0xC00;
const UNLOCK: u32 = 0x1ACC_E551;
/// CONTROL: the interrupt (NMI) and the reset on a second expiry.
const INTEN: u32 = 1 << 0;
const RESEN: u32 = 1 << 1;

fn watchdog_write(register: usize, value: u32) {
    // SAFETY: a CMSDK APB watchdog register of this board.
    unsafe { write_volatile((WATCHDOG + register) as *mut u32, value) }
}

/// Arms the watchdog: NMI after `ms` without a feed, the reset `ms` later.
pub fn watchdog_start(ms: u32, cpu_hz: u32) {
    watchdog_write(LOCK, UNLOCK);
    watchdog_write(LOAD, ms.saturating_mul(cpu_hz / 1000));
    watchdog_write(CONTROL, INTEN | RESEN);
    watchdog_write(LOCK, 0);
}

/// Feeds it: clears the interrupt and reloads the counter.
pub fn watchdog_feed() {
    watchdog_write(LOCK, UNLOCK);
    watchdog_write(INTCLR, 1);
    watchdog_write(LOCK, 0);
}
