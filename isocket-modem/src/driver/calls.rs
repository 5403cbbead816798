//! Calls: the one we dial (answered by URC or found by `AT+CLCC`
//! polling) and the one that rings us (one call however many `RING`s and
//! `+CLIP`s it brings).

use super::events::{CallEnd, Event};
use super::{CLCC_INTERVAL_MS, CLIP_WAIT_MS, DIAL_TIMEOUT_MS, RING_GAP_MS};
use crate::calls::{CallerId, Number};
use crate::codec::Final;

/// Our dialled call.
struct Call {
    answered: bool,
    deadline: u64,
    next_clcc: u64,
}

/// Someone calling us: one call however many `RING`s it brings.
struct Incoming {
    /// [`Event::Ringing`] went out.
    announced: bool,
    /// It went out with a caller's number (or [`Event::CallerIdentified`] did).
    identified: bool,
    /// Announce it without a number if no `+CLIP` came by then.
    announce_at: u64,
    last_ring: u64,
}

/// What the dialled call's timers want done.
pub(super) enum Tick {
    Nothing,
    /// Not answered in time: hang up, and it ended unanswered.
    Unanswered,
    /// Time to ask `AT+CLCC` whether it was answered.
    PollClcc,
}

/// What the incoming call's timers found.
pub(super) enum Ring {
    Nothing,
    /// No `RING` for [`RING_GAP_MS`]: [`Event::IncomingCallEnded`].
    Ended,
    /// No `+CLIP` within [`CLIP_WAIT_MS`] of its `RING`: announce it
    /// without a number ([`Event::Ringing`]`(None)`). With `AT+CLIP=1` in
    /// every init, 27.007 §7.6 has a `+CLIP` follow every `RING` (an
    /// empty number for a withheld one): none means the modem forgot its
    /// settings (a silent reset), or noise ate the line.
    Unidentified,
}

/// The dialled call, the number to dial and the incoming call.
#[derive(Default)]
pub(super) struct Calls {
    call: Option<Call>,
    incoming: Option<Incoming>,
    /// The number the next `ATD` dials.
    dial: Option<Number>,
    /// A call-ending result that came while both calls were up: whose end
    /// it is waits for `AT+CLCC` ([`Calls::listed`]).
    unclear_end: Option<Final>,
}

impl Calls {
    /// Notes the number for the next `ATD`.
    pub(super) fn dial(&mut self, number: &str) {
        self.dial = Some(crate::calls::number(number.as_bytes()));
    }

    /// `ATD` goes out: the call starts, and its timers with it.
    pub(super) fn dialling(&mut self, now_ms: u64) -> Number {
        self.call = Some(Call {
            answered: false,
            deadline: now_ms + DIAL_TIMEOUT_MS,
            next_clcc: now_ms + CLCC_INTERVAL_MS,
        });
        self.dial.clone().unwrap_or_default()
    }

    /// We hang up: our call is over, without an event.
    pub(super) fn hang_up(&mut self) {
        self.call = None;
        self.unclear_end = None;
    }

    /// Our call is up but not answered yet.
    pub(super) fn unanswered(&self) -> bool {
        self.call.as_ref().is_some_and(|c| !c.answered)
    }

    /// Our call was answered; `false` if that is no news (no call of
    /// ours, or answered before).
    pub(super) fn answered(&mut self) -> bool {
        match &mut self.call {
            Some(call) if !call.answered => {
                call.answered = true;
                true
            }
            _ => false,
        }
    }

    /// When a timer of either call runs out; `polling`: the profile
    /// polls `AT+CLCC`. An answered call waits for nothing.
    pub(super) fn wake_at(&self, polling: bool) -> Option<u64> {
        let call = self
            .call
            .as_ref()
            .filter(|c| !c.answered)
            .map(|c| match polling {
                true => c.deadline.min(c.next_clcc),
                false => c.deadline,
            });
        let ringing = self.incoming.as_ref().map(|c| match c.announced {
            true => c.last_ring + RING_GAP_MS,
            false => c.announce_at.min(c.last_ring + RING_GAP_MS),
        });
        call.into_iter().chain(ringing).min()
    }

    /// The dialled call's timers: the dial timeout, and `AT+CLCC` polling.
    pub(super) fn call_timers(&mut self, now_ms: u64, polling: bool) -> Tick {
        let Some(call) = &mut self.call else {
            return Tick::Nothing;
        };
        if call.answered {
            return Tick::Nothing;
        }
        if now_ms >= call.deadline {
            self.call = None;
            return Tick::Unanswered;
        }
        if polling && now_ms >= call.next_clcc {
            call.next_clcc = now_ms + CLCC_INTERVAL_MS;
            return Tick::PollClcc;
        }
        Tick::Nothing
    }

