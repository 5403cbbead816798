//! The inbox: stored SMS from announcement to a verified delete. Reads
//! must agree before a message is handed out, deletes are checked by
//! reading again, fresh messages go before the start-up clean-up, and a
//! message found at start-up is stale unless a trusted clock shows it newer
//! than the start.

use chrono::{DateTime, FixedOffset};
use heapless::Vec;

use super::events::Event;
use super::{
    CLOCK_WAIT_MS, EMPTY_READS, MAX_PARTS, NOISY_READS, Op, TRACKED, UNDECODABLE_AFTER,
    VERIFY_RETRY_MS,
};
use crate::pdu;
use crate::reassembly::{Pushed, Reassembly};
use crate::text;

/// Different answers (by fingerprint) remembered for indices not decided
/// yet. Noise makes a new one at almost every read of a long line; the
/// answer actually stored keeps coming back and counting up.
const SIGHTINGS: usize = 24;

/// How a read message is recognised.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sighting {
    /// What the message is, the same in PDU and text mode ([`content_fingerprint`]).
    pub(super) content: u32,
    /// What came over the line: reads must agree on this.
    pub(super) line: u32,
    /// Reads that must agree before it is handed out.
    pub(super) reads: u8,
}

/// A text-mode `+CMGR` answer being collected: header parameters and body
/// lines (joined by LF).
#[derive(Default)]
pub(super) struct TextRead {
    pub(super) header: Vec<u8, 200>,
    pub(super) body: Vec<u8, 512>,
    pub(super) lines: u8,
}

/// Where a storage index stands between hand-out and deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Track {
    HandedOut,
    Deleting,
    /// The delete's answer was lost: it may have happened, and a new
    /// message may have landed at the freed index. Read it before deleting.
    Unsure,
}

/// What a `+CMGR` answer held, with the fingerprint of the stored entry.
#[allow(clippy::large_enum_variant)] // no alloc; it lives for one call
pub(super) enum Answer {
    Message(pdu::Deliver, Sighting),
    Undecodable(u32),
    /// A line of the wrong length, or not hex, after an intact header.
    Misshapen(u32),
    /// Certainly nothing stored: `+CMS ERROR: 321`, or `OK` without a line.
    Nothing,
    /// Lines that made no message: noise garbled what is stored.
    Garbled,
    /// An error, a timeout.
    Unclear,
}

/// A storage index handed out or condemned, until reads prove it deleted.
#[derive(Debug, Clone, Copy)]
struct Tracked {
    index: u16,
    track: Track,
    /// Fingerprint of what was read there.
    fingerprint: u32,
}

/// An answer read at an index not handed out or condemned yet.
#[derive(Debug, Clone, Copy)]
struct Seen {
    index: u16,
    fingerprint: u32,
    /// Reads that found it.
    reads: u8,
}

/// A set of SIM indices, as bits: what must hold for every index (a full
/// SIM holds 30, 50 or more messages) cannot live in a small table, whose
/// evictions would forget it. Indices above [`IndexSet::MAX`] (no SIM has
/// them; `AT+CPMS` selects the SIM) are not recorded.
#[derive(Default)]
struct IndexSet {
    bits: [u32; 8],
}

impl IndexSet {
    /// The highest index recorded.
    const MAX: u16 = 255;

    fn slot(index: u16) -> Option<(usize, u32)> {
        (index <= Self::MAX).then(|| (usize::from(index / 32), 1 << (index % 32)))
    }

    fn insert(&mut self, index: u16) {
        if let Some((word, bit)) = Self::slot(index) {
            if let Some(w) = self.bits.get_mut(word) {
                *w |= bit;
            }
        }
    }

    fn contains(&self, index: u16) -> bool {
        Self::slot(index)
            .and_then(|(word, bit)| Some(self.bits.get(word)? & bit != 0))
            .unwrap_or(false)
    }

    /// Removes `index`; whether it was there.
    fn remove(&mut self, index: u16) -> bool {
        let Some((word, bit)) = Self::slot(index) else {
            return false;
        };
        let Some(w) = self.bits.get_mut(word) else {
            return false;
        };
        let was = *w & bit != 0;
        *w &= !bit;
        was
    }
}

