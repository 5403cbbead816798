//! The simulated world around one engine: phones, network, probe, alarm
//! input, button, mains, storage, a battery-backed clock and virtual time.
//!
//! Two devices under test: the engine alone (the default, exact to the
//! millisecond), or, with [`Simulator::through_at`], the whole device loop
//! (`isocket_device::Device`) on a simulated board (module `at`, an
//! `isocket_device::Board` like every real one): the real modem driver
//! talks AT to the emulated modem of `isocket_modem::testing`, phones and
//! network act on the modem, the contact, button, mains and probe on the
//! board's inputs, and the device's outputs are handled by the device, as
//! on hardware.
//!
//! `reboot` and `power restored` build a new engine (or device) from what
//! the simulated storage holds, so RAM state is really lost and persistence
//! is exercised. The storage is the engine's records kept as they are
//! (engine alone), the board's `RamStore` (through AT), or, with
//! [`Simulator::through_at_and_flash`], the `NorFlashStore` the boards use,
//! on a RAM flash of two 4 KiB sectors (the boards' size): every save is
//! encoded and written, every boot decodes what the flash holds. Through
//! AT, a reboot is the board's reset and a power cut its power-on, with the
//! retained words and the battery-backed clock the board keeps.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone};
use isocket_engine::{
    Action, BoardInfo, Boot, BootReason, ButtonEvent, Engine, Event, Instant, Leds, Record, Stored,
};
use isocket_proto::{Probe, Timestamp};

use isocket_device::testing::console;
use isocket_device::{Device, Output, store};
use isocket_storage::{NorFlashStore, RamFlash};

mod at;

use at::{AtLink, Records};

use crate::scenario::{Led, ProbeSetting, Step};

/// How long an incoming call rings before the caller gives up (SCENARIOS.md).
pub const INCOMING_RING: Duration = Duration::from_secs(30);
/// The button hold that resets the device (SPEC §8).
pub const RESET_HOLD: Duration = Duration::from_secs(10);
/// The signal a fresh scenario starts with.
pub const START_SIGNAL_DBM: i16 = -67;

/// An SMS the network accepted from the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    /// Recipient, digits only.
    pub to: String,
    /// Text.
    pub text: String,
}

#[derive(Debug, Clone)]
struct IncomingCall {
    gives_up_at: Instant,
}

/// What the engine's follow-up requests produce, fed back in order.
#[derive(Debug, Clone, Copy)]
enum FollowUp {
    /// The network took an SMS (engine-only: the device loop reports its own).
    SmsSent,
    Temperature(Probe),
    Saved(Record, bool),
    Reboot,
    /// The device hung up a ringing call: it is over (the modem driver
    /// reports it once `ATH` is answered).
    IncomingCallEnded,
}

/// The simulated device and world.
pub struct Simulator {
    now: Instant,
    world: (Instant, DateTime<FixedOffset>),
    dut: Option<Dut>,
    /// The board with the emulated modem, in through-AT mode; it keeps its
    /// SIM and its store across reboots.
    at: Option<AtLink>,
    board: BoardInfo,
    /// The engine's records, kept as they are (engine-only mode).
    storage: Stored,
    saves_fail: bool,
    mains: bool,
    rtc: Option<(Instant, Timestamp)>,
    probe: ProbeSetting,
    registered: bool,
    signal_dbm: Option<i16>,
    undelivered: Vec<SentSms>,
    sent: VecDeque<SentSms>,
    placed_calls: VecDeque<String>,
    current_call: Option<String>,
    ringing_out: Option<String>,
    incoming: Option<IncomingCall>,
    hung_up_incoming: bool,
    ussd_requests: VecDeque<String>,
    relay_on: bool,
    leds: Option<Leds>,
    shut_down: bool,
    booted: bool,
    log: Vec<(Duration, String)>,
}

/// Digits only: how the device and the expectations name a number.
pub fn digits(number: &str) -> &str {
    number.strip_prefix('+').unwrap_or(number)
}

