//! Calls (manual §7, §11): RING actions on incoming calls, the RINGCONFIRM
//! call-back, and the one outgoing line the alarm's call cycle shares.

use core::time::Duration;

use isocket_proto::{PhoneNumber, Reply, RingAction, RingConfirm};

use crate::engine::{Engine, Recipient, render};
use crate::io::Action;
use crate::time::{Instant, secs};

/// Delay before the RINGCONFIRM=CALL call-back (manual §7).
pub const CALLBACK_DELAY: Duration = secs(10);
/// How long the call-back rings before the device hangs up (manual §7).
pub const CALLBACK_RING: Duration = secs(15);

/// Why the device is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    CallBack,
    Alarm,
}

#[derive(Debug, Clone)]
struct Outgoing {
    purpose: Purpose,
    ring_until: Instant,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Calls {
    callback: Option<(Instant, PhoneNumber)>,
    outgoing: Option<Outgoing>,
    /// The ringing call was acted on: a caller id given again later in
    /// the same call (hidden at first, identified after) is not acted on twice.
    acted: bool,
}

impl Calls {
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match &self.outgoing {
            Some(call) => Some(call.ring_until),
            // A due call-back waits for the line; it has no deadline of its own then.
            None => self.callback.as_ref().map(|(at, _)| *at),
        }
    }

    pub(crate) fn line_busy(&self) -> bool {
        self.outgoing.is_some()
    }
}

impl Engine {
    /// manual §7: a call from the active SECLIST with RING set is hung up and acted on.
    /// A call first reported without a caller id and identified later in
    /// the same call comes again with its number; it is acted on once.
    pub(crate) fn on_incoming_call(&mut self, now: Instant, caller: Option<PhoneNumber>) {
        let Some(caller) = caller else {
            return;
        };
        if self.settings.ring == RingAction::NoAction
            || !self.settings.is_trusted(Some(&caller))
            || self.calls.acted
        {
            return;
        }
        self.calls.acted = true;
        self.push(Action::HangUp);
        let reply = if self.settings.ring == RingAction::Restart {
            let duration = secs(u64::from(self.settings.restart_time.get()));
            let change = self.relay.restart(now, duration);
            self.relay_changed(change);
            Reply::Restarted
        } else {
            let on = !self.relay.is_on();
            self.switch_relay(now, on);
            if on { Reply::PowerOn } else { Reply::PowerOff }
        };
        match self.settings.ring_confirm {
            RingConfirm::Sms => self.send(&Recipient::One(caller), render(&reply)),
            RingConfirm::Call => self.calls.callback = Some((now + CALLBACK_DELAY, caller)),
            RingConfirm::Off => {}
        }
    }

    /// The ringing call is over: the next one may be acted on.
    pub(crate) fn on_incoming_call_ended(&mut self) {
        self.calls.acted = false;
    }

    /// Places a call; the line must be free.
    pub(crate) fn dial(
        &mut self,
        now: Instant,
        to: &PhoneNumber,
        purpose: Purpose,
        ring: Duration,
    ) {
        self.calls.outgoing = Some(Outgoing {
            purpose,
            ring_until: now + ring,
        });
        self.push(Action::Dial(to.clone()));
    }

    /// Starts whatever waits for the line: the alarm's next call first, then a call-back.
    pub(crate) fn next_call(&mut self, now: Instant) {
        if self.calls.line_busy() || self.alarm_call_next(now) {
            return;
        }
        if self
            .calls
            .callback
            .as_ref()
            .is_some_and(|(at, _)| *at <= now)
        {
            if let Some((_, to)) = self.calls.callback.take() {
                self.dial(now, &to, Purpose::CallBack, CALLBACK_RING);
            }
        }
    }

    /// The device's own call was answered (`true`), or rejected or ended.
    pub(crate) fn on_call_outcome(&mut self, now: Instant, answered: bool) {
        let Some(call) = self.calls.outgoing.take() else {
            return;
        };
        // Hang up as soon as the call is answered (or rejected: some modems need it).
        self.push(Action::HangUp);
        if call.purpose == Purpose::Alarm {
            self.alarm_call_outcome(now, answered);
        }
        self.next_call(now);
    }

    pub(crate) fn calls_timeout(&mut self, now: Instant) {
        if self
            .calls
            .outgoing
            .as_ref()
            .is_some_and(|c| c.ring_until <= now)
        {
            self.on_call_outcome(now, false);
        }
        self.next_call(now);
    }

    /// Ends the alarm's call, if one rings (the alarm was disarmed).
    pub(crate) fn hang_up_alarm_call(&mut self) {
        if self
            .calls
            .outgoing
            .as_ref()
            .is_some_and(|c| c.purpose == Purpose::Alarm)
        {
            self.calls.outgoing = None;
            self.push(Action::HangUp);
        }
    }
}
