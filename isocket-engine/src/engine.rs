//! The engine: state, event handling, timers and the action queue.

use core::fmt::Write;
use core::time::Duration;

use heapless::{Deque, String};
use isocket_proto::{
    Command, FrameError, Kind, ParseError, PhoneNumber, Probe, Reply, RingAction, RingConfirm,
    Status, Timestamp, frame,
};

use crate::clock::Clock;
use crate::io::{Action, BoardInfo, Boot, ButtonEvent, Event, Record, SmsText};
use crate::relay::{Change, Relay};
use crate::security::{ErrorBudget, Lockout};
use crate::settings::{AlarmLog, Settings, Stored};
use crate::time::{Instant, mins, secs};

/// How long the configuration window stays open (SPEC §4).
pub const CONFIGURATION_WINDOW: Duration = mins(30);
/// Delay before the RINGCONFIRM=CALL call-back (SPEC §7).
pub const CALLBACK_DELAY: Duration = secs(10);
/// How long the call-back rings before the device hangs up (SPEC §7).
pub const CALLBACK_RING: Duration = secs(15);
/// How long the engine waits for a probe reading before answering `Sensor error!`.
pub const MEASUREMENT_TIMEOUT: Duration = secs(3);
/// How long CREDIT and SIMCARD wait for the network's answer (SPEC §14).
pub const USSD_TIMEOUT: Duration = secs(30);

/// Actions waiting for the board.
const ACTION_QUEUE: usize = 16;
/// SMS that arrive while a settings save is in flight wait here.
const HELD_SMS: usize = 4;
/// Replies waiting for the probe.
const WAITING_FOR_PROBE: usize = 4;
/// The longest SMS text held while a save is in flight (30 characters of up to 4 bytes).
const HELD_TEXT_LEN: usize = 4 * isocket_proto::MAX_COMMAND_CHARS;

/// A settings change waiting for storage to confirm it (SPEC §3: confirm
/// only once durable; on failure, keep what storage holds).
#[derive(Debug, Clone)]
struct PendingSave {
    backup: Settings,
    requester: Option<PhoneNumber>,
    confirmation: Option<SmsText>,
    conf: bool,
}

#[derive(Debug, Clone)]
struct HeldSms {
    from: Option<PhoneNumber>,
    text: String<HELD_TEXT_LEN>,
    sent_at: Option<Timestamp>,
}

/// Which reply waits for a probe reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeUse {
    Status,
    Temperature,
}

#[derive(Debug, Clone)]
struct CallBack {
    at: Instant,
    to: PhoneNumber,
}

#[derive(Debug, Clone)]
struct OutgoingCall {
    ring_until: Instant,
}

#[derive(Debug, Clone)]
struct PendingUssd {
    requester: PhoneNumber,
    deadline: Instant,
}

/// The device, as a sans-IO state machine.
///
/// Feed it [`Event`]s with [`Engine::handle`] and expired deadlines with
/// [`Engine::handle_timeout`]; after each call, drain [`Engine::poll_action`]
/// and sleep until [`Engine::poll_timeout`]. It never blocks, never reads a
/// clock and never allocates.
#[derive(Debug)]
pub struct Engine {
    pub(crate) board: BoardInfo,
    pub(crate) settings: Settings,
    pub(crate) alarm_log: AlarmLog,
    pub(crate) relay: Relay,
    pub(crate) clock: Clock,
    last_conf_at: Instant,
    lockout: Lockout,
    errors: ErrorBudget,
    pub(crate) signal_dbm: Option<i16>,
    pub(crate) registered: bool,
    pending_save: Option<PendingSave>,
    held_sms: Deque<HeldSms, HELD_SMS>,
    probe_waiters: Deque<(PhoneNumber, ProbeUse), WAITING_FOR_PROBE>,
    measuring_until: Option<Instant>,
    callback: Option<CallBack>,
    outgoing_call: Option<OutgoingCall>,
    ussd: Option<PendingUssd>,
    queue: Deque<Action, ACTION_QUEUE>,
    dropped_actions: u32,
}