/// The inbox: what is stored on the SIM, from `+CMTI` or a list to a
/// verified delete.
pub(super) struct Inbox<const LONG: usize> {
    /// The first init's list is done: messages stored before
    /// [`Driver::new`](super::Driver::new) that no `+CMTI` announced since are stale.
    stale_cleared: bool,
    /// Indices found at start-up (the first init's list, no `+CMTI`):
    /// read (to know what is there), then handed out only if their SCTS is
    /// newer than the start on a trusted clock, else deleted unexecuted.
    /// An index stays here until its delete is verified: its work comes
    /// after every fresh message's.
    stale: IndexSet,
    /// When the driver started ([`Driver::new`](super::Driver::new)), on
    /// its monotonic clock.
    started_ms: u64,
    /// The wall time of that start (Unix seconds), once a trusted clock
    /// tells it. Seconds, not a `DateTime`: its arithmetic costs flash.
    started_at: Option<i64>,
    /// Indices read at least once since they were last decided.
    answered: IndexSet,
    /// Indices whose reads disagreed since they were last decided: the
    /// line is noisy there. Kept apart from the sightings, whose table
    /// forgets answers seen once.
    contested: IndexSet,
    /// Re-reads of answers that made no message wait until this, so the
    /// rest of the work (sends) is not starved by a message that never reads.
    reread_at: u64,
    /// The text-mode `+CMGR` answer being collected.
    pub(super) text_read: TextRead,
    tracked: Vec<Tracked, TRACKED>,
    /// No verifying read of an [`Track::Unsure`] index before this.
    verify_at: u64,
    /// Answers read at indices not handed out or condemned yet.
    sightings: Vec<Seen, SIGHTINGS>,
    /// Announced or listed indices not read yet; a full table drops the
    /// newest, which the next list finds again.
    unread: Vec<u16, TRACKED>,
    reassembly: Reassembly<LONG, MAX_PARTS>,
}

impl<const LONG: usize> Inbox<LONG> {
    pub(super) fn new(now_ms: u64) -> Self {
        Inbox {
            stale_cleared: false,
            stale: IndexSet::default(),
            started_ms: now_ms,
            started_at: None,
            answered: IndexSet::default(),
            contested: IndexSet::default(),
            reread_at: 0,
            text_read: TextRead::default(),
            tracked: Vec::new(),
            verify_at: 0,
            sightings: Vec::new(),
            unread: Vec::new(),
            reassembly: Reassembly::new(),
        }
    }

    /// The SMS handed out as `id` was handled: delete it.
    pub(super) fn ack(&mut self, id: u16) {
        let fingerprint = self.track_of(id).map_or(0, |(_, f)| f);
        self.track(id, Track::Deleting, fingerprint);
    }

    /// The first init's list is over: what it did not find is not stale.
    pub(super) fn list_done(&mut self) {
        self.stale_cleared = true;
    }

    /// Drops unfinished concatenated messages that waited too long.
    pub(super) fn expire(&mut self, now_ms: u64) {
        self.reassembly.expire(now_ms);
    }

    fn tracked(&self, index: u16) -> bool {
        self.track_of(index).is_some()
    }

    fn track_of(&self, index: u16) -> Option<(Track, u32)> {
        let entry = self.tracked.iter().find(|t| t.index == index);
        entry.map(|t| (t.track, t.fingerprint))
    }

    fn track(&mut self, index: u16, track: Track, fingerprint: u32) {
        let entry = Tracked {
            index,
            track,
            fingerprint,
        };
        match self.tracked.iter_mut().find(|t| t.index == index) {
            Some(old) => *old = entry,
            None => {
                self.tracked.push(entry).ok();
            }
        }
    }

    /// Forgets a decided index: its delete is verified, or a new message
    /// landed there (which is fresh).
    fn untrack(&mut self, index: u16) {
        if self.tracked(index) {
            self.stale.remove(index);
        }
        self.tracked.retain(|t| t.index != index);
    }

    /// A trusted clock reads `time` at `now_ms`: the start's wall time
    /// follows. The first one counts (the kept clock at boot, or network
    /// time); they agree to within seconds.
    pub(super) fn trusted_time(&mut self, now_ms: u64, time: DateTime<FixedOffset>) {
        if self.started_at.is_some() {
            return;
        }
        let since = now_ms.saturating_sub(self.started_ms) / 1000;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        self.started_at = Some(time.timestamp().saturating_sub(since));
    }

    /// Whether a message found at start-up, sent at `sent_at` (SCTS), is
    /// fresh: newer than the start on a trusted clock. Without one, or
    /// without a time stamp, it is stale (manual §17).
    fn fresh_at_start(&self, sent_at: Option<DateTime<FixedOffset>>) -> bool {
        sent_at
            .zip(self.started_at)
            .is_some_and(|(sent, start)| sent.timestamp() > start)
    }