/// The type of address a phone gives its number with: international with
/// a `+`, unknown (as dialled) without, as a network reports them.
fn toa_of(number: &str) -> u8 {
    match number.starts_with('+') {
        true => isocket_engine::toa::INTERNATIONAL,
        false => isocket_engine::toa::UNKNOWN,
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator {
    /// A factory-fresh device booted at uptime 0 (SCENARIOS.md "Start").
    pub fn new() -> Self {
        Self::build(None)
    }

    /// The same, with the device loop and the real modem driver talking AT
    /// to the emulated modem.
    pub fn through_at() -> Self {
        Self::build(Some(AtLink::new(Records::Ram(Box::default()))))
    }

    /// Through AT as [`Simulator::through_at`], and the engine's records
    /// saved to and loaded from the boards' `NorFlashStore` on a RAM flash.
    pub fn through_at_and_flash() -> Result<Self, String> {
        let flash = NorFlashStore::open(RamFlash::<8192>::new(), 0..8192)
            .map_err(|e| format!("the RAM flash store does not open: {e:?}"))?;
        Ok(Self::build(Some(AtLink::new(Records::Flash(Box::new(
            flash,
        ))))))
    }

    fn build(at: Option<AtLink>) -> Self {
        let world_start = FixedOffset::east_opt(0)
            .and_then(|utc| utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single())
            .unwrap_or_default();
        let mut sim = Simulator {
            now: Instant::from_millis(0),
            world: (Instant::from_millis(0), world_start),
            dut: None,
            at,
            board: BoardInfo {
                product: "isocket host-simulator",
                serial: "SIM-0001".try_into().unwrap_or_default(),
            },
            storage: Stored::default(),
            saves_fail: false,
            mains: true,
            rtc: None,
            probe: ProbeSetting::Reads(20 * 16),
            registered: true,
            signal_dbm: Some(START_SIGNAL_DBM),
            undelivered: Vec::new(),
            sent: VecDeque::new(),
            placed_calls: VecDeque::new(),
            current_call: None,
            ringing_out: None,
            incoming: None,
            hung_up_incoming: false,
            ussd_requests: VecDeque::new(),
            relay_on: false,
            leds: None,
            shut_down: false,
            booted: false,
            log: Vec::new(),
        };
        sim.boot(BootReason::Reset);
        sim
    }

    /// Virtual time since the scenario started.
    pub fn uptime(&self) -> Duration {
        Duration::from_millis(self.now.as_millis())
    }

    /// The world clock now.
    pub fn world_time(&self) -> DateTime<FixedOffset> {
        let (anchor, start) = self.world;
        let elapsed = TimeDelta::milliseconds(
            i64::try_from(self.now.since(anchor).as_millis()).unwrap_or(i64::MAX),
        );
        start + elapsed
    }

    /// What happened since the last call, one line per device output, with
    /// the uptime it happened at.
    pub fn take_log(&mut self) -> Vec<(Duration, String)> {
        std::mem::take(&mut self.log)
    }

    fn note(&mut self, entry: String) {
        self.log.push((self.uptime(), entry));
    }

    /// Every SMS the network accepted and nobody consumed yet, consuming them.
    pub fn drain_sent(&mut self) -> Vec<SentSms> {
        self.sent.drain(..).collect()
    }

    /// The running engine (`None` while shut down).
    fn engine(&self) -> Option<&Engine> {
        match self.dut.as_ref()? {
            Dut::Engine(engine) => Some(engine),
            Dut::Device(device) => Some(device.bridge().engine()),
        }
    }

    /// The running engine's settings (`None` while shut down).
    pub fn settings(&self) -> Option<isocket_engine::Settings> {
        self.engine().map(|e| e.settings().clone())
    }

    /// Whether the device booted since the last call.
    pub fn take_booted(&mut self) -> bool {
        std::mem::take(&mut self.booted)
    }

    /// Through AT and flash ([`Simulator::through_at_and_flash`]): the
    /// flash image changed by `edit` (bit rot, a crafted image), as the
    /// next boot finds it.
    pub fn edit_flash(&mut self, edit: impl FnOnce(&mut [u8])) -> Result<(), String> {
        let Some(Records::Flash(store)) = self.at.as_mut().map(|at| &mut at.store.records) else {
            return Err("edit_flash needs the simulator through AT and flash".into());
        };
        let mut image = store.flash().as_bytes().to_vec();
        edit(&mut image);
        **store = NorFlashStore::open(RamFlash::from_image(&image), 0..8192)
            .map_err(|e| format!("the edited flash does not open: {e:?}"))?;
        Ok(())
    }

    /// What the simulated storage holds for the relay's base state.
    pub fn stored_relay_base(&mut self) -> bool {
        match self.at.as_mut() {
            Some(at) => store::load(&mut at.store).relay_on,
            None => self.storage.relay_on,
        }
    }

    /// Actions the engine dropped for a full queue (always 0: the simulator drains).
    pub fn dropped_actions(&self) -> u32 {
        self.engine().map_or(0, Engine::dropped_actions)
    }

    /// The relay pin as the board last set it.
    pub fn relay_is_on(&self) -> bool {
        self.relay_on
    }

    /// SMS, calls and USSD requests not consumed by an expectation.
    pub fn unconsumed(&self) -> Vec<String> {
        let sms = self
            .sent
            .iter()
            .map(|s| format!("sms to {}: {:?}", s.to, s.text));
        let calls = self.placed_calls.iter().map(|c| format!("call to {c}"));
        let ussd = self.ussd_requests.iter().map(|u| format!("ussd {u}"));
        sms.chain(calls).chain(ussd).collect()
    }

    /// Runs one step.
    pub fn run(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Advance(d) => self.advance(*d),
            Step::WorldTime(time) => self.world = (self.now, *time),
            Step::NetworkTime => {
                let time = self.world_timestamp();
                self.feed(Event::NetworkTime(time));
            }
            Step::Sms { from, text } => {
                let sent_at = Some(self.world_timestamp());
                self.feed(Event::SmsReceived {
                    from,
                    toa: toa_of(from),
                    text,
                    sent_at,
                });
            }
            Step::Call(from) => {
                self.hung_up_incoming = false;
                if let Some(at) = self.at.as_mut() {
                    at.hung_up_seen = false;
                }
                self.incoming = Some(IncomingCall {
                    gives_up_at: self.now + INCOMING_RING,
                });
                self.feed(Event::IncomingCall {
                    from,
                    toa: toa_of(from),
                });
            }
            Step::Answer | Step::Reject => {
                let call = self
                    .current_call
                    .clone()
                    .ok_or("no call: use `expect call` first")?;
                if self.ringing_out.as_deref() != Some(call.as_str()) {
                    return Err(format!("the call to {call} is no longer ringing"));
                }
                self.ringing_out = None;
                let event = if *step == Step::Answer {
                    Event::CallAnswered
                } else {
                    Event::CallRejected
                };
                self.feed(event);
            }
            Step::UssdReply(text) => self.feed(Event::UssdAnswer(text)),
            Step::Temp(setting) => {
                self.probe = *setting;
                if let Some(at) = self.at.as_mut() {
                    at.probe = *setting;
                }
            }
            Step::Input { closed } => self.feed(Event::InputContact(*closed)),
            Step::ButtonPress => self.feed(Event::Button(ButtonEvent::ShortPress)),
            Step::ButtonHold(d) if self.at.is_some() => {
                // The board's pin: down for the whole hold; the device
                // classifies it (10 s: long).
                self.feed(Event::Button(ButtonEvent::LongPressReached));
                self.advance(*d);
                self.feed(Event::Button(ButtonEvent::LongPressReleased));
            }
            Step::ButtonHold(d) => {
                if *d >= RESET_HOLD {
                    self.advance(RESET_HOLD);
                    self.feed(Event::Button(ButtonEvent::LongPressReached));
                    self.advance(*d - RESET_HOLD);
                    self.feed(Event::Button(ButtonEvent::LongPressReleased));
                } else {
                    self.advance(*d);
                    self.feed(Event::Button(ButtonEvent::ShortPress));
                }
            }
            Step::PowerLost => {
                self.mains = false;
                self.feed(Event::MainsLost);
            }
            Step::PowerRestored => {
                self.mains = true;
                if self.shut_down {
                    self.boot(BootReason::MainsRestored);
                } else {
                    self.feed(Event::MainsRestored);
                }
            }
            Step::Reboot => self.boot(BootReason::Reset),
            Step::NetworkLost => {
                self.registered = false;
                self.feed(Event::NetworkLost);
            }
            Step::NetworkBack => {
                self.registered = true;
                let delivered = self.undelivered.len();
                self.sent.extend(self.undelivered.drain(..));
                if self.at.is_none() {
                    (0..delivered).for_each(|_| self.feed_quietly(Event::SmsSent));
                }
                self.feed(Event::NetworkRegistered);
            }
            Step::Signal(dbm) => {
                self.signal_dbm = *dbm;
                self.feed(Event::Signal(*dbm));
            }
            Step::ExpectSms {
                to,
                lines,
                matching,
            } => self.expect_sms(to, lines, *matching)?,
            Step::ExpectNoSms(to) => {
                let pending: Vec<_> = match to {
                    Some(to) => self.sent.iter().filter(|s| s.to == digits(to)).collect(),
                    None => self.sent.iter().collect(),
                };
                if let Some(sms) = pending.first() {
                    return Err(format!("unexpected SMS to {}: {:?}", sms.to, sms.text));
                }
            }
            Step::ExpectCall(to) => {
                let position = self.placed_calls.iter().position(|c| c == digits(to));
                let position = position.ok_or_else(|| format!("no call to {to}"))?;
                let call = self.placed_calls.remove(position).unwrap_or_default();
                self.current_call = Some(call);
            }
            Step::ExpectNoCall => {
                if let Some(call) = self.placed_calls.front() {
                    return Err(format!("unexpected call to {call}"));
                }
            }
            Step::ExpectHangup => {
                if !self.hung_up_incoming {
                    return Err("the device did not hang up the last incoming call".into());
                }
            }
            Step::ExpectUssd(code) => match self.ussd_requests.pop_front() {
                Some(sent) if sent == *code => {}
                Some(sent) => return Err(format!("expected USSD {code}, the device sent {sent}")),
                None => return Err(format!("no USSD request (expected {code})")),
            },
            Step::ExpectRelay(on) => {
                if self.relay_on != *on {
                    return Err(format!("relay is {}", on_off(self.relay_on)));
                }
            }
            Step::ExpectLed(led, pattern) => {
                let shown = self.led(*led).unwrap_or("off");
                if shown != pattern.name() {
                    return Err(format!("LED {led:?} shows {shown}"));
                }
            }
            Step::ExpectShutdown => {
                if !self.shut_down {
                    return Err("the device has not shut down".into());
                }
            }
            Step::Storage { fail } => {
                self.saves_fail = *fail;
                if let Some(at) = self.at.as_mut() {
                    at.store.fail = *fail;
                }
            }
            Step::Modem(health) => self.feed(Event::Modem(*health)),
            Step::Hang | Step::ExpectWatchdogReset => {
                return Err("`hang` and `expect watchdog-reset` need a device with a \
                            watchdog: run them on the emulated Pico (cargo xtask pico-sim)"
                    .into());
            }
        }
        Ok(())
    }

    /// The LED patterns now, if the engine set any.
    pub fn leds(&self) -> Option<Leds> {
        self.leds
    }

    /// When the device next wants to run (a timer, an LED edge, a modem
    /// poll), as virtual time since the start.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.poll_timeout()
            .map(|at| Duration::from_millis(at.as_millis()))
    }

    /// In through-AT mode, starts keeping the AT traffic (`> ` to the
    /// modem, `< ` from it, a line each) for [`Simulator::take_at_trace`].
    pub fn trace_at(&mut self) {
        if let Some(at) = self.at.as_mut() {
            at.trace.get_or_insert_with(Vec::new);
        }
    }

    /// The AT lines kept since the last call.
    pub fn take_at_trace(&mut self) -> Vec<String> {
        self.at
            .as_mut()
            .and_then(|at| at.trace.as_mut())
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The LED pattern names now, if the engine set any.
    pub fn led(&self, led: Led) -> Option<&'static str> {
        self.leds.map(|leds| match led {
            Led::Power => leds.power.name(),
            Led::Gsm => leds.gsm.name(),
            Led::Out => leds.out.name(),
        })
    }

    fn expect_sms(&mut self, to: &str, lines: &[String], matching: bool) -> Result<(), String> {
        let position = self.sent.iter().position(|s| s.to == digits(to));
        let sms = position
            .and_then(|i| self.sent.remove(i))
            .ok_or_else(|| format!("no SMS to {to}"))?;
        let same = crate::scenario::sms_matches(&sms.text, lines, matching);
        if same {
            Ok(())
        } else {
            // Put it back so the failure report lists it.
            self.sent.insert(position.unwrap_or(0), sms.clone());
            Err(format!(
                "SMS to {to} was {:?}, expected {:?}",
                sms.text,
                lines.join("\n")
            ))
        }
    }

    /// Lets virtual time pass, running every timer inside the interval in order.
    pub fn advance(&mut self, duration: Duration) {
        let end = self.now + duration;
        loop {
            let engine_due = self.poll_timeout();
            let caller_gives_up = self.incoming.as_ref().map(|c| c.gives_up_at);
            let next = [engine_due, caller_gives_up].into_iter().flatten().min();
            match next {
                Some(at) if at <= end => {
                    self.now = self.now.max(at);
                    if caller_gives_up.is_some_and(|t| t <= self.now) {
                        self.incoming = None;
                        self.feed(Event::IncomingCallEnded);
                    }
                    let now = self.now;
                    self.handle_timeout(now);
                    self.pump(VecDeque::new());
                    // A deadline that does not move would loop for ever; time must advance.
                    let still_due = self.poll_timeout();
                    if still_due.is_some_and(|t| t <= now) {
                        self.now = now + Duration::from_millis(1);
                    }
                }
                _ => break,
            }
        }
        self.now = self.now.max(end);
    }

    fn world_timestamp(&self) -> Timestamp {
        let time = self.world_time();
        let whole_seconds =
            time - TimeDelta::nanoseconds(i64::from(chrono::Timelike::nanosecond(&time)));
        Timestamp::from_datetime(whole_seconds)
    }

    fn rtc_time(&self) -> Option<Timestamp> {
        let (at, time) = self.rtc?;
        let elapsed = TimeDelta::seconds(i64::try_from(self.now.since(at).as_secs()).ok()?);
        Some(Timestamp::from_datetime(time.datetime() + elapsed))
    }

    fn boot(&mut self, reason: BootReason) {
        let boot = Boot {
            reason,
            clock: self.rtc_time(),
        };
        let (board, stored) = (self.board.clone(), self.storage.clone());
        self.dut = Some(match self.at.as_mut() {
            None => Dut::Engine(Box::new(Engine::new(board, stored, boot, self.now))),
            Some(at) => {
                let power_on = reason == BootReason::MainsRestored;
                at.inputs.mains_present = self.mains;
                Dut::Device(Box::new(at.boot(board, power_on, self.now.as_millis())))
            }
        });
        self.shut_down = false;
        self.booted = true;
        self.note("boot".into());
        let mut events = VecDeque::new();
        if self.registered {
            self.feed_quietly(Event::NetworkRegistered);
        }
        self.feed_quietly(Event::Signal(self.signal_dbm));
        self.pump(std::mem::take(&mut events));
    }

    fn feed_quietly(&mut self, event: Event<'_>) {
        let now = self.now;
        match (self.dut.as_mut(), self.at.as_mut()) {
            (Some(Dut::Engine(engine)), _) => engine.handle(now, event),
            (Some(Dut::Device(_)), Some(at)) => at.feed(now.as_millis(), event),
            _ => {}
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match (self.dut.as_ref()?, self.at.as_ref()) {
            (Dut::Engine(engine), _) => engine.poll_timeout(),
            (Dut::Device(device), at) => {
                let modem = at.and_then(|at| at.modem.poll_timeout());
                let ms = [Some(device.poll_timeout()), modem]
                    .into_iter()
                    .flatten()
                    .min()?;
                (ms != u64::MAX).then(|| Instant::from_millis(ms))
            }
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match (self.dut.as_mut(), self.at.as_mut()) {
            (Some(Dut::Engine(engine)), _) => engine.handle_timeout(now),
            // The next exchange turns the device.
            (Some(Dut::Device(_)), Some(at)) => at.modem.advance_to(now.as_millis()),
            _ => {}
        }
    }

    /// What the device under test asks for now.
    fn next_actions(&mut self) -> Vec<Action> {
        let now = self.now.as_millis();
        let actions = match (self.dut.as_mut(), self.at.as_mut()) {
            (Some(Dut::Engine(engine)), _) => std::iter::from_fn(|| engine.poll_action()).collect(),
            (Some(Dut::Device(device)), Some(at)) => at.exchange(device, now),
            _ => Vec::new(),
        };
        // The device hung up its own call: it no longer rings.
        if let (Some(at), Some(_)) = (self.at.as_ref(), self.ringing_out.as_ref()) {
            if !at.modem.call_ringing() && !actions.iter().any(|a| matches!(a, Action::Dial(_))) {
                self.ringing_out = None;
            }
        }
        actions
    }

    /// Hands an event to the engine and carries out what it asks for.
    fn feed(&mut self, event: Event<'_>) {
        self.feed_quietly(event);
        self.pump(VecDeque::new());
    }

    fn pump(&mut self, mut follow_ups: VecDeque<FollowUp>) {
        loop {
            let actions = self.next_actions();
            let quiet = actions.is_empty();
            for action in actions {
                if let Some(follow_up) = self.carry_out(action) {
                    follow_ups.push_back(follow_up);
                }
            }
            let Some(follow_up) = follow_ups.pop_front() else {
                if quiet {
                    return;
                }
                continue;
            };
            match follow_up {
                FollowUp::SmsSent => self.feed_quietly(Event::SmsSent),
                FollowUp::Temperature(probe) => self.feed_quietly(Event::Temperature(probe)),
                FollowUp::Saved(record, ok) => self.feed_quietly(Event::Saved { record, ok }),
                FollowUp::IncomingCallEnded => self.feed_quietly(Event::IncomingCallEnded),
                FollowUp::Reboot => {
                    follow_ups.clear();
                    self.boot(BootReason::Reset);
                }
            }
        }
    }

    fn carry_out(&mut self, action: Action) -> Option<FollowUp> {
        match action {
            Action::SendSms { to, text } => {
                let sms = SentSms {
                    to: to.as_str().to_string(),
                    text: text.as_str().to_string(),
                };
                self.note(format!("sms-sent {}\n{}", sms.to, indent(&sms.text)));
                if !self.registered {
                    self.undelivered.push(sms);
                    return None;
                }
                self.sent.push_back(sms);
                if self.at.is_none() {
                    return Some(FollowUp::SmsSent);
                }
            }
            Action::Dial(to) => {
                self.note(format!("call {to}"));
                self.placed_calls.push_back(to.as_str().to_string());
                self.ringing_out = Some(to.as_str().to_string());
            }
            Action::HangUp => {
                self.note("hangup".into());
                if self.incoming.take().is_some() {
                    self.hung_up_incoming = true;
                    return Some(FollowUp::IncomingCallEnded);
                } else {
                    self.ringing_out = None;
                }
            }
            Action::SetRelay(on) => {
                if on != self.relay_on {
                    self.note(format!("relay {}", on_off(on)));
                }
                self.relay_on = on;
            }
            Action::SendUssd(code) => {
                self.note(format!("ussd {code}"));
                self.ussd_requests.push_back(code.as_str().to_string());
            }
            Action::MeasureTemperature => return Some(FollowUp::Temperature(self.probe.reading())),
            Action::Save(record) => {
                // The engine alone: its records kept as they are (the
                // device loop saves through its board's store).
                let ok = !self.saves_fail;
                if let (true, Some(engine)) = (ok, self.engine()) {
                    match record {
                        Record::Settings => self.storage.settings = engine.settings().clone(),
                        Record::Relay => self.storage.relay_on = engine.relay_base_state(),
                        Record::AlarmLog => self.storage.alarm_log = engine.alarm_log().clone(),
                    }
                }
                return Some(FollowUp::Saved(record, ok));
            }
            Action::SetClock(time) => self.rtc = time.map(|t| (self.now, t)),
            Action::SetLeds(leds) => {
                let mut lines = String::new();
                let _ = console::write_event(&mut lines, &Output::Leds(leds), &mut self.leds);
                for line in lines.lines() {
                    self.note(line.to_string());
                }
            }
            Action::Reboot => {
                self.note("reboot".into());
                return Some(FollowUp::Reboot);
            }
            Action::Shutdown => {
                self.note("shutdown".into());
                self.shut_down = true;
                self.dut = None;
            }
        }
        None
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The device under test.
enum Dut {
    /// The engine alone.
    Engine(Box<Engine>),
    /// The device loop on the simulated board, talking AT to its emulated modem.
    Device(Box<Device>),
}
