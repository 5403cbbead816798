//! Incoming SMS (manual §2–§5): who gets which reply, the configuration
//! window, and confirmations that wait until the change is durable.

use core::time::Duration;

use heapless::{Deque, String};
use isocket_proto::{
    Command, FrameError, Kind, ParseError, PhoneNumber, Reply, Timestamp, UssdCode, frame,
};

use crate::engine::{Engine, Recipient, render};
use crate::io::{Action, Record, SmsText};
use crate::security::{is_known, remember};
use crate::settings::Settings;
use crate::time::{Instant, mins, secs};

/// How long the configuration window stays open (manual §4).
pub const CONFIGURATION_WINDOW: Duration = mins(30);
/// How long CREDIT and SIMCARD wait for the network's answer (manual §14).
pub const USSD_TIMEOUT: Duration = secs(30);
/// How long a command waits for its change to become durable before it
/// counts as failed: a board that lost a [`crate::Event::Saved`] must not
/// stop the SMS handling (a flash erase takes well under a second).
pub const SAVE_TIMEOUT: Duration = secs(10);

/// SMS that arrive while a settings save is in flight wait here.
const HELD_SMS: usize = 4;
/// The longest SMS text held (30 characters of up to 4 bytes).
const HELD_TEXT_LEN: usize = 4 * isocket_proto::MAX_COMMAND_CHARS;

/// The result of a command that did not fail.
// Returned by value once per command; boxing the text would need a heap.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome {
    /// Reply with this text; `always` replies ignore SMSCONFIRM=OFF.
    Reply { text: SmsText, always: bool },
    /// The reply comes later (a probe reading, a USSD answer).
    Deferred,
}

/// A command that failed, with the error reply manual §3 gives it.
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

/// Saves of one record asked of the board, and answered by it: the board
/// answers them in order, so the n-th answer is for the n-th save.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SaveCount {
    pub(crate) requested: u32,
    answered: u32,
}

impl SaveCount {
    /// Counts one answer; whether it answers save number `ticket`.
    fn answer(&mut self, ticket: Option<u32>) -> bool {
        self.answered = self.answered.wrapping_add(1);
        ticket == Some(self.answered)
    }
}

/// A command's change waiting for storage (manual §3: confirm only once
/// durable; on failure, go back to what storage holds): its settings, its
/// relay base state (ON, OFF), or both.
#[derive(Debug, Clone)]
struct PendingSave {
    /// The settings save it waits for (its number in `settings_saves`).
    settings: Option<u32>,
    /// The relay save it waits for (its number in `relay_saves`).
    relay: Option<u32>,
    settings_failed: bool,
    relay_failed: bool,
    deadline: Instant,
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

#[derive(Debug, Clone)]
struct PendingUssd {
    requester: PhoneNumber,
    deadline: Instant,
}

/// The state of the SMS pipeline.
#[derive(Debug, Clone)]
pub(crate) struct Inbox {
    last_conf_at: Instant,
    pub(crate) settings_saves: SaveCount,
    pub(crate) relay_saves: SaveCount,
    pending: Option<PendingSave>,
    held: Deque<HeldSms, HELD_SMS>,
    ussd: Option<PendingUssd>,
}

impl Inbox {
    pub(crate) fn new(now: Instant) -> Self {
        Inbox {
            last_conf_at: now,
            settings_saves: SaveCount::default(),
            relay_saves: SaveCount::default(),
            pending: None,
            held: Deque::new(),
            ussd: None,
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        let ussd = self.ussd.as_ref().map(|u| u.deadline);
        let save = self.pending.as_ref().map(|p| p.deadline);
        [ussd, save].into_iter().flatten().min()
    }

    /// Forgets everything in flight (factory reset).
    pub(crate) fn clear(&mut self) {
        self.pending = None;
        self.held.clear();
    }
}

impl Engine {
    fn configuration_open(&self, now: Instant) -> bool {
        self.settings.is_protected() || now.since(self.inbox.last_conf_at) < CONFIGURATION_WINDOW
    }

