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

/// A settings change waiting for storage (manual §3: confirm only once
/// durable; on failure, go back to what storage holds).
#[derive(Debug, Clone)]
struct PendingSave {
    /// The value of `saves_requested` for this change's save.
    ticket: u32,
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
    /// Settings saves asked of the board, and answered by it.
    pub(crate) saves_requested: u32,
    saves_completed: u32,
    pending: Option<PendingSave>,
    held: Deque<HeldSms, HELD_SMS>,
    ussd: Option<PendingUssd>,
}

impl Inbox {
    pub(crate) fn new(now: Instant) -> Self {
        Inbox {
            last_conf_at: now,
            saves_requested: 0,
            saves_completed: 0,
            pending: None,
            held: Deque::new(),
            ussd: None,
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.ussd.as_ref().map(|u| u.deadline)
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
                self.inbox.last_conf_at = now;
            }
            if let (Some(to), Some(text)) = (requester, confirmation) {
                self.send_to(&to, text);
            }
            return;
        }
        self.save_settings();
        let ticket = self.inbox.saves_requested;
        self.inbox.pending = Some(PendingSave {
            ticket,
            backup: before,
            requester,
            confirmation,
            conf,
        });
    }

    pub(crate) fn on_saved(&mut self, now: Instant, record: Record, ok: bool) {
        if record != Record::Settings {
            return;
        }
        self.inbox.saves_completed = self.inbox.saves_completed.wrapping_add(1);
        let answered =
            self.inbox.pending.as_ref().map(|p| p.ticket) == Some(self.inbox.saves_completed);
        if !answered {
            return;
        }
        let Some(pending) = self.inbox.pending.take() else {
            return;
        };
        if ok {
            if pending.conf {
                self.inbox.last_conf_at = now;
            }
            if let (Some(to), Some(text)) = (pending.requester, pending.confirmation) {
                self.send_to(&to, text);
            }
            self.settings_committed(now, &pending.backup);
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
        if self.inbox.ussd.as_ref().is_some_and(|u| u.deadline <= now) {
            self.ussd_done(now, None);
        }
    }
}
