//! The simulator's board: the device loop (`isocket_device::Device`) on a
//! `Board` whose modem UART is the emulated modem of
//! `isocket_modem::testing`, whose inputs, probe and store are the
//! simulated world's, in virtual time. Phones and network act on the
//! modem; the contact, button, mains and probe on the board's inputs.

use isocket_device::board::{Board, Inputs, Levels, RETAINED_WORDS, ResetCause};
use isocket_device::{Device, Output, Turn};
use isocket_engine::{Action, BoardInfo, ButtonEvent, Event};
use isocket_modem::profile;
use isocket_modem::testing::{FarEnd, ScriptedModem};
use isocket_proto::{PhoneNumber, Probe, UssdCode};
use isocket_storage::ram_flash::RamFlashError;
use isocket_storage::{Error, Kind, NorFlashStore, RamFlash, RamStore, Store};

use super::START_SIGNAL_DBM;
use crate::scenario::ProbeSetting;

/// The boards' store on a RAM flash: two 4 KiB sectors, as on the boards.
pub(super) type FlashStore = NorFlashStore<RamFlash<8192>>;

/// Where the simulated board keeps its settings.
pub(super) enum Records {
    /// Encoded records, as they are.
    Ram(Box<RamStore>),
    /// The boards' `NorFlashStore` on a RAM flash.
    Flash(Box<FlashStore>),
}

/// The simulated board's store: its records, and a switch that makes
/// every save fail (the scenario's `storage fail`).
pub(super) struct SimStore {
    pub(super) records: Records,
    pub(super) fail: bool,
}

/// Why a simulated save failed.
#[derive(Debug)]
pub(super) enum StoreFailure {
    /// The scenario said so.
    Refused,
    /// The RAM flash refused the operation.
    Flash,
}

impl Store for SimStore {
    type Error = StoreFailure;

    fn read_bytes(
        &mut self,
        kind: Kind,
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error<StoreFailure>> {
        match &mut self.records {
            Records::Ram(store) => store
                .read_bytes(kind, buf)
                .map_err(|e| e.map_device(|never| match never {})),
            Records::Flash(store) => store
                .read_bytes(kind, buf)
                .map_err(|e| e.map_device(|_: RamFlashError| StoreFailure::Flash)),
        }
    }

    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<StoreFailure>> {
        if self.fail {
            return Err(Error::Device(StoreFailure::Refused));
        }
        match &mut self.records {
            Records::Ram(store) => store
                .write_bytes(kind, bytes)
                .map_err(|e| e.map_device(|never| match never {})),
            Records::Flash(store) => store
                .write_bytes(kind, bytes)
                .map_err(|e| e.map_device(|_: RamFlashError| StoreFailure::Flash)),
        }
    }
}

/// The emulated modem, the board around the device, and what has been
/// read off them.
pub(super) struct AtLink {
    pub(super) modem: ScriptedModem,
    dialled: usize,
    ussd: usize,
    pub(super) hung_up_seen: bool,
    /// AT lines, kept once [`super::Simulator::trace_at`] asked for them.
    pub(super) trace: Option<Vec<String>>,
    /// Virtual time, ms.
    now: u64,
    /// The pins as the world sets them.
    pub(super) inputs: Inputs,
    /// A short press waits for the next turns: down, then up.
    press: bool,
    pub(super) probe: ProbeSetting,
    pub(super) store: SimStore,
    retained: [u32; RETAINED_WORDS],
    /// What the chip will say at the next boot.
    cause: ResetCause,
    /// What the device did since the last exchange.
    outputs: Vec<Output>,
    /// The modem's power pin as last set (the emulated modem starts on).
    modem_power: bool,
    /// Bytes from the modem not yet taken by the device.
    rx: std::collections::VecDeque<u8>,
    /// Bytes moved by the last turn.
    moved: bool,
}

impl AtLink {
    pub(super) fn new(records: Records) -> Self {
        let mut modem = ScriptedModem::new(1);
        modem.far_end = FarEnd::Manual;
        modem.ussd_answer = None;
        modem.signal_dbm = Some(START_SIGNAL_DBM);
        AtLink {
            modem,
            dialled: 0,
            ussd: 0,
            hung_up_seen: false,
            trace: None,
            now: 0,
            inputs: Inputs::default(),
            press: false,
            probe: ProbeSetting::Reads(20 * 16),
            store: SimStore {
                records,
                fail: false,
            },
            retained: [0; RETAINED_WORDS],
            cause: ResetCause::Other,
            outputs: Vec::new(),
            modem_power: true,
            rx: std::collections::VecDeque::new(),
            moved: false,
        }
    }