/// The result of a command that did not fail.
// Returned by value once per command; boxing the text would need a heap.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome {
    /// Reply with this text; `always` replies ignore SMSCONFIRM=OFF.
    Reply { text: SmsText, always: bool },
    /// The reply comes later (a probe reading, a USSD answer).
    Deferred,
}

/// A command that failed, with the error reply SPEC §3 gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    IncorrectValue,
    ListFull,
    ExecuteError,
    SecListNotActive,
}

impl Failure {
    fn reply(self) -> Reply<'static> {
        match self {
            Failure::IncorrectValue => Reply::IncorrectValue,
            Failure::ListFull => Reply::ListFull,
            Failure::ExecuteError => Reply::ExecuteError,
            Failure::SecListNotActive => Reply::SecListNotActive,
        }
    }
}

/// Renders a reply into an SMS text. Replies are bounded by design and fit;
/// outside text (a USSD answer) is cut at the buffer's end.
pub(crate) fn render(reply: &Reply<'_>) -> SmsText {
    let mut text = SmsText::new();
    let mut cut = Truncating(&mut text);
    let _ = write!(cut, "{reply}");
    text
}

/// A writer that keeps what fits instead of failing.
struct Truncating<'a>(&'a mut SmsText);

impl Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for c in s.chars() {
            if self.0.push(c).is_err() {
                break;
            }
        }
        Ok(())
    }
}

impl Engine {
    /// Boots the device from what storage holds, at monotonic time `now`.
    ///
    /// The relay returns to its saved base state (SPEC §13); the clock
    /// resumes from the battery-backed clock if it holds a time.
    pub fn new(board: BoardInfo, stored: Stored, boot: Boot, now: Instant) -> Self {
        let mut clock = Clock::default();
        if let Some(time) = boot.clock {
            clock.set(now, time);
        }
        let mut engine = Engine {
            board,
            settings: stored.settings,
            alarm_log: stored.alarm_log,
            relay: Relay::new(stored.relay_on, now),
            clock,
            last_conf_at: now,
            lockout: Lockout::default(),
            errors: ErrorBudget::default(),
            signal_dbm: None,
            registered: false,
            pending_save: None,
            held_sms: Deque::new(),
            probe_waiters: Deque::new(),
            measuring_until: None,
            callback: None,
            outgoing_call: None,
            ussd: None,
            queue: Deque::new(),
            dropped_actions: 0,
        };
        engine.push(Action::SetRelay(stored.relay_on));
        engine
    }

    /// The settings as they are now (what [`Record::Settings`] saves).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The relay's base state (what [`Record::Relay`] saves).
    pub fn relay_base_state(&self) -> bool {
        self.relay.base()
    }

    /// The alarm log (what [`Record::AlarmLog`] saves).
    pub fn alarm_log(&self) -> &AlarmLog {
        &self.alarm_log
    }

    /// Whether the relay is on now.
    pub fn relay_is_on(&self) -> bool {
        self.relay.is_on()
    }

    /// Actions lost because the board did not drain [`Engine::poll_action`]
    /// (the queue holds 16). Always 0 for a board that drains after every call.
    pub fn dropped_actions(&self) -> u32 {
        self.dropped_actions
    }