    /// manual §2–§3: who gets which reply, in the order the rules are given.
    pub(crate) fn on_sms(
        &mut self,
        now: Instant,
        from: Option<PhoneNumber>,
        text: &str,
        sent_at: Option<Timestamp>,
    ) {
        // No phone number (hidden, an alphanumeric sender ID, a short code):
        // never answered, never executed, and it changes nothing (manual §19).
        let Some(sender) = from.as_ref() else {
            return;
        };
        // 1. Over 30 characters: nothing at all. A locked-out number: ignored.
        if frame(None, text) == Err(FrameError::TooLong)
            || self.lockout.is_locked(Some(sender), now)
        {
            return;
        }
        if self.inbox.pending.is_some() {
            self.hold_sms(from, text, sent_at);
            return;
        }
        // 2. Not on the active SECLIST.
        let trusted = self.settings.is_trusted(Some(sender));
        if self.settings.sec_list_on && !trusted {
            let allowed = self.settings.sms_confirm_unauth;
            self.send_refusal(now, sender, Reply::AccessDenied, allowed);
            return;
        }
        // 3. Wrong or missing password. While guessing has closed the check,
        // numbers that never gave the right password are not heard at all.
        let password = self.settings.password;
        let wall = self.clock.at(now);
        if password.is_some()
            && self.guesses.is_closed(now)
            && !is_known(&self.settings.known_numbers, Some(sender), wall)
        {
            return;
        }
        let Ok(command_text) = frame(password.as_ref(), text) else {
            self.lockout.record_failure(Some(sender), now);
            self.guesses.record_failure(now);
            let allowed =
                self.settings.error_replies && (trusted || self.settings.sms_confirm_unauth);
            self.send_refusal(now, sender, Reply::InvalidPassword, allowed);
            return;
        };
        // Accepted: only now may its time stamp set an unset clock.
        if let Some(time) = sent_at {
            self.set_clock_if_unset(now, time);
        }
        if password.is_some()
            && remember(&mut self.settings.known_numbers, sender, self.clock.at(now))
        {
            self.save_settings();
        }
        let sender = Some(sender);
        // 4. Errors.
        let allowed = self.settings.error_replies;
        let command = match command_text.parse::<Command>() {
            Ok(command) => command,
            Err(ParseError::UnknownCommand) => {
                let reply = Reply::UnknownCommand(command_text);
                return self.send_error(now, sender, reply, allowed);
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
        let relay_saves = self.inbox.relay_saves.requested;
        match self.execute(now, sender, &command, sent_at) {
            Err(failure) => {
                self.settings = before;
                self.send_error(now, sender, failure.reply(), allowed);
            }
            Ok(outcome) => {
                let confirmation = match outcome {
                    Outcome::Reply { text, always } => {
                        // SMSCONFIRM applies from the next command; its own change is confirmed.
                        let confirm = always
                            || before.sms_confirm
                            || matches!(command, Command::SmsConfirm(_));
                        confirm.then_some(text)
                    }
                    Outcome::Deferred => None,
                };
                let relay_saved = self.inbox.relay_saves.requested != relay_saves;
                self.commit(now, before, relay_saved, from, confirmation, conf);
            }
        }
    }

    /// Sends the confirmation now, or once what the command changed (its
    /// settings, the relay's base state) is durable.
    fn commit(
        &mut self,
        now: Instant,
        before: Settings,
        relay_saved: bool,
        requester: Option<PhoneNumber>,
        confirmation: Option<SmsText>,
        conf: bool,
    ) {
        let settings_changed = self.settings != before;
        if !settings_changed && !relay_saved {
            if conf {
                self.inbox.last_conf_at = now;
            }
            if let (Some(to), Some(text)) = (requester, confirmation) {
                self.send_to(&to, text);
            }
            return;
        }
        if settings_changed {
            self.save_settings();
        }
        self.inbox.pending = Some(PendingSave {
            settings: settings_changed.then_some(self.inbox.settings_saves.requested),
            relay: relay_saved.then_some(self.inbox.relay_saves.requested),
            settings_failed: false,
            relay_failed: false,
            deadline: now + SAVE_TIMEOUT,
            backup: before,
            requester,
            confirmation,
            conf,
        });
    }

    pub(crate) fn on_saved(&mut self, now: Instant, record: Record, ok: bool) {
        let inbox = &mut self.inbox;
        let Some(pending) = inbox.pending.as_mut() else {
            // Count the answer all the same: tickets are positions.
            match record {
                Record::Settings => inbox.settings_saves.answer(None),
                Record::Relay => inbox.relay_saves.answer(None),
                Record::AlarmLog => false,
            };
            return;
        };
        match record {
            Record::Settings if inbox.settings_saves.answer(pending.settings) => {
                pending.settings = None;
                pending.settings_failed = !ok;
            }
            Record::Relay if inbox.relay_saves.answer(pending.relay) => {
                pending.relay = None;
                pending.relay_failed = !ok;
            }
            _ => return,
        }
        if pending.settings.is_none() && pending.relay.is_none() {
            self.finish_pending(now);
        }
    }

    /// Confirms the command whose change is now durable, or answers
    /// `Execute error!` and returns to what storage holds.
    fn finish_pending(&mut self, now: Instant) {
        let Some(pending) = self.inbox.pending.take() else {
            return;
        };
        if pending.settings_failed {
            self.settings = pending.backup.clone();
        }
        // A relay whose new base state could not be stored stays switched
        // (the command acted); the error says it was not stored.
        if pending.settings_failed || pending.relay_failed {
            let allowed = self.settings.error_replies;
            let to = pending.requester.as_ref();
            self.send_error(now, to, Reply::ExecuteError, allowed);
        } else if let (Some(to), Some(text)) = (pending.requester, pending.confirmation) {
            self.send_to(&to, text);
        }
        if !pending.settings_failed {
            if pending.conf {
                self.inbox.last_conf_at = now;
            }
            self.settings_committed(now, &pending.backup);
        }
        self.release_held_sms(now);
    }

    /// A save the board never answered: it counts as failed (and as
    /// answered, so that later answers line up); settings go back to the
    /// backup and are saved again, so that storage and memory agree.
    fn save_timed_out(&mut self, now: Instant) {
        let Some(pending) = self.inbox.pending.as_mut() else {
            return;
        };
        let mut resave = false;
        if let Some(ticket) = pending.settings.take() {
            self.inbox.settings_saves.answered = ticket;
            pending.settings_failed = true;
            resave = true;
        }
        if let Some(ticket) = pending.relay.take() {
            self.inbox.relay_saves.answered = ticket;
            pending.relay_failed = true;
        }
        self.finish_pending(now);
        if resave {
            self.save_settings();
        }
    }

    /// Reacts to settings that are now durable, by what changed.
    pub(crate) fn settings_committed(&mut self, now: Instant, before: &Settings) {
        self.temperature_settings_changed(before);
        self.alarm_settings_changed(now, before);
    }

    fn hold_sms(&mut self, from: Option<PhoneNumber>, text: &str, sent_at: Option<Timestamp>) {
        // `frame` accepted the length, so the trimmed text fits.
        let Ok(text) = String::try_from(text.trim()) else {
            return;
        };
        // A fifth SMS during one save is dropped, like one over 30 characters.
        let _ = self.inbox.held.push_back(HeldSms {
            from,
            text,
            sent_at,
        });
    }

    fn release_held_sms(&mut self, now: Instant) {
        while self.inbox.pending.is_none() {
            let Some(held) = self.inbox.held.pop_front() else {
                return;
            };
            self.on_sms(now, held.from, &held.text, held.sent_at);
        }
    }

    pub(crate) fn start_ussd(&mut self, now: Instant, requester: &PhoneNumber, code: UssdCode) {
        let deadline = now + USSD_TIMEOUT;
        self.inbox.ussd = Some(PendingUssd {
            requester: requester.clone(),
            deadline,
        });
        self.push(Action::SendUssd(code));
    }

    pub(crate) fn ussd_busy(&self) -> bool {
        self.inbox.ussd.is_some()
    }

    pub(crate) fn ussd_done(&mut self, now: Instant, answer: Option<&str>) {
        let Some(pending) = self.inbox.ussd.take() else {
            return;
        };
        match answer {
            Some(text) => self.send(
                &Recipient::One(pending.requester),
                render(&Reply::Ussd(text)),
            ),
            None => {
                let allowed = self.settings.error_replies;
                self.send_error(now, Some(&pending.requester), Reply::ExecuteError, allowed);
            }
        }
    }

    pub(crate) fn inbox_timeout(&mut self, now: Instant) {
        if self
            .inbox
            .pending
            .as_ref()
            .is_some_and(|p| p.deadline <= now)
        {
            self.save_timed_out(now);
        }
        if self.inbox.ussd.as_ref().is_some_and(|u| u.deadline <= now) {
            self.ussd_done(now, None);
        }
    }
}