    /// An index whose delete may not have happened; of a fresh message
    /// (`fresh`) or of the start-up clean-up.
    fn unsure(&self, fresh: bool) -> Option<u16> {
        let unsure = self
            .tracked
            .iter()
            .find(|t| t.track == Track::Unsure && self.stale.contains(t.index) != fresh);
        unsure.map(|t| t.index)
    }

    /// When a verifying read is due, if one waits.
    pub(super) fn verify_due(&self) -> Option<u64> {
        self.unsure(true)
            .or_else(|| self.unsure(false))
            .map(|_| self.verify_at)
    }

    /// Reads of messages found at start-up wait up to [`CLOCK_WAIT_MS`]
    /// for a trusted clock (network time comes with registration) that
    /// could show them fresh; until when, if they wait.
    pub(super) fn clock_wait(&self) -> Option<u64> {
        let until = self.started_ms + CLOCK_WAIT_MS;
        let waits =
            self.started_at.is_none() && self.unread.iter().any(|&i| self.stale.contains(i));
        waits.then_some(until)
    }

    /// The next storage command: fresh messages' work first, the start-up
    /// clean-up's after it (a full SIM of old messages must not delay a
    /// command sent now). For each: deletes (they free room), then reads
    /// while there is room to hand out (`room`: for an event and its text),
    /// then verifying reads. `send_due`: a send waits, and goes before a
    /// re-read.
    pub(super) fn next_op(&mut self, now_ms: u64, room: bool, send_due: bool) -> Option<Op> {
        let clock_waits = self.clock_wait().is_some_and(|until| now_ms < until);
        for fresh in [true, false] {
            let deleting = self
                .tracked
                .iter()
                .find(|t| t.track == Track::Deleting && self.stale.contains(t.index) != fresh);
            if let Some(t) = deleting {
                return Some(Op::Delete(t.index));
            }
            // After an answer that made no message, a due send goes first.
            let reads_wait = now_ms < self.reread_at && send_due || (!fresh && clock_waits);
            // Room for one more message event, its text and one more tracked
            // index; the clean-up leaves two for fresh messages.
            let reserve = if fresh { 0 } else { 2 };
            let can_hand_out = room && self.tracked.len() + reserve < TRACKED;
            let stale = &self.stale;
            let unread = self.unread.iter().position(|&i| stale.contains(i) != fresh);
            if let Some(position) = unread.filter(|_| can_hand_out && !reads_wait) {
                return Some(Op::Read(self.unread.remove(position)));
            }
            // A verify frees its slot or reuses it: it needs no new one.
            let verify = self
                .unsure(fresh)
                .filter(|_| now_ms >= self.verify_at && room);
            if let Some(index) = verify {
                return Some(Op::Read(index));
            }
        }
        None
    }

    /// Notes `index` for reading unless it is handed out, being deleted or
    /// already noted (`reading`: its read is in flight). A fresh index
    /// finds room in a table full of stale ones: the newest stale one gives
    /// way (the next list finds it again).
    pub(super) fn want_read(&mut self, index: u16, reading: bool) {
        if reading || self.tracked(index) || self.unread.contains(&index) {
            return;
        }
        if self.unread.is_full() && !self.stale.contains(index) {
            let stale = &self.stale;
            if let Some(last) = self.unread.iter().rposition(|&i| stale.contains(i)) {
                self.unread.remove(last);
            }
        }
        self.unread.push(index).ok();
    }

    /// Reads `index` next: its read timed out, and a read changes nothing.
    pub(super) fn read_first(&mut self, index: u16) {
        if self.tracked(index) {
            return;
        }
        self.unread.retain(|&i| i != index);
        self.unread.insert(0, index).ok();
        self.reread_at = 0;
    }

    /// A `+CMGL` line of the init's list: at the first init after
    /// [`Driver::new`](super::Driver::new), a message no `+CMTI` announced was stored before:
    /// stale. It is read like any other (so a delete can be checked
    /// against what was there) and deleted unexecuted.
    pub(super) fn listed(&mut self, index: u16, reading: bool) {
        let announced = self.unread.contains(&index) || self.tracked(index);
        if !self.stale_cleared && !announced {
            self.stale.insert(index);
        }
        self.want_read(index, reading);
    }

    /// Deleted or not? Read the index before trying again.
    pub(super) fn delete_unsure(&mut self, index: u16) {
        if let Some((_, fingerprint)) = self.track_of(index) {
            self.track(index, Track::Unsure, fingerprint);
        }
    }

