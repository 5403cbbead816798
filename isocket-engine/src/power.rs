//! Mains power (manual §13): the failure SMS once registered, then shutdown;
//! the restore SMS; POWERSTATE after a mains-failure boot.

use core::time::Duration;

use isocket_proto::{PowerState, Reply};

use crate::engine::{Engine, Recipient, render};
use crate::io::Action;
use crate::time::{Instant, mins, secs};

/// How long the battery waits for the network to send the failure SMS.
pub const FAILURE_SMS_WAIT: Duration = mins(30);
/// How long the device stays up after handing the failure SMS to the
/// modem, so it goes out (and so mains returning in time is noticed).
pub const SHUTDOWN_GRACE: Duration = secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mains {
    #[default]
    Present,
    /// On battery, waiting for the network to send the failure SMS.
    WaitingForNetwork {
        until: Instant,
    },
    /// On battery, the failure SMS sent; shutting down then.
    Notified {
        shutdown_at: Instant,
    },
    ShutDown,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Power {
    mains: Mains,
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
            shutdown_at: now + SHUTDOWN_GRACE,
        };
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
