//! The weekly scheduler (manual §12): each rule fires once as the device clock
//! enters its minute; nothing fires while the clock is unset, and a clock
//! that jumps does not catch up on the minutes it skipped.

use chrono::{Datelike, Timelike};
use heapless::Vec;
use isocket_proto::ScheduleAction;

use crate::engine::{Engine, Recipient};
use crate::settings::SCHEDULER_RULES;
use crate::temperature::ProbeUse;
use crate::time::Instant;

impl Engine {
    pub(crate) fn scheduler_tick(&mut self, now: Instant) {
        self.scheduler_next = self.clock.next_minute(now);
        // Locked (manual §8): time goes on, no rule runs.
        let Some(wall) = self.clock.at(now).map(|t| t.datetime()) else {
            return;
        };
        if self.locked {
            return;
        }
        let due: Vec<ScheduleAction, SCHEDULER_RULES> = self
            .settings
            .scheduler
            .iter()
            .filter(|rule| {
                u32::from(rule.at.hour()) == wall.hour()
                    && u32::from(rule.at.minute()) == wall.minute()
                    && rule.day.includes(wall.weekday())
            })
            .map(|rule| rule.action)
            .collect();
        for action in due {
            match action {
                ScheduleAction::On => {
                    self.switch_relay(now, true);
                }
                ScheduleAction::Off => {
                    self.switch_relay(now, false);
                }
                ScheduleAction::Report => {
                    self.wait_for_probe(now, Recipient::AlertNumbers, ProbeUse::Status)
                }
                ScheduleAction::Arm => self.set_armed(now, true),
                ScheduleAction::Disarm => self.set_armed(now, false),
            }
        }
    }
}
