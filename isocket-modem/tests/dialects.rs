#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The driver against the emulated modem of every family, as its vendor's
//! manual describes it (`isocket_modem::testing::dialect`): slow boots,
//! brown-out reboots, silent resets, LTE-only registration, calls that keep
//! ringing, USSD sessions, SIM trouble and slow storage commands.

use isocket_modem::driver::{CLOCK_WAIT_MS, Driver, Event, State};
use isocket_modem::profile::{self, PowerWiring, Profile};
use isocket_modem::testing::{
    Dialect, Domains, FarEnd, ScriptedModem, SimCard, UssdSession, Wiring, dialect,
};

/// Each family with the driver profile made for it.
const FAMILIES: [(&Dialect, &Profile); 6] = [
    (&dialect::SIM800, &profile::SIM800),
    (&dialect::SIM7600, &profile::SIM7600),
    (&dialect::A7670, &profile::A7670),
    (&dialect::M66, &profile::M66),
    (&dialect::EC21, &profile::EC21),
    (&dialect::GENERIC, &profile::GENERIC),
];

const PDU: &str = "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37";

/// A modem that has been on for a while and a driver that just started.
fn up(family: &'static Dialect, profile: &'static Profile) -> (ScriptedModem, Driver) {
    let mut m = ScriptedModem::with_dialect(family, 1);
    let mut d = Driver::new(profile, 0);
    let events = m.run(&mut d, 3_000);
    assert!(
        events.contains(&Event::State(State::Ready)),
        "{}: {events:?}",
        family.name
    );
    (m, d)
}

/// Runs until `texts` arrived or `ms` passed, acking each message.
fn receive(m: &mut ScriptedModem, d: &mut Driver, ms: u64) -> Vec<String> {
    let mut got = Vec::new();
    for _ in 0..ms / 100 {
        for e in m.run(d, 100) {
            if let Event::Sms { id, text, .. } = e {
                got.push(text.to_string());
                d.ack(id);
            }
        }
    }
    got
}

#[test]
fn a_message_announced_before_the_first_command_is_executed_and_stale_ones_are_not() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        m.store(PDU); // on the SIM before this start: stale
        // The board restarted, the modem did not: it still announces.
        m.volatile.cnmi = true;
        m.deliver_at(
            "+4915112345678",
            "MAKEMEBOSS",
            chrono::DateTime::UNIX_EPOCH.into(),
        );
        let mut d = Driver::new(profile, 0);
        // The stale one waits CLOCK_WAIT_MS for a clock that could show it fresh.
        let got = receive(&mut m, &mut d, 10_000 + CLOCK_WAIT_MS);
        assert_eq!(got, ["MAKEMEBOSS"], "{}", family.name);
        assert!(m.sim.is_empty(), "{}: the stale one deleted", family.name);
        assert!(!m.log.iter().any(|c| c == "AT+CMGD=1,4"), "{}", family.name);
    }
}

#[test]
fn a_message_arriving_during_a_slow_boot_is_executed() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        m.store(PDU);
        m.power_pin(true); // powered with the board: boots now
        let mut d = Driver::new(profile, 0);
        // It arrives once the init has listed the SIM, before +CMTI is on.
        for _ in 0..600 {
            m.run(&mut d, 100);
            if m.log.iter().any(|c| c.starts_with("AT+CMGL")) {
                break;
            }
        }
        m.deliver_at("+4915112345678", "ON", chrono::DateTime::UNIX_EPOCH.into());
        let got = receive(&mut m, &mut d, 40_000);
        assert_eq!(got, ["ON"], "{}", family.name);
        assert!(m.sim.is_empty(), "{}", family.name);
    }
}