    /// The next action for the board, if any.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.queue.pop_front()
    }

    /// The next deadline: call [`Engine::handle_timeout`] then (or earlier).
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.relay.deadline(),
            self.callback.as_ref().map(|c| c.at),
            self.outgoing_call.as_ref().map(|c| c.ring_until),
            self.measuring_until,
            self.ussd.as_ref().map(|u| u.deadline),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let change = self.relay.on_timeout(now);
        self.relay_changed(change);
        if self.callback.as_ref().is_some_and(|c| c.at <= now) {
            self.start_callback(now);
        }
        if self
            .outgoing_call
            .as_ref()
            .is_some_and(|c| c.ring_until <= now)
        {
            self.outgoing_call = None;
            self.push(Action::HangUp);
        }
        if self.measuring_until.is_some_and(|t| t <= now) {
            self.answer_probe_waiters(now, Probe::SensorError);
        }
        if self.ussd.as_ref().is_some_and(|u| u.deadline <= now) {
            self.ussd_done(now, None);
        }
    }

    /// Handles one event at monotonic time `now`.
    pub fn handle(&mut self, now: Instant, event: Event<'_>) {
        self.handle_timeout(now);
        match event {
            Event::SmsReceived {
                from,
                text,
                sent_at,
            } => self.on_sms(now, PhoneNumber::parse(from), text, sent_at),
            Event::IncomingCall { from } => self.on_incoming_call(now, PhoneNumber::parse(from)),
            Event::IncomingCallEnded => {}
            Event::CallAnswered | Event::CallRejected => {
                if self.outgoing_call.take().is_some() {
                    self.push(Action::HangUp);
                }
            }
            Event::CallEnded => self.outgoing_call = None,
            Event::UssdAnswer(text) => self.ussd_done(now, Some(text)),
            Event::UssdFailed => self.ussd_done(now, None),
            Event::NetworkRegistered => self.registered = true,
            Event::NetworkLost => self.registered = false,
            Event::Signal(dbm) => self.signal_dbm = dbm,
            Event::NetworkTime(time) => self.set_clock_if_unset(now, time),
            Event::Temperature(probe) => self.answer_probe_waiters(now, probe),
            Event::InputContact(_) => {}
            Event::Button(button) => self.on_button(now, button),
            Event::MainsLost | Event::MainsRestored => {}
            Event::Saved { record, ok } => self.on_saved(now, record, ok),
        }
    }

    pub(crate) fn push(&mut self, action: Action) {
        if self.queue.push_back(action).is_err() {
            self.dropped_actions = self.dropped_actions.saturating_add(1);
        }
    }

    pub(crate) fn send(&mut self, to: &PhoneNumber, text: SmsText) {
        self.push(Action::SendSms {
            to: to.clone(),
            text,
        });
    }

    /// An error reply (SPEC §3 rules 2–4): only if `allowed` and the daily budget has room.
    fn send_error(
        &mut self,
        now: Instant,
        to: Option<&PhoneNumber>,
        reply: Reply<'_>,
        allowed: bool,
    ) {
        if let Some(to) = to {
            if allowed && self.errors.try_spend(now) {
                self.send(to, render(&reply));
            }
        }
    }

    pub(crate) fn relay_changed(&mut self, change: Change) {
        if change.switched {
            self.push(Action::SetRelay(self.relay.is_on()));
        }
        if change.base_changed {
            self.push(Action::Save(Record::Relay));
        }
    }

    pub(crate) fn set_clock(&mut self, now: Instant, time: Timestamp) {
        self.clock.set(now, time);
        self.push(Action::SetClock(Some(time)));
    }

    fn set_clock_if_unset(&mut self, now: Instant, time: Timestamp) {
        if !self.clock.is_set() {
            self.set_clock(now, time);
        }
    }

    fn configuration_open(&self, now: Instant) -> bool {
        self.settings.is_protected() || now.since(self.last_conf_at) < CONFIGURATION_WINDOW
    }

    /// SPEC §2–§3: who gets which reply, in the order the rules are given.
    fn on_sms(
        &mut self,
        now: Instant,
        from: Option<PhoneNumber>,
        text: &str,
        sent_at: Option<Timestamp>,
    ) {
        if let Some(time) = sent_at {
            self.set_clock_if_unset(now, time);
        }
        let sender = from.as_ref();
        // 1. Over 30 characters: nothing at all. A locked-out number: ignored.
        if frame(None, text) == Err(FrameError::TooLong) || self.lockout.is_locked(sender, now) {
            return;
        }
        if self.pending_save.is_some() {
            self.hold_sms(from, text, sent_at);
            return;
        }
        // 2. Not on the active SECLIST.
        let trusted = self.settings.is_trusted(sender);
        if self.settings.sec_list_on && !trusted {
            let allowed = self.settings.sms_confirm_unauth;
            self.send_error(now, sender, Reply::AccessDenied, allowed);
            return;
        }
        // 3. Wrong or missing password.
        let command_text = match frame(self.settings.password.as_ref(), text) {
            Ok(command_text) => command_text,
            Err(_) => {
                self.lockout.record_failure(sender, now);
                let allowed =
                    self.settings.error_replies && (trusted || self.settings.sms_confirm_unauth);
                self.send_error(now, sender, Reply::InvalidPassword, allowed);
                return;
            }
        };
        // 4. Errors.
        let allowed = self.settings.error_replies;
        let command = match command_text.parse::<Command>() {
            Ok(command) => command,
            Err(ParseError::UnknownCommand) => {
                return self.send_error(now, sender, Reply::UnknownCommand(command_text), allowed);
            }
            Err(_) => return self.send_error(now, sender, Reply::IncorrectValue, allowed),
        };
        let conf = command.kind() == Kind::Conf;
        if conf && !self.configuration_open(now) {
            let reply = Reply::ConfigurationExpired(command_text);
            return self.send_error(now, sender, reply, allowed);
        }
        // 5. Success.
        let before = self.settings.clone();
        match self.execute(now, sender, &command, sent_at) {
            Err(failure) => {
                self.settings = before;
                self.send_error(now, sender, failure.reply(), allowed);
            }
            Ok(outcome) => {
                let confirmation = match outcome {
                    Outcome::Reply { text, always } => {
                        // SMSCONFIRM applies from the next command; its own change is always confirmed.
                        let confirm = always
                            || before.sms_confirm
                            || matches!(command, Command::SmsConfirm(_));
                        confirm.then_some(text)
                    }
                    Outcome::Deferred => None,
                };
                self.commit(now, before, from, confirmation, conf);
            }
        }
    }

    /// Sends the confirmation now, or once the settings are durable if they changed.
    fn commit(
        &mut self,
        now: Instant,
        before: Settings,
        requester: Option<PhoneNumber>,
        confirmation: Option<SmsText>,
        conf: bool,
    ) {
        if self.settings == before {
            if conf {
                self.last_conf_at = now;
            }
            if let (Some(to), Some(text)) = (requester, confirmation) {
                self.send(&to, text);
            }
            return;
        }
        self.pending_save = Some(PendingSave {
            backup: before,
            requester,
            confirmation,
            conf,
        });
        self.push(Action::Save(Record::Settings));
    }

    fn on_saved(&mut self, now: Instant, record: Record, ok: bool) {
        if record != Record::Settings {
            return;
        }
        let Some(pending) = self.pending_save.take() else {
            return;
        };
        if ok {
            if pending.conf {
                self.last_conf_at = now;
            }
            if let (Some(to), Some(text)) = (pending.requester, pending.confirmation) {
                self.send(&to, text);
            }
        } else {
            self.settings = pending.backup;
            let allowed = self.settings.error_replies;
            self.send_error(
                now,
                pending.requester.as_ref(),
                Reply::ExecuteError,
                allowed,
            );
        }
        self.release_held_sms(now);
    }

    fn hold_sms(&mut self, from: Option<PhoneNumber>, text: &str, sent_at: Option<Timestamp>) {
        // `frame` accepted the length, so the trimmed text fits.
        let Ok(text) = String::try_from(text.trim()) else {
            return;
        };
        if self
            .held_sms
            .push_back(HeldSms {
                from,
                text,
                sent_at,
            })
            .is_err()
        {
            self.dropped_actions = self.dropped_actions.saturating_add(1);
        }
    }

    fn release_held_sms(&mut self, now: Instant) {
        while self.pending_save.is_none() {
            let Some(held) = self.held_sms.pop_front() else {
                return;
            };
            self.on_sms(now, held.from, &held.text, held.sent_at);
        }
    }

    /// STATUS and TEMPERATURE answer with a fresh reading (SPEC §6).
    pub(crate) fn wait_for_probe(&mut self, now: Instant, to: &PhoneNumber, usage: ProbeUse) {
        if self.probe_waiters.push_back((to.clone(), usage)).is_err() {
            return;
        }
        if self.measuring_until.is_none() {
            self.measuring_until = Some(now + MEASUREMENT_TIMEOUT);
            self.push(Action::MeasureTemperature);
        }
    }

    fn answer_probe_waiters(&mut self, now: Instant, probe: Probe) {
        self.measuring_until = None;
        while let Some((to, usage)) = self.probe_waiters.pop_front() {
            let reply = match usage {
                ProbeUse::Temperature => Reply::Temperature(probe),
                ProbeUse::Status => Reply::Status(self.status(now, probe)),
            };
            self.send(&to, render(&reply));
        }
    }

    pub(crate) fn status(&self, now: Instant, probe: Probe) -> Status {
        Status {
            relay_on: self.relay.is_on(),
            signal_dbm: self.signal_dbm,
            probe,
            alarm_armed: self.settings.alarm_armed,
            alarm_activated: self.settings.alarm_activated,
            clock: self.clock.at(now),
        }
    }

    pub(crate) fn start_ussd(
        &mut self,
        now: Instant,
        requester: &PhoneNumber,
        code: isocket_proto::UssdCode,
    ) {
        self.ussd = Some(PendingUssd {
            requester: requester.clone(),
            deadline: now + USSD_TIMEOUT,
        });
        self.push(Action::SendUssd(code));
    }

    pub(crate) fn ussd_busy(&self) -> bool {
        self.ussd.is_some()
    }

    fn ussd_done(&mut self, now: Instant, answer: Option<&str>) {
        let Some(pending) = self.ussd.take() else {
            return;
        };
        match answer {
            Some(text) => self.send(&pending.requester, render(&Reply::Ussd(text))),
            None => {
                let allowed = self.settings.error_replies;
                self.send_error(now, Some(&pending.requester), Reply::ExecuteError, allowed);
            }
        }
    }

    /// SPEC §7: a call from the active SECLIST with RING set is hung up and acted on.
    fn on_incoming_call(&mut self, now: Instant, caller: Option<PhoneNumber>) {
        let Some(caller) = caller else {
            return;
        };
        if self.settings.ring == RingAction::NoAction || !self.settings.is_trusted(Some(&caller)) {
            return;
        }
        self.push(Action::HangUp);
        let reply = match self.settings.ring {
            RingAction::Restart => {
                let duration = secs(u64::from(self.settings.restart_time.get()));
                let change = self.relay.restart(now, duration);
                self.relay_changed(change);
                Reply::Restarted
            }
            _ => {
                let on = !self.relay.is_on();
                let change = self.relay.switch(now, on);
                self.relay_changed(change);
                if on { Reply::PowerOn } else { Reply::PowerOff }
            }
        };
        match self.settings.ring_confirm {
            RingConfirm::Sms => self.send(&caller, render(&reply)),
            RingConfirm::Call => {
                self.callback = Some(CallBack {
                    at: now + CALLBACK_DELAY,
                    to: caller,
                });
            }
            RingConfirm::Off => {}
        }
    }

    fn start_callback(&mut self, now: Instant) {
        if self.outgoing_call.is_some() {
            // Another call is under way: try again shortly.
            if let Some(callback) = self.callback.as_mut() {
                callback.at = now + secs(1);
            }
            return;
        }
        let Some(callback) = self.callback.take() else {
            return;
        };
        self.outgoing_call = Some(OutgoingCall {
            ring_until: now + CALLBACK_RING,
        });
        self.push(Action::Dial(callback.to));
    }

    /// SPEC §8: a short press toggles the relay; a hold of 10 s resets to factory state.
    fn on_button(&mut self, now: Instant, button: ButtonEvent) {
        match button {
            ButtonEvent::ShortPress => {
                let on = !self.relay.is_on();
                let change = self.relay.switch(now, on);
                self.relay_changed(change);
            }
            ButtonEvent::HoldReached => {}
            ButtonEvent::LongRelease => self.factory_reset(now),
        }
    }

    /// SPEC §16: everything back to factory state, saved, then a reboot.
    fn factory_reset(&mut self, now: Instant) {
        self.pending_save = None;
        self.held_sms.clear();
        self.settings = Settings::default();
        self.alarm_log.clear();
        self.clock.clear();
        let change = self.relay.switch(now, false);
        if change.switched {
            self.push(Action::SetRelay(false));
        }
        self.push(Action::Save(Record::Settings));
        self.push(Action::Save(Record::Relay));
        self.push(Action::Save(Record::AlarmLog));
        self.push(Action::SetClock(None));
        self.push(Action::Reboot);
    }
}