    /// Boots a device on this board at `now`: after a power cut
    /// (`power_on`), or a reset.
    pub(super) fn boot(&mut self, board: BoardInfo, power_on: bool, now: u64) -> Device {
        self.now = now;
        self.cause = if power_on {
            ResetCause::PowerOn
        } else {
            ResetCause::Other
        };
        self.inputs.button_pressed = false;
        self.press = false;
        Device::boot(self, board, &profile::SIM800)
    }

    /// A world event: phones and network act on the modem, the rest on
    /// the board's inputs.
    pub(super) fn feed(&mut self, now: u64, event: Event<'_>) {
        let modem = &mut self.modem;
        modem.advance_to(now);
        match event {
            Event::SmsReceived {
                from,
                text,
                sent_at,
                ..
            } => {
                if let Some(t) = sent_at {
                    modem.deliver_at(from, text, t.datetime());
                }
            }
            Event::IncomingCall { from, .. } => modem.ring(from),
            Event::CallAnswered => modem.answer_call(),
            Event::CallRejected | Event::CallEnded => modem.reject_call(),
            Event::UssdAnswer(text) => modem.ussd_reply(text),
            Event::NetworkRegistered => modem.set_registered(true),
            Event::NetworkLost => modem.set_registered(false),
            Event::Signal(dbm) => modem.set_signal(dbm),
            Event::NetworkTime(t) => modem.network_time(t.datetime()),
            Event::Modem(health) => {
                modem.silent = health == isocket_engine::ModemHealth::ModemError;
                modem.set_sim_ready(health != isocket_engine::ModemHealth::SimError);
            }
            Event::InputContact(closed) => self.inputs.contact_closed = closed,
            Event::Button(ButtonEvent::ShortPress) => self.press = true,
            Event::Button(ButtonEvent::LongPressReached) => self.inputs.button_pressed = true,
            Event::Button(ButtonEvent::LongPressReleased) => self.inputs.button_pressed = false,
            Event::MainsLost => self.inputs.mains_present = false,
            Event::MainsRestored => self.inputs.mains_present = true,
            // The device asks the board for these itself, or they are the
            // modem's to report.
            Event::Temperature(_)
            | Event::Saved { .. }
            | Event::IncomingCallEnded
            | Event::UssdFailed
            | Event::SmsSent
            | Event::SmsFailed => {}
        }
    }