    /// The text-mode `+CMGR` answer collected in [`Inbox::text_read`].
    /// `unframed`: its body had no `<length>` and it ended at a final
    /// result that may have been one of its lines; `tail`: lines came after
    /// that result. Then a body holding a line the modem could have sent
    /// (a result code, a header), or any tail, makes no message: it is
    /// deleted unexecuted, since where its text ends is unknown.
    pub(super) fn text_answer(&self, unframed: bool, tail: bool) -> Answer {
        let t = &self.text_read;
        let line = fnv1a(fnv1a(FNV_BASIS, &t.header), &t.body);
        let modem_like = t
            .body
            .split(|&b| b == b'\n')
            .any(crate::codec::is_modem_line);
        if unframed && (tail || modem_like) {
            return Answer::Undecodable(fnv1a(line, b"unframed"));
        }
        match text::deliver(&t.header, 1, &t.body) {
            Some(d) => {
                // Text lines are longer and full of repeated characters,
                // where one lost byte reads the same wherever it was lost:
                // one more read.
                let sighting = Sighting {
                    content: content_fingerprint(&d),
                    line,
                    reads: 3,
                };
                Answer::Message(d, sighting)
            }
            None => Answer::Undecodable(line),
        }
    }

    /// What reading storage `index` found.
    ///
    /// AT has no checksum and noise can garble a read, but it rarely garbles
    /// two reads the same way: a message is handed out once enough reads
    /// agree ([`Sighting::reads`]), an undecodable entry is condemned after
    /// [`UNDECODABLE_AFTER`] equal reads, and an index whose delete may not
    /// have happened is deleted again if it still holds what was handed
    /// out; a different entry there is a new message once reads agree, and
    /// only "nothing stored" [`EMPTY_READS`] times in a row clears it.
    ///
    /// `room`: an event and its text fit in the queue; `reading`: the read
    /// of `index` is still in flight. Returns the event to hand out.
    pub(super) fn read_answer(
        &mut self,
        now_ms: u64,
        index: u16,
        answer: Answer,
        room: bool,
        reading: bool,
    ) -> Option<Event> {
        let fingerprint = match &answer {
            Answer::Message(_, s) => Some(s.content),
            Answer::Undecodable(f) | Answer::Misshapen(f) => Some(*f),
            Answer::Nothing | Answer::Garbled | Answer::Unclear => None,
        };
        if fingerprint.is_some() || matches!(answer, Answer::Garbled) {
            // Something is stored: "nothing" must start counting again.
            self.sightings
                .retain(|e| (e.index, e.fingerprint) != (index, NOTHING));
        }
        let unsure = match self.track_of(index) {
            Some((Track::Unsure, old)) if fingerprint == Some(old) => {
                self.track(index, Track::Deleting, old);
                return None;
            }
            // A garbled command may have read another, empty index: only
            // "nothing" [`EMPTY_READS`] times in a row clears it.
            Some((Track::Unsure, _)) if matches!(answer, Answer::Nothing) => {
                if self.sighting(index, NOTHING) >= EMPTY_READS {
                    self.forget_sightings(index);
                    self.untrack(index);
                } else {
                    self.verify_at = now_ms;
                }
                return None;
            }
            Some((Track::Unsure, _)) => true,
            // A re-read of a message already handed out.
            Some(_) => return None,
            None => false,
        };
        // Reads agree on what came over the line, not only on what it decoded to.
        let seen = match &answer {
            Answer::Message(_, s) => self.sighting(index, s.line),
            Answer::Garbled | Answer::Unclear => self.sighting(index, GARBLED),
            _ => fingerprint.map_or(0, |f| self.sighting(index, f)),
        };
        match answer {
            Answer::Message(d, s) if seen >= s.reads + self.contested_extra(index, s.line) => {
                let f = s.content;
                self.forget_sightings(index);
                self.untrack(index);
                return self.on_sms(now_ms, index, &d, f, room, reading);
            }
            // A line of the wrong shape is condemned only if every read of
            // the index gave it (kept in `contested`, which no table
            // eviction forgets; past its range nothing is known, so such
            // an index is never condemned, only read again, paced): noise
            // makes such lines of good messages too.
            Answer::Misshapen(f)
                if seen >= UNDECODABLE_AFTER
                    && index <= IndexSet::MAX
                    && !self.contested.contains(index) =>
            {
                self.stale.remove(index);
                self.forget_sightings(index);
                self.track(index, Track::Deleting, f);
                return Some(Event::SmsUndecodable { id: index });
            }
            Answer::Undecodable(f) if seen >= UNDECODABLE_AFTER => {
                self.stale.remove(index);
                self.forget_sightings(index);
                self.track(index, Track::Deleting, f);
                return Some(Event::SmsUndecodable { id: index });
            }
            _ if unsure => self.verify_at = now_ms + VERIFY_RETRY_MS,
            // Read it again at once to confirm it.
            Answer::Message(..) => {
                if !self.unread.contains(&index) {
                    self.unread.insert(0, index).ok();
                }
            }
            // Something is stored there: read it again after the others,
            // and not before the rest of the work had its turn.
            Answer::Undecodable(_) | Answer::Misshapen(_) | Answer::Garbled | Answer::Unclear => {
                self.reread_at = now_ms + VERIFY_RETRY_MS;
                self.want_read(index, reading);
            }
            Answer::Nothing => {}
        }
        None
    }