    /// An incoming call is announced once, with its number as soon as
    /// `+CLIP` gives it, and ends when its `RING`s stop. Announced without
    /// a number (no `+CLIP` after its `RING`), it is [`Ring::Unidentified`]:
    /// the driver asks `AT+CLCC` for the caller and checks the settings.
    pub(super) fn ring_timers(&mut self, now_ms: u64) -> Ring {
        let Some(call) = self.incoming.as_mut() else {
            return Ring::Nothing;
        };
        if now_ms >= call.last_ring + RING_GAP_MS {
            self.incoming = None;
            Ring::Ended
        } else if !call.announced && now_ms >= call.announce_at {
            call.announced = true;
            Ring::Unidentified
        } else {
            Ring::Nothing
        }
    }

    /// A `RING` (no caller) or a `+CLIP` (its caller) of an incoming call.
    /// A call announced without a number that later gets one (the `+CLIP`
    /// after a silent reset's re-init, or `AT+CLCC`) is identified once:
    /// [`Event::CallerIdentified`]. A withheld number (empty) identifies nobody.
    pub(super) fn on_ring(&mut self, now_ms: u64, caller: Option<CallerId>) -> Option<Event> {
        let call = self.incoming.get_or_insert(Incoming {
            announced: false,
            identified: false,
            announce_at: now_ms + CLIP_WAIT_MS,
            last_ring: now_ms,
        });
        call.last_ring = now_ms;
        let caller = caller?;
        if !call.announced {
            call.announced = true;
            call.identified = !caller.number.is_empty();
            return Some(Event::Ringing(Some(caller)));
        }
        if call.identified || caller.number.is_empty() {
            return None;
        }
        call.identified = true;
        Some(Event::CallerIdentified(caller))
    }

    /// `AT+CLCC` listed a ringing incoming call with its number: the
    /// caller of the call that rings, if one does (none: it is over).
    pub(super) fn listed_caller(&mut self, now_ms: u64, caller: CallerId) -> Option<Event> {
        self.incoming.as_ref()?;
        self.on_ring(now_ms, Some(caller))
    }

    /// Our hang-up was answered `OK`: a ringing call is over.
    pub(super) fn hung_up(&mut self) -> Option<Event> {
        self.incoming.take().map(|_| Event::IncomingCallEnded)
    }

    /// `NO CARRIER`, `BUSY`, `NO ANSWER` (or the like): how the call ended.
    /// `None` while our call and an incoming one are both up: the line does
    /// not say whose it is (27.007 §6.1 names no call), and a stranger
    /// giving up must not end our alarm call. The driver then asks
    /// `AT+CLCC`, and [`Calls::listed`] decides.
    pub(super) fn call_over(&mut self, result: Final) -> Option<Event> {
        if self.call.is_some() && self.incoming.is_some() {
            self.unclear_end = Some(result);
            return None;
        }
        Some(self.end(result))
    }

    /// `AT+CLCC` answered: `ours` says whether our call was listed. An
    /// unclear end is the incoming call's if ours is still up, else ours;
    /// with none, our unanswered call missing from the list was rejected.
    pub(super) fn listed(&mut self, ours: bool) -> Option<Event> {
        match self.unclear_end.take() {
            Some(_) if ours => self.incoming.take().map(|_| Event::IncomingCallEnded),
            Some(result) => self.call.take().map(|call| Self::ended(&call, result)),
            None if !ours && self.unanswered() => Some(self.end(Final::NoCarrier)),
            None => None,
        }
    }

    /// A call whose end is clear: the incoming one if we have no call.
    fn end(&mut self, result: Final) -> Event {
        // No call of ours: the caller gave up before anyone answered.
        if self.call.is_none() && self.incoming.take().is_some() {
            return Event::IncomingCallEnded;
        }
        match self.call.take() {
            Some(call) => Self::ended(&call, result),
            None => Event::CallEnded(CallEnd::Ended),
        }
    }

    fn ended(call: &Call, result: Final) -> Event {
        Event::CallEnded(match call {
            Call { answered: true, .. } => CallEnd::Ended,
            _ if result == Final::NoAnswer => CallEnd::Unanswered,
            _ => CallEnd::Rejected,
        })
    }
}