    /// Turns the device until it and the modem are quiet at `now`; returns
    /// the device's outputs and the modem's observations as actions.
    pub(super) fn exchange(&mut self, device: &mut Device, now: u64) -> Vec<Action> {
        self.now = now;
        self.modem.advance_to(now);
        let mut actions = Vec::new();
        for _ in 0..10_000 {
            if self.press && !self.inputs.button_pressed {
                self.inputs.button_pressed = true;
            } else if self.press {
                self.inputs.button_pressed = false;
                self.press = false;
            }
            self.moved = false;
            let turn = device.turn(self);
            let outputs = std::mem::take(&mut self.outputs);
            // Bytes moved, outputs, a press half done, or something due
            // already (what an input set off goes out at the next turn).
            let busy =
                self.moved || !outputs.is_empty() || self.press || device.poll_timeout() <= now;
            actions.extend(outputs.into_iter().filter_map(output_action));
            if turn == Turn::Reboot || !busy {
                break;
            }
        }
        for (to, text) in self.modem.take_sent() {
            if let Some(to) = PhoneNumber::parse(&to) {
                let text = isocket_engine::SmsText::try_from(text.as_str()).unwrap_or_default();
                actions.push(Action::SendSms { to, text });
            }
        }
        for number in self.modem.dialled.iter().skip(self.dialled) {
            actions.extend(PhoneNumber::parse(number).map(Action::Dial));
        }
        self.dialled = self.modem.dialled.len();
        for code in self.modem.ussd_requests.iter().skip(self.ussd) {
            actions.extend(UssdCode::parse(code).map(Action::SendUssd));
        }
        self.ussd = self.modem.ussd_requests.len();
        if self.modem.hung_up_incoming && !self.hung_up_seen {
            self.hung_up_seen = true;
            actions.push(Action::HangUp);
        }
        actions
    }
}

impl Board for AtLink {
    type Store = SimStore;
    /// The world's levels change only at its events: nothing to debounce.
    const DEBOUNCED: bool = true;

    fn now_ms(&mut self) -> u64 {
        self.now
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        if self.rx.is_empty() {
            let rx = self.modem.read();
            keep_lines(&mut self.trace, "< ", &rx);
            self.rx.extend(rx);
        }
        let mut n = 0;
        for (slot, byte) in buf
            .iter_mut()
            .zip(std::iter::from_fn(|| self.rx.pop_front()))
        {
            *slot = byte;
            n += 1;
        }
        self.moved |= n > 0;
        n
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        keep_lines(&mut self.trace, "> ", bytes);
        self.modem.write(bytes);
        self.moved = true;
    }

    fn inputs(&mut self) -> Inputs {
        self.inputs
    }

    fn set_levels(&mut self, levels: &Levels) {
        // The modem's power pin reaches the emulated modem: an edge
        // switches it (and a power cycle reboots it).
        if levels.modem_power != self.modem_power {
            self.modem_power = levels.modem_power;
            self.modem.power_pin(levels.modem_power);
        }
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        // The world answers at once: the conversion is done by the next turn.
        Ok(now_ms)
    }

    fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> {
        Some(self.probe.reading())
    }

    fn store(&mut self) -> Option<&mut SimStore> {
        Some(&mut self.store)
    }

    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        self.retained
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        self.retained = *words;
    }

    /// The world's battery-backed clock counts virtual seconds.
    fn rtc_seconds(&mut self) -> Option<u32> {
        u32::try_from(self.now / 1000).ok()
    }

    fn feed_watchdog(&mut self) {}

    fn reboot(&mut self) {
        self.cause = ResetCause::Other;
    }

    fn log(&mut self, output: &Output) {
        self.outputs.push(output.clone());
    }
}

/// The device's outputs in the engine's words, for the one world that
/// carries them out. The probe and the store are the board's own business.
fn output_action(output: Output) -> Option<Action> {
    Some(match output {
        Output::Relay(on) => Action::SetRelay(on),
        Output::Leds(leds) => Action::SetLeds(leds),
        Output::SetClock(time) => Action::SetClock(time),
        Output::Reboot => Action::Reboot,
        Output::Shutdown => Action::Shutdown,
        // The modem's pin, probe reads, saves, and the SMS and calls the
        // modem side reports itself.
        _ => return None,
    })
}

/// Appends the non-empty lines of `bytes` to `trace`, if it is kept.
fn keep_lines(trace: &mut Option<Vec<String>>, prefix: &str, bytes: &[u8]) {
    if let Some(trace) = trace {
        let text = String::from_utf8_lossy(bytes);
        // Ctrl-Z ends a PDU, ESC abandons one: shown by name.
        let text = text
            .replace('\u{1a}', "<Ctrl-Z>")
            .replace('\u{1b}', "<ESC>");
        trace.extend(
            text.split(['\r', '\n'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| format!("{prefix}{l}")),
        );
    }
}
