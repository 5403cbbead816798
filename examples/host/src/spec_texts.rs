//! Every SMS text SPEC.md allows the device to send, as regular expressions.
//! Property tests and the soak check each sent SMS against this list, so a
//! reply outside the specification fails them.

use std::sync::OnceLock;

use regex::RegexSet;

const TEMP: &str = r"-?\d+C\(-?\d+F\)";
const TIME: &str = r"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d";
const ZONE: &str = r"[+-]\d\d(:\d\d)?";
const ON_OFF_SETTINGS: &str =
    "SECLIST|SMSCONFIRM|ERROR|SMSCONFIRMUNAUTH|SWITCHOFFALERT|TSENSFAILALERT|POWERALERT";

fn patterns() -> Vec<String> {
    let datetime = format!("{TIME}{ZONE}");
    let probe = format!("({TEMP}|Sensor error!|No sensor)");
    let on_off_listing =
        format!("({ON_OFF_SETTINGS})=(\\(ON\\),OFF|ON,\\(OFF\\)|\\(OFF\\),ON|OFF,\\(ON\\))");
    let thermostat_mode = "(HEATING|COOLING)";
    let enabled = "(Enabled|Disabled)";
    let time_suffix = format!("( Time: {TIME})?");
    vec![
        // §3 errors
        r"[^\n]* - No such command exists on the device!".into(),
        "Invalid access password!".into(),
        "Incorrect value!".into(),
        r"[^\n]* - Time for configuration expired \(Conf\)!".into(),
        "List is full!".into(),
        "Execute error!".into(),
        "Access deny!".into(),
        "SECLIST is not active!".into(),
        // §4–§5 confirmations
        "Your phone number has been assigned for all types of alerts and was added to security list which has been activated".into(),
        "Your phone number has been assigned for all types of alerts!".into(),
        r"(SECNUMBER|ALERTNUMBER)[+-](\d{1,15}|ALL) - OK".into(),
        format!("({ON_OFF_SETTINGS})=(ON|OFF) - OK"),
        r"PASSWORD=(\*{5}|NO) - OK".into(),
        "RINGCONFIRM=(SMS|CALL|OFF) - OK".into(),
        r"RESTARTTIME=\d+ - OK".into(),
        "RING=(SWITCH|RESTART|NOACTION) - OK".into(),
        format!("(TRISEALERT|TFALLALERT)=({TEMP}|OFF) - OK"),
        format!("DATE={datetime} - OK"),
        format!("DATE {datetime} - OK"),
        "SENSORTYPE=(NO|NC) - OK".into(),
        "ALERT=(SMS|CALL|SMSCHANGE|OFF) - OK".into(),
        r"RELAYTIME=(ON\d+|OFF\d+|ON|OFF|0) - OK".into(),
        r"SCHEDULER\+\d\d:\d\d,[*1-7],(ON|OFF|INF|AON|AOF) - OK".into(),
        r"SCHEDULER-(\d\d:\d\d|ALL) - OK".into(),
        "POWERSTATE=(REMEMBER|ON|OFF) - OK".into(),
        "CREDITUMS=([*#][0-9*#]*#|NO) - OK".into(),
        // §6
        "Power socket (ON|OFF)".into(),
        r"Power (ON|OFF) for \d+ seconds".into(),
        "Power socket restarted".into(),
        format!(
            "Power socket (ON|OFF)\nSignal: ((Excellent|Good|Fair|Poor|Very poor) \\(-?\\d+dBm\\)|Unknown)\n\
             TEMP: {probe}\nALARMF: {enabled}\nALARM status: (No activity|Activated)\nTime: ({TIME}|not set)"
        ),
        format!("TEMPERATURE: {probe}"),
        format!("Power socket is ON from: {TIME}"),
        r"Power socket is ON for: \d+d \d\d:\d\d:\d\d".into(),
        "Power socket is OFF".into(),
        // §9 thermostat and alerts
        format!("THERMOSTATON - OK\nTHERMOSTAT={thermostat_mode}\nSwitch-off temperature: {TEMP}\nNote! Thermostat is working now!"),
        "THERMOSTATOFF - OK\nNote! Thermostat was disabled!".into(),
        format!("THERMOSTAT={thermostat_mode} - OK\nSwitch-off temperature: {TEMP}\nTHERMOSTAT: {enabled}"),
        format!("SWITCHOFFTEMP={TEMP} - OK\nTHERMOSTAT={thermostat_mode}\nTHERMOSTAT: {enabled}"),
        format!("SWITCHOFFALERT! Power socket switched OFF at {TEMP}"),
        "TSENSFAILALERT! Temperature sensor failure".into(),
        format!("TRISEALERT! Temperature {TEMP} is above {TEMP}"),
        format!("TFALLALERT! Temperature {TEMP} is below {TEMP}"),
        // §10
        format!("DATE ({datetime}|not set)"),
        // §11
        "ALARMON - OK\nALARM function: Enabled".into(),
        "ALARMOFF - OK\nALARM function: Disabled".into(),
        format!("ALARM log:(\n({TIME}|time not set))+"),
        "ALARM log: empty".into(),
        format!("ALARM! Sensor activated!{time_suffix}"),
        format!("Sensor returned to normal state.{time_suffix}"),
        // §13
        format!("Power failure!{time_suffix}"),
        format!("Power restored! Power socket (ON|OFF).{time_suffix}"),
        // §15
        "isocket [a-z0-9-]+".into(),
        r"S/N: [^\n]+".into(),
        r"v\d+\.\d+\.\d+ \(isocket\)".into(),
        // Inf queries
        r"(SECNUMBER|ALERTNUMBER)s: (none|\d{1,15}(,\d{1,15})*)".into(),
        on_off_listing,
        r"PASSWORD=(\*{5}|NO)".into(),
        r"RINGCONFIRM=(\(SMS\),CALL,OFF|SMS,\(CALL\),OFF|SMS,CALL,\(OFF\))".into(),
        r"RESTARTTIME=\d+ seconds".into(),
        r"RING=(\(NOACTION\),RESTART,SWITCH|NOACTION,\(RESTART\),SWITCH|NOACTION,RESTART,\(SWITCH\))".into(),
        format!("THERMOSTAT: {enabled}\nTHERMOSTAT={thermostat_mode}\nSwitch-off temperature: {TEMP}"),
        format!("SWITCHOFFTEMP={TEMP}"),
        format!("(TRISEALERT|TFALLALERT)=({TEMP}|OFF)"),
        r"SENSORTYPE=(\(NO\),NC|NO,\(NC\))".into(),
        r"ALERT=(\(SMS\),CALL,SMSCHANGE,OFF|SMS,\(CALL\),SMSCHANGE,OFF|SMS,CALL,\(SMSCHANGE\),OFF|SMS,CALL,SMSCHANGE,\(OFF\))".into(),
        r"RELAYTIME=(ON\d+|OFF\d+|ON|OFF|0)".into(),
        format!("ALARM function: {enabled}\nSensor\\(s\\): (Connected|Not connected)\nALARM status: (No activity|Activated)"),
        r"\d\d:\d\d,[*1-7],(ON|OFF|INF|AON|AOF)(\n\d\d:\d\d,[*1-7],(ON|OFF|INF|AON|AOF))*".into(),
        "SCHEDULER: empty".into(),
        r"POWERSTATE=(\(REMEMBER\),ON,OFF|REMEMBER,\(ON\),OFF|REMEMBER,ON,\(OFF\))".into(),
        "CREDITUMS: ([*#][0-9*#]*#|NO)".into(),
    ]
}