    /// How many reads found `fingerprint` at `index`, this one included.
    /// Not necessarily in a row: on a noisy line few reads of a long PDU
    /// arrive intact, and the garbled ones in between are all different.
    fn sighting(&mut self, index: u16, fingerprint: u32) -> u8 {
        let same = |e: &&mut Seen| (e.index, e.fingerprint) == (index, fingerprint);
        if let Some(entry) = self.sightings.iter_mut().find(same) {
            entry.reads = entry.reads.saturating_add(1);
            return entry.reads;
        }
        // A new answer at an index that gave another one before.
        if self.answered.contains(index) {
            self.contested.insert(index);
        }
        self.answered.insert(index);
        if self.sightings.is_full() {
            // The oldest answer seen only once goes first: it was most likely noise.
            let once = self.sightings.iter().position(|e| e.reads == 1);
            self.sightings.remove(once.unwrap_or(0));
        }
        let seen = Seen {
            index,
            fingerprint,
            reads: 1,
        };
        self.sightings.push(seen).ok();
        1
    }

    /// Reads of `index` that must agree on top of the usual: [`NOISY_READS`]
    /// if reads of it also found something else (or garbage). The line is
    /// noisy there, and the same garbling does come back: a duplicated and
    /// a lost digit in runs (`0000`, `44`) give the same line wherever in
    /// the run they hit, one read in a few thousand at 5 % noise.
    fn contested_extra(&self, index: u16, fingerprint: u32) -> u8 {
        let contested = self
            .sightings
            .iter()
            .any(|e| e.index == index && e.fingerprint != fingerprint);
        if contested { NOISY_READS } else { 0 }
    }

    fn forget_sightings(&mut self, index: u16) {
        self.sightings.retain(|e| e.index != index);
        self.answered.remove(index);
        self.contested.remove(index);
    }

    /// A confirmed message read from storage `index`.
    fn on_sms(
        &mut self,
        now_ms: u64,
        index: u16,
        deliver: &pdu::Deliver,
        fingerprint: u32,
        room: bool,
        reading: bool,
    ) -> Option<Event> {
        // Reads wait for room, so this does not happen; if it did, the
        // message stays stored and is read again once there is room.
        if !room {
            self.want_read(index, reading);
            return None;
        }
        // Found at start-up: stale unless a trusted clock shows it fresh.
        // It stays in `stale` until its delete is verified (its work waits).
        if self.stale.contains(index) && !self.fresh_at_start(deliver.timestamp) {
            self.track(index, Track::Deleting, fingerprint);
            return None;
        }
        match self.reassembly.push(now_ms, deliver) {
            Pushed::Complete(m) => {
                self.track(index, Track::HandedOut, fingerprint);
                Some(Event::Sms {
                    id: index,
                    from: m.sender,
                    text: m.text,
                    sent_at: deliver.timestamp,
                })
            }
            _ => {
                self.track(index, Track::Deleting, fingerprint);
                None
            }
        }
    }
}

pub(super) const FNV_BASIS: u32 = 0x811C_9DC5;
/// The fingerprint of "nothing stored there".
pub(super) const NOTHING: u32 = 0;
/// The fingerprint of an answer too garbled to say what is stored.
pub(super) const GARBLED: u32 = 1;

/// FNV-1a: a cheap fingerprint to tell a stored message from line noise.
pub(super) fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// What a message is, the same in PDU and text mode (the mode may change
/// at a re-init): sender, time stamp, text (or data). Noise in other
/// fields (SMSC, `<stat>`, which turns READ) does not make it another.
pub(super) fn content_fingerprint(d: &pdu::Deliver) -> u32 {
    let stamp = d.timestamp.map_or(0, |t| t.timestamp());
    let f = fnv1a(FNV_BASIS, d.sender.number.as_bytes());
    let f = fnv1a(f, &stamp.to_le_bytes());
    let f = fnv1a(f, d.user_data.text.as_bytes());
    match d.user_data.text.is_empty() {
        true => fnv1a(f, &d.user_data.data),
        false => f,
    }
}
