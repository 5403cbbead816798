//! Random event sequences on the simulated device: nothing panics, every SMS
//! the device sends is one of SPEC's texts, and the relay always matches the
//! last command, timer, button press or reboot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use isocket_host::scenario::{ProbeSetting, Step};
use isocket_host::sim::Simulator;
use isocket_host::spec_texts::is_spec_text;
use proptest::prelude::*;

const BOSS: &str = "+4915112345678";

/// Commands that do not touch security or the relay.
const NEUTRAL: &[&str] = &[
    "STATUS",
    "TEMPERATURE",
    "RUNTIME",
    "DATE",
    "SECNUMBER?",
    "RING?",
    "RESTARTTIME?",
    "THERMOSTAT=COOLING",
    "SWITCHOFFTEMP=25C",
    "TRISEALERT=30C",
    "TFALLALERT=OFF",
    "SHOWALARMLOG",
    "HARDWARE",
    "SERIALNUM",
    "FIRMWARE",
    "BLAH",
    "ON0",
    "RING=",
    "ALERTME",
    "SMSCONFIRM=OFF",
    "SMSCONFIRM=ON",
    "ERROR=OFF",
    "ERROR=ON",
    "ALARM?",
    "SENSORTYPE=NC",
    "RELAYTIME=ON60",
    "CREDITUMS=*100#",
    "POWERSTATE=ON",
    "DATE=26/02/29,00:00:00+01",
];

#[derive(Debug, Clone)]
enum Op {
    On,
    Off,
    OnFor(u32),
    OffFor(u32),
    Restart,
    RestartTime(u32),
    Neutral(&'static str),
    Stranger(String),
    StrangerCall,
    BossCall,
    Button,
    Advance(u64),
    Reboot,
    Temp(ProbeSetting),
    Network(bool),
    Signal(Option<i16>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::On),
        Just(Op::Off),
        (1u32..=120).prop_map(Op::OnFor),
        (1u32..=120).prop_map(Op::OffFor),
        Just(Op::Restart),
        (1u32..=60).prop_map(Op::RestartTime),
        proptest::sample::select(NEUTRAL).prop_map(Op::Neutral),
        "[ -~]{0,40}".prop_map(Op::Stranger),
        Just(Op::StrangerCall),
        Just(Op::BossCall),
        Just(Op::Button),
        (0u64..200_000).prop_map(Op::Advance),
        Just(Op::Reboot),
        prop_oneof![
            (-60 * 16..130 * 16i32).prop_map(ProbeSetting::Reads),
            Just(ProbeSetting::Fails),
            Just(ProbeSetting::Absent)
        ]
        .prop_map(Op::Temp),
        any::<bool>().prop_map(Op::Network),
        proptest::option::of(-120i16..=-40).prop_map(Op::Signal),
    ]
}

/// What the relay should do, from the commands alone.
#[derive(Debug, Default)]
struct RelayModel {
    on: bool,
    base: bool,
    timer: Option<(u64, bool)>,
    restart_secs: u64,
    now_ms: u64,
}

impl RelayModel {
    fn switch(&mut self, on: bool) {
        self.on = on;
        self.base = on;
        self.timer = None;
    }

    fn switch_for(&mut self, on: bool, secs: u64) {
        self.on = on;
        self.base = !on;
        self.timer = Some((self.now_ms + secs * 1000, !on));
    }

    fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
        if let Some((at, then)) = self.timer {
            if at <= self.now_ms {
                self.on = then;
                self.timer = None;
            }
        }
    }
}

fn sms(sim: &mut Simulator, from: &str, text: &str) {
    sim.run(&Step::Sms {
        from: from.into(),
        text: text.into(),
    })
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..60)) {
        let mut sim = Simulator::new();
        sms(&mut sim, BOSS, "MAKEMEBOSS");
        let mut model = RelayModel { restart_secs: 10, ..RelayModel::default() };
        for op in &ops {
            match op {
                Op::On => { sms(&mut sim, BOSS, "ON"); model.switch(true) }
                Op::Off => { sms(&mut sim, BOSS, "off"); model.switch(false) }
                Op::OnFor(n) => { sms(&mut sim, BOSS, &format!("ON{n}")); model.switch_for(true, u64::from(*n)) }
                Op::OffFor(n) => { sms(&mut sim, BOSS, &format!("OFF{n}")); model.switch_for(false, u64::from(*n)) }
                Op::Restart => {
                    sms(&mut sim, BOSS, "RESTART");
                    let before = model.on;
                    model.switch_for(!before, model.restart_secs);
                }
                Op::RestartTime(n) => {
                    sms(&mut sim, BOSS, &format!("RESTARTTIME={n}"));
                    model.restart_secs = u64::from(*n);
                }
                Op::Neutral(text) => sms(&mut sim, BOSS, text),
                Op::Stranger(text) => sms(&mut sim, "+4930999999", text),
                Op::StrangerCall => sim.run(&Step::Call("+4930999999".into())).unwrap(),
                Op::BossCall => sim.run(&Step::Call(BOSS.into())).unwrap(),
                Op::Button => {
                    sim.run(&Step::ButtonPress).unwrap();
                    let on = !model.on;
                    model.switch(on);
                }
                Op::Advance(ms) => {
                    sim.run(&Step::Advance(Duration::from_millis(*ms))).unwrap();
                    model.advance(*ms);
                }
                Op::Reboot => {
                    sim.run(&Step::Reboot).unwrap();
                    model.on = model.base;
                    model.timer = None;
                }
                Op::Temp(setting) => sim.run(&Step::Temp(*setting)).unwrap(),
                Op::Network(up) => {
                    let step = if *up { Step::NetworkBack } else { Step::NetworkLost };
                    sim.run(&step).unwrap();
                }
                Op::Signal(dbm) => sim.run(&Step::Signal(*dbm)).unwrap(),
            }
            prop_assert_eq!(sim.relay_is_on(), model.on, "after {:?}", op);
            for sent in sim.drain_sent() {
                prop_assert!(is_spec_text(&sent.text), "not a SPEC text: {:?} after {:?}", sent.text, op);
            }
        }
    }
}