fn set() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        let anchored: Vec<String> = patterns().iter().map(|p| format!("^(?:{p})$")).collect();
        RegexSet::new(anchored).unwrap_or_else(|_| RegexSet::empty())
    })
}

/// Whether `text` is one of the texts SPEC.md lets the device send.
///
/// USSD answers are the operator's own text and are not covered.
pub fn is_spec_text(text: &str) -> bool {
    set().is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for pattern in patterns() {
            assert!(
                regex::Regex::new(&format!("^(?:{pattern})$")).is_ok(),
                "{pattern}"
            );
        }
        assert!(!set().is_empty());
    }

    #[test]
    fn accepts_spec_texts_and_rejects_others() {
        for text in [
            "Power socket ON",
            "SECLIST=OFF,(ON)",
            "Power ON for 30 seconds",
            "RESTARTTIME=10 seconds",
            "Power socket ON\nSignal: Good (-67dBm)\nTEMP: 25C(77F)\nALARMF: Disabled\nALARM status: No activity\nTime: 26/11/21,14:05:09",
            "ALARM log:\n26/11/21,14:05:09\ntime not set",
            "TRISEALERT! Temperature 36C(97F) is above 35C(95F)",
        ] {
            assert!(is_spec_text(text), "{text:?}");
        }
        for text in [
            "Power socket on",
            "OK",
            "SECLIST=ON,OFF",
            "Power ON for 30 seconds ",
            "",
        ] {
            assert!(!is_spec_text(text), "{text:?}");
        }
    }
}
