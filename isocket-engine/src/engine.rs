//! The engine: its state, event dispatch, timers and the action queue. Each
//! concern lives in its own module as an `impl Engine` block.

use core::fmt::Write;

use heapless::{Deque, Vec};
use isocket_proto::{PhoneNumber, Reply};

use crate::alarm::Alarm;
use crate::calls::Calls;
use crate::clock::Clock;
use crate::io::{
    Action, BoardInfo, Boot, BootReason, ButtonEvent, Event, ModemHealth, Record, SmsText,
};
use crate::leds::LedState;
use crate::power::Power;
use crate::relay::{Change, Relay};
use crate::security::{ErrorBudget, Guesses, Lockout};
use crate::settings::{AlarmLog, Settings, Stored};
use crate::sms::Inbox;
use crate::temperature::Probe;
use crate::time::Instant;

/// Actions other than SMS waiting for the board.
const ACTION_QUEUE: usize = 16;
/// SMS waiting for the board's modem to take them (alerts and replies
/// share the room; an alert stays until every ALERTNUMBER has it; an alert
/// makes room by dropping a waiting reply).
pub const SMS_QUEUE: usize = 4;

/// Who an SMS goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recipient {
    One(PhoneNumber),
    /// Every ALERTNUMBER, in list order.
    AlertNumbers,
}

/// An SMS waiting for the board: a reply to one number, or an alert handed
/// out to one ALERTNUMBER at a time, so that ten recipients take one text.
#[derive(Debug, Clone)]
struct Waiting {
    /// `None`: an alert, to every ALERTNUMBER from `next` on.
    to: Option<PhoneNumber>,
    next: u8,
    text: SmsText,
}

/// What the board's modem takes now ([`Engine::poll_sms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsRoom {
    /// Room for an alert.
    pub alerts: bool,
    /// Room for a reply.
    pub replies: bool,
}

impl SmsRoom {
    /// Room for any SMS: a board whose modem queue never fills.
    pub const ANY: SmsRoom = SmsRoom {
        alerts: true,
        replies: true,
    };
}

/// An SMS for the board's modem, from [`Engine::poll_sms`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// Recipient.
    pub to: PhoneNumber,
    /// Text, GSM-7 only; split into a concatenated SMS if long.
    pub text: SmsText,
    /// An alert (to an ALERTNUMBER): urgent for the modem.
    pub alert: bool,
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
    pub(crate) booted_at: Instant,
    pub(crate) lockout: Lockout,
    pub(crate) guesses: Guesses,
    /// Error replies to senders who passed the security checks.
    pub(crate) errors: ErrorBudget,
    /// `Access deny!` and `Invalid access password!`: a budget of their own,
    /// so strangers cannot use up the owner's (manual §19).
    pub(crate) refusals: ErrorBudget,
    pub(crate) registered: bool,
    pub(crate) signal_dbm: Option<i16>,
    pub(crate) modem: ModemHealth,
    pub(crate) inbox: Inbox,
    pub(crate) probe: Probe,
    pub(crate) calls: Calls,
    pub(crate) alarm: Alarm,
    pub(crate) scheduler_next: Option<Instant>,
    pub(crate) power: Power,
    pub(crate) leds: LedState,
    /// The settings did not load (manual §8, "locked"): no SMS, call,
    /// timer or input acts, nothing is sent or saved and the relay stays
    /// off, until the factory reset clears it.
    pub(crate) locked: bool,
    /// Never an SMS: those wait in `sms`.
    queue: Deque<Action<()>, ACTION_QUEUE>,
    /// SMS in the order they were queued.
    sms: Vec<Waiting, SMS_QUEUE>,
    dropped_actions: u32,
}

