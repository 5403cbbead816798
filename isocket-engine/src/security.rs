//! Credit protection beyond the manual (manual §3): a per-number lock-out
//! after repeated wrong passwords, and a daily budget of error replies.

use heapless::{Deque, Vec};
use isocket_proto::PhoneNumber;

use crate::time::{Instant, mins};

/// Wrong passwords from one number within [`FAILURE_WINDOW`] that lock it out.
pub const MAX_PASSWORD_FAILURES: usize = 5;
/// How long wrong passwords count, and how long a lock-out lasts: 1 hour.
pub const FAILURE_WINDOW: core::time::Duration = mins(60);
/// Error replies sent per [`ERROR_BUDGET_WINDOW`] at most.
pub const ERROR_REPLY_BUDGET: usize = 20;
/// The error budget's window: 24 hours.
pub const ERROR_BUDGET_WINDOW: core::time::Duration = mins(24 * 60);
/// Senders tracked for the lock-out; the least recently seen is forgotten first.
const TRACKED_SENDERS: usize = 8;

#[derive(Debug, Clone)]
struct Sender {
    /// `None` stands for every sender without a usable number.
    number: Option<PhoneNumber>,
    failures: Deque<Instant, MAX_PASSWORD_FAILURES>,
    locked_until: Option<Instant>,
    last_seen: Instant,
}

/// Locks out a number for an hour after 5 wrong passwords within an hour.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lockout {
    senders: Vec<Sender, TRACKED_SENDERS>,
}

impl Lockout {
    pub(crate) fn is_locked(&self, number: Option<&PhoneNumber>, now: Instant) -> bool {
        self.find(number)
            .and_then(|s| s.locked_until)
            .is_some_and(|until| now < until)
    }

    /// Counts a wrong password; the fifth within the window starts a lock-out.
    pub(crate) fn record_failure(&mut self, number: Option<&PhoneNumber>, now: Instant) {
        let Some(sender) = self.entry(number, now) else {
            return;
        };
        sender.last_seen = now;
        while sender
            .failures
            .front()
            .is_some_and(|t| now.since(*t) >= FAILURE_WINDOW)
        {
            sender.failures.pop_front();
        }
        if sender.failures.is_full() {
            sender.failures.pop_front();
        }
        // Cannot fail: a slot was freed above.
        let _ = sender.failures.push_back(now);
        if sender.failures.len() >= MAX_PASSWORD_FAILURES {
            sender.locked_until = Some(now + FAILURE_WINDOW);
            sender.failures.clear();
        }
    }

    fn find(&self, number: Option<&PhoneNumber>) -> Option<&Sender> {
        self.senders.iter().find(|s| s.number.as_ref() == number)
    }

    fn entry(&mut self, number: Option<&PhoneNumber>, now: Instant) -> Option<&mut Sender> {
        if let Some(i) = self
            .senders
            .iter()
            .position(|s| s.number.as_ref() == number)
        {
            return self.senders.get_mut(i);
        }
        if self.senders.is_full() {
            // Forget the sender seen least recently, unless it is locked out.
            let evict = self
                .senders
                .iter()
                .enumerate()
                .min_by_key(|(_, s)| (s.locked_until.is_some_and(|u| now < u), s.last_seen))
                .map(|(i, _)| i)
                .unwrap_or(0);
            self.senders.swap_remove(evict);
        }
        let fresh = Sender {
            number: number.cloned(),
            failures: Deque::new(),
            locked_until: None,
            last_seen: now,
        };
        self.senders.push(fresh).ok()?;
        self.senders.last_mut()
    }
}

/// At most 20 error replies in any 24 hours.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorBudget {
    sent: Deque<Instant, ERROR_REPLY_BUDGET>,
}

impl ErrorBudget {
    /// Takes one error reply from the budget, if any is left.
    pub(crate) fn try_spend(&mut self, now: Instant) -> bool {
        while self
            .sent
            .front()
            .is_some_and(|t| now.since(*t) >= ERROR_BUDGET_WINDOW)
        {
            self.sent.pop_front();
        }
        self.sent.push_back(now).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::secs;

    fn number(n: &str) -> Option<PhoneNumber> {
        PhoneNumber::parse(n)
    }

    #[test]
    fn fifth_failure_within_an_hour_locks_for_an_hour() {
        let mut lockout = Lockout::default();
        let a = number("491");
        let t0 = Instant::from_millis(0);
        for i in 0..4 {
            lockout.record_failure(a.as_ref(), t0 + mins(i * 10));
        }
        assert!(!lockout.is_locked(a.as_ref(), t0 + mins(40)));
        lockout.record_failure(a.as_ref(), t0 + mins(50));
        assert!(lockout.is_locked(a.as_ref(), t0 + mins(50)));
        assert!(lockout.is_locked(a.as_ref(), t0 + mins(109)));
        assert!(!lockout.is_locked(a.as_ref(), t0 + mins(110)));
        assert!(!lockout.is_locked(number("492").as_ref(), t0 + mins(50)));
    }

    #[test]
    fn failures_older_than_an_hour_do_not_count() {
        let mut lockout = Lockout::default();
        let a = number("491");
        let t0 = Instant::from_millis(0);
        for i in 0..5 {
            lockout.record_failure(a.as_ref(), t0 + mins(i * 16));
        }
        // The first failure (t0) is 64 min before the fifth: only four count.
        assert!(!lockout.is_locked(a.as_ref(), t0 + mins(64)));
        lockout.record_failure(a.as_ref(), t0 + mins(65));
        assert!(lockout.is_locked(a.as_ref(), t0 + mins(65)));
    }

    #[test]
    fn a_full_table_forgets_the_quietest_sender_but_keeps_lockouts() {
        let mut lockout = Lockout::default();
        let t0 = Instant::from_millis(0);
        let locked = number("100");
        for _ in 0..5 {
            lockout.record_failure(locked.as_ref(), t0);
        }
        for n in 0..20u32 {
            let other = PhoneNumber::parse(&format!("2{n}"));
            lockout.record_failure(other.as_ref(), t0 + secs(u64::from(n) + 1));
        }
        assert!(lockout.is_locked(locked.as_ref(), t0 + mins(30)));
    }

    #[test]
    fn budget_allows_twenty_per_day() {
        let mut budget = ErrorBudget::default();
        let t0 = Instant::from_millis(0);
        for i in 0..20 {
            assert!(budget.try_spend(t0 + mins(i)), "reply {i}");
        }
        assert!(!budget.try_spend(t0 + mins(60)));
        assert!(!budget.try_spend(t0 + mins(24 * 60 - 1)));
        // The first reply leaves the window 24 h after it was sent.
        assert!(budget.try_spend(t0 + mins(24 * 60)));
        assert!(!budget.try_spend(t0 + mins(24 * 60)));
    }
}