#[test]
fn a_brown_out_reboot_is_waited_out_without_text_mode_or_power_cycle() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = up(family, profile);
        m.reboot();
        m.run(&mut d, 60_000);
        assert_eq!(d.state(), State::Ready, "{}", family.name);
        assert!(!d.text_mode(), "{}: no text-mode fallback", family.name);
        assert!(m.power.is_empty(), "{}: no power cycle", family.name);
        assert!(
            m.volatile.cnmi && m.volatile.clip,
            "{}: settings restored",
            family.name
        );
        m.deliver_at(
            "+4915112345678",
            "STATUS",
            chrono::DateTime::UNIX_EPOCH.into(),
        );
        assert_eq!(
            receive(&mut m, &mut d, 5_000),
            ["STATUS"],
            "{}",
            family.name
        );
    }
}

#[test]
fn a_silent_reset_is_found_within_30_s_and_the_settings_restored() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = up(family, profile);
        m.run(&mut d, 1_000);
        m.silent_reset();
        // The next registration poll shows the power-on `n`; the init then
        // waits for the modem to be up again.
        m.run(&mut d, 30_000 + family.sms_ready_ms);
        assert!(m.volatile.cnmi && m.volatile.clip, "{}", family.name);
        assert_eq!(m.volatile.reg_n[0], 2, "{}", family.name);
        assert!(m.power.is_empty(), "{}", family.name);
        m.deliver_at("+4915112345678", "ON", chrono::DateTime::UNIX_EPOCH.into());
        assert_eq!(receive(&mut m, &mut d, 5_000), ["ON"], "{}", family.name);
    }
}

#[test]
fn rts_flow_control_is_asked_for_and_restored_after_a_silent_reset() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        let mut d = Driver::new(profile, 0).with_rts_flow_control();
        m.run(&mut d, 3_000 + family.sms_ready_ms);
        assert_eq!(d.state(), State::Ready, "{}", family.name);
        assert!(m.volatile.rts, "{}: AT+IFC=2,0 in the init", family.name);
        m.silent_reset();
        assert!(!m.volatile.rts);
        m.run(&mut d, 30_000 + family.sms_ready_ms);
        assert!(m.volatile.rts, "{}: restored", family.name);
    }
    // Without the option the modem is left as it powers up.
    let (m, _) = up(FAMILIES[0].0, FAMILIES[0].1);
    assert!(!m.volatile.rts);
}

#[test]
fn eps_only_registration_counts_as_registered() {
    for (family, profile) in FAMILIES.into_iter().filter(|(f, _)| f.domains.eps) {
        let mut m = ScriptedModem::with_dialect(family, 1);
        m.domains = Domains {
            cs: false,
            ps: false,
            eps: true,
        };
        let mut d = Driver::new(profile, 0);
        m.run(&mut d, 3_000);
        d.send_sms("+4915112345678", "Power failure!").unwrap();
        let events = m.run(&mut d, 10_000);
        assert!(
            events.iter().any(|e| matches!(e, Event::SmsSent { .. })),
            "{}: {events:?}",
            family.name
        );
    }
}

#[test]
fn one_incoming_call_is_one_event_and_one_end_however_long_it_rings() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = up(family, profile);
        m.ring("+4915112345678");
        let events = m.run(&mut d, 45_000);
        let rings: Vec<&Event> = events
            .iter()
            .filter(|e| matches!(e, Event::Ringing(_)))
            .collect();
        assert_eq!(rings.len(), 1, "{}: {events:?}", family.name);
        assert!(
            matches!(rings[0], Event::Ringing(Some(c)) if c.number == "+4915112345678"),
            "{}",
            family.name
        );
        let ends = events
            .iter()
            .filter(|e| **e == Event::IncomingCallEnded)
            .count();
        assert_eq!(ends, 1, "{}: {events:?}", family.name);
    }
}

#[test]
fn hang_up_ends_a_ringing_call_in_every_dialect() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = up(family, profile);
        m.ring("+4915112345678");
        let events = m.run(&mut d, 2_000);
        assert!(events.iter().any(|e| matches!(e, Event::Ringing(Some(_)))));
        d.hang_up();
        let events = m.run(&mut d, 15_000);
        assert!(m.hung_up_incoming, "{}: still ringing", family.name);
        assert!(
            events.contains(&Event::IncomingCallEnded),
            "{}",
            family.name
        );
        assert!(
            !events.iter().any(|e| matches!(e, Event::Ringing(_))),
            "{}: no second call",
            family.name
        );
    }
}

