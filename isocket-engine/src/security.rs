//! Credit and password protection beyond the manual (manual §3, §19): a
//! per-number lock-out after repeated wrong passwords, a device-wide bound
//! on password guesses, and daily budgets of error replies.

use heapless::{Deque, Vec};
use isocket_proto::{PhoneNumber, Timestamp};
use serde::{Deserialize, Serialize};

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
/// Wrong passwords from all numbers together within [`FAILURE_WINDOW`]
/// that close the password check to numbers the socket does not know
/// (manual §19): a stranger rotating numbers gets at most this many guesses
/// an hour.
pub const DEVICE_PASSWORD_FAILURES: usize = 10;
/// Numbers that gave the right password, remembered in the settings: they
/// keep being heard while the password check is closed to others.
pub const KNOWN_NUMBERS: usize = 4;
/// How long a number stays known after it last gave the right password: 30 days.
pub const KNOWN_NUMBER_DAYS: i64 = 30;

/// A number that gave the right password, and on which day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownNumber {
    /// The number.
    pub number: PhoneNumber,
    /// The day it last gave the right password, in days since 1970-01-01
    /// (UTC) by the device clock; `None` while the clock was unset.
    pub last_right: Option<u32>,
}

/// The day of `time`, in days since 1970-01-01 UTC.
fn day(time: Option<Timestamp>) -> Option<u32> {
    u32::try_from(time?.datetime().timestamp().div_euclid(24 * 3600)).ok()
}

/// Whether `known` counts as known on day `today`: it gave the right
/// password within [`KNOWN_NUMBER_DAYS`]. While either day is unknown
/// (the clock was or is unset) it counts: the list is small and only ever
/// holds numbers that knew the password.
fn is_recent(known: &KnownNumber, today: Option<u32>) -> bool {
    match (known.last_right, today) {
        (Some(then), Some(today)) => i64::from(today) - i64::from(then) < KNOWN_NUMBER_DAYS,
        _ => true,
    }
}

/// Whether `number` gave the right password in the last 30 days.
pub(crate) fn is_known(
    list: &[KnownNumber],
    number: Option<&PhoneNumber>,
    now: Option<Timestamp>,
) -> bool {
    let today = day(now);
    number.is_some_and(|n| list.iter().any(|k| &k.number == n && is_recent(k, today)))
}

/// Remembers that `number` gave the right password at `now`; whether the
/// list changed (and must be saved). A number already known within the
/// same day is not written again (flash wear); a new one replaces the
/// entry heard from longest ago.
pub(crate) fn remember<const N: usize>(
    list: &mut Vec<KnownNumber, N>,
    number: &PhoneNumber,
    now: Option<Timestamp>,
) -> bool {
    let fresh = KnownNumber {
        number: number.clone(),
        last_right: day(now),
    };
    if let Some(entry) = list.iter_mut().find(|k| &k.number == number) {
        let stale = match (entry.last_right, fresh.last_right) {
            (Some(then), Some(today)) => today > then,
            (None, Some(_)) => true,
            _ => false,
        };
        if stale {
            *entry = fresh;
        }
        return stale;
    }
    if list.is_full() {
        // The oldest entry (unknown times count as oldest) gives way.
        let oldest = list
            .iter()
            .enumerate()
            .min_by_key(|(_, k)| k.last_right)
            .map_or(0, |(i, _)| i);
        list.swap_remove(oldest);
    }
    list.push(fresh).is_ok()
}

/// The device-wide bound on password guesses: after
/// [`DEVICE_PASSWORD_FAILURES`] wrong passwords from all numbers within an
/// hour, the password check is closed to unknown numbers until an hour
/// after the last wrong guess.
#[derive(Debug, Clone, Default)]
pub(crate) struct Guesses {
    wrong: Deque<Instant, DEVICE_PASSWORD_FAILURES>,
    closed_until: Option<Instant>,
}

impl Guesses {
    pub(crate) fn is_closed(&self, now: Instant) -> bool {
        self.closed_until.is_some_and(|until| now < until)
    }

    /// Counts a wrong password from any number.
    pub(crate) fn record_failure(&mut self, now: Instant) {
        while self
            .wrong
            .front()
            .is_some_and(|t| now.since(*t) >= FAILURE_WINDOW)
        {
            self.wrong.pop_front();
        }
        if self.wrong.is_full() {
            self.wrong.pop_front();
        }
        // Cannot fail: a slot was freed above.
        let _ = self.wrong.push_back(now);
        if self.wrong.len() >= DEVICE_PASSWORD_FAILURES || self.is_closed(now) {
            self.closed_until = Some(now + FAILURE_WINDOW);
        }
    }
}

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
    #[test]
    fn ten_wrong_passwords_from_anyone_close_the_check_for_an_hour_after_the_last() {
        let mut guesses = Guesses::default();
        let t0 = Instant::from_millis(0);
        for i in 0..9 {
            guesses.record_failure(t0 + mins(i));
        }
        assert!(!guesses.is_closed(t0 + mins(9)));
        guesses.record_failure(t0 + mins(9));
        assert!(guesses.is_closed(t0 + mins(9)));
        assert!(guesses.is_closed(t0 + mins(68)));
        assert!(!guesses.is_closed(t0 + mins(69)));
        // Guesses spread over more than an hour never close it.
        let mut slow = Guesses::default();
        for i in 0..30 {
            slow.record_failure(t0 + mins(i * 7));
            assert!(!slow.is_closed(t0 + mins(i * 7)), "guess {i}");
        }
    }

    #[test]
    fn known_numbers_expire_after_thirty_days_and_the_oldest_gives_way() {
        let day = |d: u32| Timestamp::from_local((2026, 1, d), (12, 0, 0), 0);
        let mut list: Vec<KnownNumber, 2> = Vec::new();
        let a = PhoneNumber::parse("491").unwrap();
        let b = PhoneNumber::parse("492").unwrap();
        let c = PhoneNumber::parse("493").unwrap();
        assert!(remember(&mut list, &a, day(1)));
        assert!(
            !remember(&mut list, &a, day(1)),
            "known the same day: no write"
        );
        assert!(remember(&mut list, &b, day(2)));
        assert!(is_known(&list, Some(&a), day(30)));
        assert!(!is_known(&list, Some(&a), day(31)));
        assert!(remember(&mut list, &c, day(3)));
        assert!(!is_known(&list, Some(&a), day(3)), "the oldest gave way");
        assert!(is_known(&list, Some(&b), day(3)) && is_known(&list, Some(&c), day(3)));
        assert!(!is_known(&list, None, day(3)));
    }

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