/// Renders a reply into an SMS text. Replies are bounded by design and fit;
/// outside text (a USSD answer) is cut at the buffer's end.
pub(crate) fn render(reply: &Reply<'_>) -> SmsText {
    let mut text = SmsText::new();
    let _ = write!(Truncating(&mut text), "{reply}");
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
    /// After a reset the relay returns to its saved base state; after a
    /// mains failure it follows POWERSTATE and the restore SMS goes out
    /// (manual §13). The clock resumes from the battery-backed clock.
    pub fn new(board: BoardInfo, stored: Stored, boot: Boot, now: Instant) -> Self {
        let mut clock = Clock::default();
        if let Some(time) = boot.clock {
            clock.set(now, time);
        }
        let relay_on = stored.relay_on && !stored.locked;
        let mut engine = Engine {
            board,
            settings: stored.settings,
            alarm_log: stored.alarm_log,
            relay: Relay::new(relay_on, now),
            clock,
            booted_at: now,
            lockout: Lockout::default(),
            guesses: Guesses::default(),
            errors: ErrorBudget::default(),
            refusals: ErrorBudget::default(),
            registered: false,
            signal_dbm: None,
            modem: ModemHealth::Ok,
            inbox: Inbox::new(now),
            probe: Probe::new(now),
            calls: Calls::default(),
            alarm: Alarm::default(),
            scheduler_next: None,
            power: Power::default(),
            leds: LedState::new(now),
            locked: stored.locked,
            queue: Deque::new(),
            sms: Vec::new(),
            dropped_actions: 0,
        };
        engine.push(Action::SetRelay(relay_on));
        engine.scheduler_next = engine.clock.next_minute(now);
        if boot.reason == BootReason::MainsRestored && !engine.locked {
            engine.boot_after_mains_failure(now);
        }
        engine.refresh_leds(now);
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

    /// Whether the device booted locked (see [`Stored::locked`]).
    pub fn is_locked(&self) -> bool {
        self.locked
    }

    /// Whether the relay is on now.
    pub fn relay_is_on(&self) -> bool {
        self.relay.is_on()
    }

    /// Actions lost because the board did not drain [`Engine::poll_action`]
    /// (the queue holds 16 actions), and SMS lost because
    /// [`SMS_QUEUE`] were waiting for the modem (an alert makes room by
    /// dropping the newest waiting reply, or replaces the newest alert
    /// that no ALERTNUMBER has yet). Always 0 for a board that drains
    /// after every call.
    pub fn dropped_actions(&self) -> u32 {
        self.dropped_actions
    }

    /// The next action for a board that takes every SMS at once: the
    /// actions other than SMS first, then [`Engine::poll_sms`] with room
    /// for any.
    pub fn poll_action(&mut self) -> Option<Action> {
        if let Some(action) = self.poll_other_action() {
            return Some(action);
        }
        let sms = self.poll_sms(SmsRoom::ANY)?;
        Some(Action::SendSms {
            to: sms.to,
            text: sms.text,
        })
    }

    /// The next action other than an SMS. A board whose modem queue can
    /// fill drains this after every call, and [`Engine::poll_sms`] while
    /// its modem has room.
    pub fn poll_other_action(&mut self) -> Option<Action> {
        // Only SMS have text, and they never wait in this queue.
        self.queue.pop_front()?.move_text(|()| None)
    }

    /// The next SMS that `room` takes, in the order they were queued; an
    /// alert goes to every ALERTNUMBER in list order, one at a time. A
    /// board that keeps room for alerts ([`SmsRoom::alerts`] while
    /// [`SmsRoom::replies`] is not) lets them pass the replies waiting.
    /// Report each with [`Event::SmsSent`] or [`Event::SmsFailed`].
    pub fn poll_sms(&mut self, room: SmsRoom) -> Option<OutgoingSms> {
        loop {
            let takes = |w: &Waiting| match w.to {
                None => room.alerts,
                Some(_) => room.replies,
            };
            let i = self.sms.iter().position(takes)?;
            let waiting = self.sms.get_mut(i)?;
            let sms = match &waiting.to {
                Some(to) => Some((to.clone(), false)),
                None => {
                    let numbers = &self.settings.alert_numbers;
                    let to = numbers.get(usize::from(waiting.next)).cloned();
                    waiting.next = waiting.next.saturating_add(1);
                    to.map(|to| (to, true))
                }
            };
            // A reply, or the last ALERTNUMBER: its text goes with it.
            let last = sms.as_ref().is_none_or(|(_, alert)| {
                !alert || usize::from(waiting.next) >= self.settings.alert_numbers.len()
            });
            let text = match last {
                true => self.sms.remove(i).text,
                false => waiting.text.clone(),
            };
            if let Some((to, alert)) = sms {
                self.power.sms_handed_out();
                return Some(OutgoingSms { to, text, alert });
            }
        }
    }

    /// The next deadline: call [`Engine::handle_timeout`] then (or earlier).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.power.is_shut_down() {
            return None;
        }
        [
            self.relay.deadline(),
            self.calls.deadline(),
            self.probe.deadline(),
            self.inbox.deadline(),
            self.alarm.deadline(),
            self.scheduler_next,
            self.power.deadline(),
            self.leds.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.power.is_shut_down() {
            return;
        }
        let change = self.relay.on_timeout(now);
        self.relay_changed(change);
        self.calls_timeout(now);
        self.probe_timeout(now);
        self.inbox_timeout(now);
        self.alarm_timeout(now);
        if self.scheduler_next.is_some_and(|t| t <= now) {
            self.scheduler_tick(now);
        }
        self.power_timeout(now);
        self.refresh_leds(now);
    }

    /// Handles one event at monotonic time `now`.
    pub fn handle(&mut self, now: Instant, event: Event<'_>) {
        if self.power.is_shut_down() {
            return;
        }
        self.handle_timeout(now);
        // Locked: only the network, power, the factory reset and the
        // board's reports get through (a list of what may, to fail closed).
        let allowed = matches!(
            event,
            Event::NetworkRegistered
                | Event::NetworkLost
                | Event::Signal(_)
                | Event::NetworkTime(_)
                | Event::Modem(_)
                | Event::MainsLost
                | Event::MainsRestored
                | Event::Saved { .. }
                | Event::SmsSent
                | Event::SmsFailed
                | Event::IncomingCallEnded
                | Event::Button(ButtonEvent::LongPressReached | ButtonEvent::LongPressReleased)
        );
        if self.locked && !allowed {
            self.refresh_leds(now);
            return;
        }
        match event {
            Event::SmsReceived {
                from,
                toa,
                text,
                sent_at,
            } => self.on_sms(now, PhoneNumber::from_address(from, toa), text, sent_at),
            Event::IncomingCall { from, toa } => {
                self.on_incoming_call(now, PhoneNumber::from_address(from, toa))
            }
            Event::IncomingCallEnded => self.on_incoming_call_ended(),
            Event::CallAnswered => self.on_call_outcome(now, true),
            Event::CallRejected | Event::CallEnded => self.on_call_outcome(now, false),
            Event::UssdAnswer(text) => self.ussd_done(now, Some(text)),
            Event::UssdFailed => self.ussd_done(now, None),
            Event::NetworkRegistered => {
                self.registered = true;
                self.on_registered(now);
            }
            Event::NetworkLost => self.registered = false,
            Event::Signal(dbm) => self.signal_dbm = dbm,
            Event::NetworkTime(time) => self.set_clock_if_unset(now, time),
            Event::Modem(health) => self.modem = health,
            Event::Temperature(reading) => self.on_probe_reading(now, reading),
            Event::InputContact(closed) => self.on_input(now, closed),
            Event::Button(button) => self.on_button(now, button),
            Event::MainsLost => self.on_mains_lost(now),
            Event::MainsRestored => self.on_mains_restored(now),
            Event::Saved { record, ok } => self.on_saved(now, record, ok),
            Event::SmsSent | Event::SmsFailed => self.on_sms_settled(),
        }
        self.refresh_leds(now);
    }

    /// Whether an SMS waits for the board.
    pub(crate) fn sms_queued(&self) -> bool {
        !self.sms.is_empty()
    }

    /// SMS that will never go out (the battery is about to be cut).
    pub(crate) fn forget_sms(&mut self) {
        self.sms.clear();
    }

    pub(crate) fn push(&mut self, action: Action) {
        // Locked: nothing is saved or switched on (a save would replace
        // the unreadable settings with whatever the engine holds).
        if self.locked && matches!(action, Action::Save(_) | Action::SetRelay(true)) {
            return;
        }
        if let Action::SendSms { to, text } = action {
            return self.send(&Recipient::One(to), text);
        }
        let queued = action.move_text(|_| Some(()));
        if queued.is_none_or(|action| self.queue.push_back(action).is_err()) {
            self.dropped_actions = self.dropped_actions.saturating_add(1);
        }
    }

    /// Queues an SMS. With no room, an alert drops the newest waiting
    /// reply, or else replaces the newest alert no ALERTNUMBER has yet;
    /// a reply is dropped.
    pub(crate) fn send(&mut self, to: &Recipient, text: SmsText) {
        // Locked: nothing is sent.
        if self.locked {
            return;
        }
        let alert = *to == Recipient::AlertNumbers;
        let waiting = Waiting {
            to: match to {
                Recipient::One(number) => Some(number.clone()),
                Recipient::AlertNumbers => None,
            },
            next: 0,
            text,
        };
        if self.sms.is_full() {
            self.dropped_actions = self.dropped_actions.saturating_add(1);
            let reply = self.sms.iter().rposition(|w| w.to.is_some());
            let unstarted = self.sms.iter().rposition(|w| w.to.is_none() && w.next == 0);
            match (alert, reply, unstarted) {
                (true, Some(i), _) => {
                    self.sms.remove(i);
                }
                (true, None, Some(i)) => {
                    if let Some(slot) = self.sms.get_mut(i) {
                        *slot = waiting;
                    }
                    return;
                }
                _ => return,
            }
        }
        let _ = self.sms.push(waiting);
    }

    pub(crate) fn send_to(&mut self, to: &PhoneNumber, text: SmsText) {
        self.send(&Recipient::One(to.clone()), text);
    }

    /// An error reply (manual §3 rules 2–4): only if `allowed` and the daily budget has room.
    pub(crate) fn send_error(
        &mut self,
        now: Instant,
        to: Option<&PhoneNumber>,
        reply: Reply<'_>,
        allowed: bool,
    ) {
        if let Some(to) = to {
            if allowed && self.errors.try_spend(now) {
                self.send_to(to, render(&reply));
            }
        }
    }

    /// A refusal (manual §3 rules 2–3): only if `allowed` and the refusals'
    /// daily budget has room.
    pub(crate) fn send_refusal(
        &mut self,
        now: Instant,
        to: &PhoneNumber,
        reply: Reply<'_>,
        allowed: bool,
    ) {
        if allowed && self.refusals.try_spend(now) {
            self.send_to(to, render(&reply));
        }
    }

    /// Tells the board about a relay change and saves a new base state.
    pub(crate) fn relay_changed(&mut self, change: Change) {
        if change.switched {
            self.push(Action::SetRelay(self.relay.is_on()));
        }
        if change.base_changed {
            self.save_relay();
        }
    }

    /// Switches the relay for good (ON, OFF, a call, the button, the
    /// thermostat, the scheduler); returns whether it switched.
    pub(crate) fn switch_relay(&mut self, now: Instant, on: bool) -> bool {
        let change = self.relay.switch(now, on);
        self.relay_changed(change);
        change.switched
    }

    /// Saves settings changed outside a command (an alarm, the button, the scheduler).
    pub(crate) fn save_settings(&mut self) {
        self.inbox.settings_saves.requested = self.inbox.settings_saves.requested.wrapping_add(1);
        self.push(Action::Save(Record::Settings));
    }

    /// Saves the relay's base state.
    pub(crate) fn save_relay(&mut self) {
        self.inbox.relay_saves.requested = self.inbox.relay_saves.requested.wrapping_add(1);
        self.push(Action::Save(Record::Relay));
    }

    pub(crate) fn set_clock(&mut self, now: Instant, time: isocket_proto::Timestamp) {
        self.clock.set(now, time);
        self.push(Action::SetClock(Some(time)));
        // A new clock does not fire the rules it jumped over (manual §12).
        self.scheduler_next = self.clock.next_minute(now);
    }

    pub(crate) fn set_clock_if_unset(&mut self, now: Instant, time: isocket_proto::Timestamp) {
        if !self.clock.is_set() {
            self.set_clock(now, time);
        }
    }
}