#[test]
fn an_unanswered_call_rings_until_the_caller_gives_up() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = up(family, profile);
        m.far_end = FarEnd::Ignores;
        d.dial("+4915112345678");
        // Manual §7: the call-back rings 15 s before the device hangs up.
        let events = m.run(&mut d, 15_000);
        assert!(
            !events.contains(&Event::CallAnswered),
            "{}: {events:?}",
            family.name
        );
        assert!(m.call_ringing(), "{}", family.name);
    }
}

#[test]
fn only_the_ussd_answer_is_relayed() {
    for session in [UssdSession::Done, UssdSession::Menu, UssdSession::Release] {
        for (family, profile) in FAMILIES {
            let (mut m, mut d) = up(family, profile);
            m.ussd_session = session;
            d.ussd("*100#");
            let events = m.run(&mut d, 20_000);
            let answers: Vec<String> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Ussd(u) => Some(u.text.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(answers, ["Balance 5.00"], "{} {session:?}", family.name);
            let cancelled = m.log.iter().any(|c| c == "AT+CUSD=2");
            assert_eq!(cancelled, session == UssdSession::Menu, "{}", family.name);
        }
    }
}

#[test]
fn sim_trouble_escalates_to_a_power_cycle_with_back_off() {
    for card in [SimCard::NotReady, SimCard::Pin, SimCard::Missing] {
        let mut m = ScriptedModem::new(1);
        m.sim_card = card;
        let mut d = Driver::new(&profile::SIM800, 0);
        m.run(&mut d, 60_000);
        let asks = m.log.iter().filter(|c| *c == "AT+CPIN?").count();
        assert!(asks <= 40, "{card:?}: no tight loop ({asks} asks a minute)");
        assert!(
            m.power.contains(&false),
            "{card:?}: power-cycled {:?}",
            m.log
        );
        m.run(&mut d, 10 * 60_000);
        let cycles = m.power.iter().filter(|on| !**on).count();
        assert!(
            (2..=8).contains(&cycles),
            "{card:?}: back-off ({cycles} cycles)"
        );
    }
}

#[test]
fn lost_registration_reinitialises_then_power_cycles() {
    let (mut m, mut d) = up(&dialect::SIM800, &profile::SIM800);
    m.set_registered(false);
    m.run(&mut d, 5 * 60_000 + 5_000);
    assert!(m.power.is_empty(), "first a re-init");
    let inits = m.log.iter().filter(|c| *c == "ATE0").count();
    assert_eq!(inits, 2);
    m.run(&mut d, 5 * 60_000 + 5_000);
    assert!(
        m.power.is_empty(),
        "no power cycle 10 minutes in: maybe an outage"
    );
    m.run(&mut d, 5 * 60_000 + 5_000);
    assert!(m.power.contains(&false), "then a power cycle");
    m.run(&mut d, 25 * 60_000);
    let cycles = m.power.iter().filter(|on| !**on).count();
    assert_eq!(cycles, 2, "the next after 20 more minutes");
}

#[test]
fn slow_storage_commands_are_not_typed_twice() {
    let mut m = ScriptedModem::new(1);
    m.storage_ms_per_message = 250; // 30 messages: 7.5 s, longer than an ordinary timeout
    for _ in 0..30 {
        m.store(PDU);
    }
    let mut d = Driver::new(&profile::SIM800, 0);
    // The list goes out at once and is answered 7.5 s later.
    let mut events = m.run(&mut d, 7_400);
    assert_eq!(
        m.log.iter().filter(|c| *c == "AT+CMGL=4").count(),
        1,
        "not typed again while the modem works"
    );
    events.extend(m.run(&mut d, 1_000));
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
}

#[test]
fn a_slow_network_send_is_waited_for_not_repeated() {
    let (mut m, mut d) = up(&dialect::SIM800, &profile::SIM800);
    m.send_delay_ms = 40_000;
    d.send_sms("+4915112345678", "Power failure!").unwrap();
    let events = m.run(&mut d, 45_000);
    assert!(events.iter().any(|e| matches!(e, Event::SmsSent { .. })));
    assert_eq!(m.sent.len(), 1, "sent once");
}

#[test]
fn a_stored_line_of_the_wrong_shape_is_condemned_and_does_not_starve_sends() {
    let (mut m, mut d) = up(&dialect::SIM800, &profile::SIM800);
    // Odd-length hex: no modem line noise, a broken stored entry.
    let index = m.store("07912143658709F1040B91810055151");
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{index}\r\n"));
    d.send_sms("+4915112345678", "Power socket ON").unwrap();
    let events = m.run(&mut d, 5_000);
    assert!(
        events.iter().any(|e| matches!(e, Event::SmsSent { .. })),
        "{events:?}"
    );
    assert!(
        events.contains(&Event::SmsUndecodable { id: index }),
        "{events:?}"
    );
    let reads = m.log.iter().filter(|c| c.starts_with("AT+CMGR=")).count();
    assert!(reads <= 6, "{reads} reads");
}

#[test]
fn a_full_sim_is_emptied_of_stale_messages_and_the_network_then_delivers() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        for _ in 0..m.capacity {
            m.store(PDU);
        }
        m.volatile.cnmi = true;
        let index = m.deliver_at("+4915112345678", "ON", chrono::DateTime::UNIX_EPOCH.into());
        assert_eq!(index, 0, "{}: no room, the network keeps it", family.name);
        let mut d = Driver::new(profile, 0);
        let got = receive(&mut m, &mut d, 60_000 + CLOCK_WAIT_MS);
        assert_eq!(got, ["ON"], "{}", family.name);
        assert!(
            m.sim.is_empty() && m.network_queue.is_empty(),
            "{}",
            family.name
        );
    }
}

