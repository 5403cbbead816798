//! Mains power (manual §13): the failure SMS once registered, then shutdown;
//! the restore SMS; POWERSTATE after a mains-failure boot.
//!
//! The battery budget: on battery the device waits up to
//! [`FAILURE_SMS_WAIT`] for the network, then up to [`send_budget`] for the
//! modem to send every SMS: [`SEND_BUDGET_BASE`] and [`SEND_TIME_PER_NUMBER`]
//! for each ALERTNUMBER (a slow network takes 40 s and more to accept one,
//! the SIM800 allows itself 60 s, and a failed attempt is retried). It
//! shuts down as soon as every SMS is handed to the board and reported sent
//! or finally failed ([`crate::Event::SmsSent`], [`crate::Event::SmsFailed`]).
//! A board's battery must keep it and a registered modem up for the sum,
//! [`SEND_BUDGET`] and 30 min with ten ALERTNUMBERs: 53 minutes.

use core::time::Duration;

use isocket_proto::{PowerState, Reply};

use crate::engine::{Engine, Recipient, render};
use crate::io::Action;
use crate::time::{Instant, mins};

/// How long the battery waits for the network to send the failure SMS.
pub const FAILURE_SMS_WAIT: Duration = mins(30);
/// The part of the send budget that does not depend on the number of
/// ALERTNUMBERs (with one, the budget is 5 min).
pub const SEND_BUDGET_BASE: Duration = mins(3);
/// The send budget's time for each ALERTNUMBER: a `+CMGS` answer may take
/// 60 s (SIM800 Series AT Command Manual V1.09, §4.2.5 AT+CMGS, maximum
/// response time), and one failed attempt as long again.
pub const SEND_TIME_PER_NUMBER: Duration = mins(2);
/// The longest send budget, with [`crate::ALERT_NUMBERS`] ALERTNUMBERs:
/// 23 min.
pub const SEND_BUDGET: Duration = send_budget(crate::ALERT_NUMBERS);

/// How long the battery keeps the device up after the failure SMS was
/// queued, at most, for it to reach `alert_numbers` ALERTNUMBERs.
pub const fn send_budget(alert_numbers: usize) -> Duration {
    let n = if alert_numbers < crate::ALERT_NUMBERS {
        alert_numbers as u64
    } else {
        crate::ALERT_NUMBERS as u64
    };
    Duration::from_secs(SEND_BUDGET_BASE.as_secs() + n * SEND_TIME_PER_NUMBER.as_secs())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mains {
    #[default]
    Present,
    /// On battery, waiting for the network to send the failure SMS.
    WaitingForNetwork {
        until: Instant,
    },
    /// On battery, the failure SMS handed to the modem; shutting down once
    /// every SMS is settled, or then at the latest.
    Notified {
        shutdown_at: Instant,
    },
    ShutDown,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Power {
    mains: Mains,
    /// SMS handed to the board and not yet reported sent or failed.
    unsettled_sms: u16,
}

impl Power {
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match self.mains {
            Mains::WaitingForNetwork { until } => Some(until),
            Mains::Notified { shutdown_at } => Some(shutdown_at),
            Mains::Present | Mains::ShutDown => None,
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.mains == Mains::ShutDown
    }

    /// An SMS left the engine for the board.
    pub(crate) fn sms_handed_out(&mut self) {
        self.unsettled_sms = self.unsettled_sms.saturating_add(1);
    }
}

impl Engine {
    fn power_alert_wanted(&self) -> bool {
        self.settings.power_alert && !self.settings.alert_numbers.is_empty()
    }

    pub(crate) fn on_mains_lost(&mut self, now: Instant) {
        if self.power.mains != Mains::Present {
            return;
        }
        if !self.power_alert_wanted() {
            self.shut_down();
        } else if self.registered {
            self.notify_power_failure(now);
        } else {
            self.power.mains = Mains::WaitingForNetwork {
                until: now + FAILURE_SMS_WAIT,
            };
        }
    }

    fn notify_power_failure(&mut self, now: Instant) {
        let reply = Reply::PowerFailure(self.clock.at(now));
        self.send(&Recipient::AlertNumbers, render(&reply));
        self.power.mains = Mains::Notified {
            shutdown_at: now + send_budget(self.settings.alert_numbers.len()),
        };
    }

    /// The board reports an SMS sent or finally failed: on battery, the
    /// last one to settle ends the wait.
    pub(crate) fn on_sms_settled(&mut self) {
        self.power.unsettled_sms = self.power.unsettled_sms.saturating_sub(1);
        let notified = matches!(self.power.mains, Mains::Notified { .. });
        if notified && self.power.unsettled_sms == 0 && !self.sms_queued() {
            self.shut_down();
        }
    }

    pub(crate) fn on_registered(&mut self, now: Instant) {
        if matches!(self.power.mains, Mains::WaitingForNetwork { .. }) {
            self.notify_power_failure(now);
        }
    }

    /// Mains back before the shutdown: stay up, relay unchanged; tell the
    /// alert numbers only if they were told of the failure.
    pub(crate) fn on_mains_restored(&mut self, now: Instant) {
        if matches!(self.power.mains, Mains::Notified { .. }) {
            self.send_power_restored(now);
        }
        if self.power.mains != Mains::ShutDown {
            self.power.mains = Mains::Present;
        }
    }

    fn send_power_restored(&mut self, now: Instant) {
        let reply = Reply::PowerRestored {
            relay_on: self.relay.is_on(),
            at: self.clock.at(now),
        };
        self.send(&Recipient::AlertNumbers, render(&reply));
    }

    pub(crate) fn power_timeout(&mut self, now: Instant) {
        match self.power.mains {
            Mains::WaitingForNetwork { until } if until <= now => self.shut_down(),
            Mains::Notified { shutdown_at } if shutdown_at <= now => self.shut_down(),
            _ => {}
        }
    }

    fn shut_down(&mut self) {
        self.power.mains = Mains::ShutDown;
        // The battery is cut: what still waits will never go out.
        self.forget_sms();
        self.push(Action::Shutdown);
    }

    /// The first boot after a mains failure: the relay follows POWERSTATE,
    /// and the alert numbers hear that power is back.
    pub(crate) fn boot_after_mains_failure(&mut self, now: Instant) {
        match self.settings.power_state {
            PowerState::Remember => {}
            PowerState::On => {
                self.switch_relay(now, true);
            }
            PowerState::Off => {
                self.switch_relay(now, false);
            }
        }
        if self.power_alert_wanted() {
            self.send_power_restored(now);
        }
    }
}