#[test]
fn behind_pwrkey_a_hung_modem_is_pulsed_off_and_on_again() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        m.wiring = Wiring::PwrKey;
        let mut d = Driver::new(profile, 0).with_power_wiring(PowerWiring::PWRKEY);
        m.run(&mut d, 3_000);
        m.hung = true;
        m.run(&mut d, 3 * 60_000);
        assert!(m.powered && !m.hung, "{}: {:?}", family.name, m.power);
        assert_eq!(d.state(), State::Ready, "{}", family.name);
        assert_eq!(
            m.power,
            [false, true, false, true],
            "{}: off, then on",
            family.name
        );
    }
}

#[test]
fn behind_pwrkey_a_running_modem_is_restarted_by_command_never_pulsed() {
    for (family, profile) in FAMILIES {
        let mut m = ScriptedModem::with_dialect(family, 1);
        m.wiring = Wiring::PwrKey;
        m.sim_card = SimCard::Missing;
        let mut d = Driver::new(profile, 0).with_power_wiring(PowerWiring::PWRKEY);
        m.run(&mut d, 10 * 60_000);
        assert!(m.power.is_empty(), "{}: never toggled off", family.name);
        assert!(m.powered, "{}", family.name);
        let resets = m.log.iter().filter(|c| *c == "AT+CFUN=1,1").count();
        assert!(
            (2..=8).contains(&resets),
            "{}: {resets} restarts, with back-off",
            family.name
        );
    }
}

#[test]
fn behind_pwrkey_with_status_a_modem_seen_off_is_pulsed_on() {
    let mut m = ScriptedModem::new(1);
    m.wiring = Wiring::PwrKey;
    m.power_pin(false); // the board's pin at rest
    m.power.clear();
    m.powered = false;
    let mut d = Driver::new(&profile::SIM800, 0).with_power_wiring(PowerWiring::PWRKEY_STATUS);
    d.modem_status(0, false);
    let events = m.run(&mut d, 30_000);
    assert_eq!(m.power, [false, true], "one pulse");
    assert!(m.powered);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
}

/// The families that start with autobaud (SIM800 manual §2.2.41, M66
/// manual AT+IPR: factory setting 0), where a reset prints nothing and
/// the first line after it only finds the baud rate; and the generic one,
/// whose reset is silent too.
const AUTOBAUD: [(&Dialect, &Profile); 3] = [
    (&dialect::SIM800, &profile::SIM800),
    (&dialect::M66, &profile::M66),
    (&dialect::GENERIC, &profile::GENERIC),
];

#[test]
fn a_silent_reset_is_found_and_the_modem_set_up_again_within_20_s() {
    for (family, profile) in AUTOBAUD {
        // Wherever the reset falls between two settings checks.
        for offset in [0, 2_500, 5_000, 7_500, 9_900] {
            let (mut m, mut d) = up(family, profile);
            m.run(&mut d, 30_000 + offset);
            m.silent_reset();
            assert!(!m.volatile.cnmi && !m.volatile.clip);
            // When each command went out.
            let mut sent = Vec::new();
            for _ in 0..200 {
                let start = m.log.len();
                m.run(&mut d, 100);
                sent.extend(m.log[start..].iter().map(|c| (m.now, c.clone())));
            }
            let name = family.name;
            assert!(m.volatile.cnmi && m.volatile.clip, "{name} +{offset}");
            assert_eq!(m.volatile.reg_n[0], 2, "{name} +{offset}");
            assert!(m.power.is_empty(), "{name} +{offset}: no power cycle");
            // The swallowed query was asked again at its timeout, not 2 or 30 s later.
            let polls: Vec<u64> = sent
                .iter()
                .filter(|(_, c)| c == "AT+CREG?")
                .map(|(t, _)| *t)
                .collect();
            let timeout = isocket_modem::driver::COMMAND_TIMEOUT_MS;
            assert!(polls[1] - polls[0] <= timeout + 200, "{name}: {polls:?}");
        }
    }
}

#[test]
fn a_call_that_rings_after_a_silent_reset_is_identified_once_in_the_same_call() {
    for (family, profile) in AUTOBAUD {
        let name = family.name;
        let (mut m, mut d) = up(family, profile);
        m.run(&mut d, 31_000);
        m.silent_reset();
        m.run(&mut d, 2_000);
        // The owner calls: the modem forgot AT+CLIP=1, so RING comes alone.
        m.ring("+4915112345678");
        let events = m.run(&mut d, 18_000);
        let caller = isocket_modem::calls::CallerId {
            number: "+4915112345678".try_into().unwrap(),
            toa: 145,
        };
        let ringing: Vec<_> = events
            .iter()
            .filter(|e| matches!(e, Event::Ringing(_) | Event::CallerIdentified(_)))
            .collect();
        assert_eq!(
            ringing,
            [&Event::Ringing(None), &Event::CallerIdentified(caller)],
            "{name}"
        );
        assert!(m.volatile.clip && m.volatile.cnmi, "{name}: set up again");
        assert!(
            !events.contains(&Event::IncomingCallEnded),
            "{name}: one call"
        );
    }
}

#[test]
fn a_withheld_caller_stays_unidentified() {
    let (mut m, mut d) = up(&dialect::SIM800, &profile::SIM800);
    m.run(&mut d, 1_000);
    // 27.007 §7.6: `+CLIP` with an empty number for a withheld one.
    m.ring("");
    let events = m.run(&mut d, 20_000);
    let ringing = events.iter().filter(|e| matches!(e, Event::Ringing(_)));
    assert_eq!(ringing.count(), 1);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::CallerIdentified(_)))
    );
}

/// The wall time when the board (and the driver) started in the tests below.
fn start() -> chrono::DateTime<chrono::FixedOffset> {
    "2026-12-07T20:00:00+01:00".parse().unwrap()
}

/// A modem powered up with the board, and a message stored during its
/// start-up, before `AT+CNMI` is set: 27.005 §3.4.1 has `<mt>` 0 at power
/// on, so nothing announces it and the init's list finds it.
fn stored_during_start_up(
    family: &'static Dialect,
    profile: &'static Profile,
    sent_after_start_s: i64,
) -> (ScriptedModem, Driver) {
    let mut m = ScriptedModem::with_dialect(family, 1);
    m.power_pin(true);
    let d = Driver::new(profile, 0);
    let sent = start() + chrono::TimeDelta::seconds(sent_after_start_s);
    assert_ne!(m.deliver_at("+4915112345678", "ON", sent), 0);
    assert!(!m.volatile.cnmi, "{}: not announced", family.name);
    (m, d)
}

#[test]
fn a_message_stored_during_start_up_runs_when_the_kept_clock_shows_it_fresh() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = stored_during_start_up(family, profile, 2);
        // The board's battery-backed clock, as it read at boot.
        d.trusted_time(0, start());
        assert_eq!(receive(&mut m, &mut d, 40_000), ["ON"], "{}", family.name);
        assert!(m.sim.is_empty(), "{}", family.name);
    }
}

#[test]
fn a_message_sent_before_the_start_is_stale_whatever_the_clock() {
    for (family, profile) in FAMILIES {
        // Sent during the power cut, delivered as the modem came up.
        let (mut m, mut d) = stored_during_start_up(family, profile, -60);
        d.trusted_time(0, start());
        assert!(
            receive(&mut m, &mut d, 40_000).is_empty(),
            "{}",
            family.name
        );
        assert!(m.sim.is_empty(), "{}: deleted unexecuted", family.name);
    }
}

#[test]
fn without_a_trusted_clock_a_message_stored_during_start_up_is_stale() {
    for (family, profile) in FAMILIES {
        let (mut m, mut d) = stored_during_start_up(family, profile, 2);
        let got = receive(&mut m, &mut d, CLOCK_WAIT_MS + 20_000);
        assert!(got.is_empty(), "{}: {got:?}", family.name);
        assert!(m.sim.is_empty(), "{}: deleted unexecuted", family.name);
    }
}

#[test]
fn network_time_within_the_wait_shows_a_message_stored_during_start_up_fresh() {
    // SIMCom 2G reports network time (`*PSUTTZ`) with AT+CLTS=1 (SIM800 manual, AT+CLTS).
    let (mut m, mut d) = stored_during_start_up(&dialect::SIM800, &profile::SIM800, 2);
    m.run(&mut d, 15_000);
    m.network_time(start() + chrono::TimeDelta::seconds(15));
    assert_eq!(receive(&mut m, &mut d, CLOCK_WAIT_MS), ["ON"]);
    assert!(m.sim.is_empty());
}

#[test]
fn a_fresh_command_goes_before_the_clean_up_of_a_full_sim() {
    for (family, profile) in FAMILIES {
        let name = family.name;
        let mut m = ScriptedModem::with_dialect(family, 1);
        for _ in 0..25 {
            m.store(PDU); // old messages, from 2011
        }
        // SIM800 manual, AT+CMGL and AT+CMGD: up to 20 s and 25 s for a
        // full SIM (50 messages): 0.5 s a message.
        m.storage_ms_per_message = 500;
        let mut d = Driver::new(profile, 0);
        d.trusted_time(0, start());
        // Up and listing: the command comes right after start-up.
        for _ in 0..600 {
            m.run(&mut d, 100);
            if d.state() == State::Ready {
                break;
            }
        }
        let sent = start() + chrono::TimeDelta::milliseconds(m.now as i64);
        m.deliver_at("+4915112345678", "MAKEMEBOSS", sent);
        let arrived = m.now;
        let mut handed_out = None;
        for _ in 0..600 {
            for e in m.run(&mut d, 100) {
                if let Event::Sms { id, text, .. } = e {
                    assert_eq!(text, "MAKEMEBOSS", "{name}: only the fresh one");
                    handed_out.get_or_insert(m.now);
                    d.ack(id);
                }
            }
        }
        let took = handed_out.expect(name) - arrived;
        assert!(took <= 20_000, "{name}: handed out after {took} ms");
        assert!(m.sim.is_empty(), "{name}: the old ones deleted too");
    }
}
