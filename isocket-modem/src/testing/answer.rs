//! The emulated modem's answers to command lines, per its [`Dialect`].

use std::format;
use std::string::{String, ToString};

use super::{
    Call, DialProgress, OK, ScriptedModem, SimCard, UssdSession, csq_rssi, text_records, tpdu_len,
};
use crate::testing::Dialect;

/// Commands of the SMS service: `+CMS ERROR: 314` (SIM busy) while it starts.
const SMS_COMMANDS: &[&str] = &[
    "AT+CMGF", "AT+CNMI", "AT+CPMS", "AT+CMGL", "AT+CMGR", "AT+CMGD", "AT+CMGS", "AT+CSCS",
    "AT+CSDH",
];
/// Commands of the call service: `ERROR` until `Call Ready`.
const CALL_COMMANDS: &[&str] = &["AT+CLIP", "AT+COLP", "AT+CVHU", "AT+MORING", "ATD"];
/// The registration commands, in the order of [`super::Volatile::reg_n`].
const REGISTRATION: [&str; 3] = ["AT+CREG", "AT+CGREG", "AT+CEREG"];

/// A final result on its own line.
fn line(text: &str) -> String {
    format!("\r\n{text}\r\n")
}

impl ScriptedModem {
    /// The modem's answer to one command line: its echo (while `ATE1`),
    /// then the answer; nothing while it boots or is silent.
    pub(super) fn answer(&mut self, command: &str) -> String {
        self.log.push(command.to_string());
        if self.silent || self.hung || !self.powered || self.uptime() < self.dialect.at_ready_ms {
            // Before its AT interpreter is up, a modem loses what it is sent.
            return String::new();
        }
        // Autobaud: the first line after a reset finds the baud rate.
        if core::mem::take(&mut self.unsynced) {
            return String::new();
        }
        if core::mem::take(&mut self.reboot_next) {
            self.reboot();
            return String::new();
        }
        let body = core::mem::take(&mut self.awaiting_pdu);
        let echo = match self.volatile.echo && !body {
            true => format!("{command}\r"),
            false => String::new(),
        };
        let reply = match body {
            true => self.pdu_typed(command),
            false => self.reply(command),
        };
        echo + &reply
    }

    /// The `OK` that ends an answer, unless the test drops it.
    fn ok(&mut self) -> &'static str {
        match core::mem::take(&mut self.drop_next_ok) {
            true => "",
            false => OK,
        }
    }

    /// The text after `AT+CMGS`'s prompt, ended by Ctrl-Z (send) or ESC (cancel).
    fn pdu_typed(&mut self, typed: &str) -> String {
        let Some(hex) = typed.strip_suffix('\u{1a}') else {
            return line("ERROR");
        };
        if let Some(cause) = self.refusal(hex) {
            // Not sent: `sent_to` keeps step with `sent`.
            if self.text_mode {
                self.sent_to.pop();
            }
            return self.later(self.send_delay_ms, line(&format!("+CMS ERROR: {cause}")));
        }
        self.sent.push(hex.to_string());
        let reference = self.next_reference;
        self.next_reference = self.next_reference.wrapping_add(1);
        let ok = self.ok();
        self.later(
            self.send_delay_ms,
            format!("\r\n+CMGS: {reference}\r\n{ok}"),
        )
    }

    /// The network's refusal of the message typed after the prompt, if any.
    fn refusal(&self, typed: &str) -> Option<u16> {
        if let Some(cause) = self.send_error.filter(|&c| c < 300) {
            return Some(cause);
        }
        let to = super::sent_part(self.text_mode, self.sent_to.last(), typed)?.0;
        let digits = |n: &str| n.trim_start_matches('+').to_string();
        self.refuse_to
            .iter()
            .find(|(number, _)| digits(number) == digits(&to))
            .map(|&(_, cause)| cause)
    }

    /// `answer` given after `delay_ms`; the modem reads no command meanwhile.
    fn later(&mut self, delay_ms: u64, answer: String) -> String {
        if delay_ms == 0 {
            return answer;
        }
        self.delayed = Some((self.now + delay_ms, answer));
        String::new()
    }

    /// Whether the service `commands` belong to is still starting.
    fn starting(&self, command: &str, commands: &[&str], ready_ms: u64) -> bool {
        commands.iter().any(|c| command.starts_with(c)) && self.uptime() < ready_ms
    }

    fn reply(&mut self, command: &str) -> String {
        let d: &Dialect = self.dialect;
        if command == "AT+CPIN?" && self.uptime() < d.sim_ready_ms {
            return line("+CME ERROR: 14");
        }
        if self.starting(command, SMS_COMMANDS, d.sms_ready_ms) {
            return line("+CMS ERROR: 314");
        }
        if self.starting(command, CALL_COMMANDS, d.call_ready_ms) {
            return line("ERROR");
        }
        if command == "AT+CPIN?" {
            return match self.sim_card {
                SimCard::Ready => format!("\r\n+CPIN: READY\r\n{}", self.ok()),
                SimCard::Pin => format!("\r\n+CPIN: SIM PIN\r\n{}", self.ok()),
                SimCard::NotReady => format!("\r\n+CPIN: NOT READY\r\n{}", self.ok()),
                SimCard::Missing => line("+CME ERROR: 10"),
            };
        }
        let sms = SMS_COMMANDS.iter().any(|c| command.starts_with(c));
        match self.sim_card {
            SimCard::Ready => {}
            _ if !sms => {}
            SimCard::Pin => return line("+CMS ERROR: 311"),
            SimCard::NotReady => return line("+CMS ERROR: 314"),
            SimCard::Missing => return line("+CMS ERROR: 310"),
        }
        if let Some(answer) = self.setting(command) {
            return answer;
        }
        if let Some(answer) = self.registration(command) {
            return answer;
        }
        self.service(command)
    }

    /// Commands that change a volatile setting; `None` for any other.
    fn setting(&mut self, command: &str) -> Option<String> {
        let d = self.dialect;
        let v = &mut self.volatile;
        let value = |prefix: &str| command.strip_prefix(prefix)?.parse::<u8>().ok();
        let known = match command {
            "ATE0" | "ATE1" => {
                v.echo = command == "ATE1";
                true
            }
            "AT+CMEE=1" => true,
            "AT+CSDH=1" | "AT+CSDH=0" if !self.refuses_csdh => {
                v.csdh = command == "AT+CSDH=1";
                true
            }
            c if c.starts_with("AT+CPMS=") || c.starts_with("AT+CSCS=") => true,
            c if c.starts_with("AT+CNMI=") => {
                // <mt> (the second parameter) 1: `+CMTI` for each stored message.
                v.cnmi = c.split(',').nth(1).is_some_and(|mt| mt == "1");
                true
            }
            c if c.starts_with("AT+CLIP=") => value("AT+CLIP=").is_some_and(|n| {
                v.clip = n == 1;
                n <= 1
            }),
            c if c.starts_with("AT+COLP=") => value("AT+COLP=").is_some_and(|n| {
                v.colp = n == 1;
                n <= 1
            }),
            c if c.starts_with("AT+MORING=") && d.dial == DialProgress::MoRing => {
                value("AT+MORING=").is_some_and(|n| {
                    v.moring = n == 1;
                    n <= 1
                })
            }
            c if c.starts_with("AT+CVHU=") && d.cvhu => value("AT+CVHU=").is_some_and(|n| {
                v.cvhu = n == 1;
                n <= 1
            }),
            // V.250 flow control, `+IFC=<DCE_by_DTE>,<DTE_by_DCE>`: each
            // 0 (none), 1 (XON/XOFF) or 2 (RTS/CTS), as the SIM800 manual's
            // AT+IFC lists them; the modem obeys RTS only with 2 first.
            c if c.starts_with("AT+IFC=") => {
                let mut values = c.trim_start_matches("AT+IFC=").split(',');
                match (values.next(), values.next(), values.next()) {
                    (Some(by_dte @ ("0" | "1" | "2")), Some("0" | "1" | "2"), None) => {
                        v.rts = by_dte == "2";
                        true
                    }
                    _ => false,
                }
            }
            // SIMCom 2G: network time zone updates.
            "AT+CLTS=1" => d.dial == DialProgress::MoRing,
            c => {
                let domain = REGISTRATION
                    .iter()
                    .position(|r| c.strip_prefix(r).is_some_and(|rest| rest.starts_with('=')))?;
                let n = c.split('=').nth(1).and_then(|n| n.parse::<u8>().ok());
                match (n, v.reg_n.get_mut(domain)) {
                    (Some(n @ 0..=2), Some(slot)) if domain != 2 || d.domains.eps => {
                        *slot = n;
                        true
                    }
                    _ => false,
                }
            }
        };
        Some(match known {
            true => self.ok().to_string(),
            false => line("ERROR"),
        })
    }

    /// How text-mode entries are printed now.
    fn text_style(&self) -> text_records::Style {
        text_records::Style {
            details: self.volatile.csdh,
            full_list: self.dialect.list_details,
        }
    }

    /// Whether the network has registered us in `domain` (0 CS, 1 PS, 2 EPS).
    pub(super) fn registered_in(&self, domain: usize) -> bool {
        let granted = [self.domains.cs, self.domains.ps, self.domains.eps];
        self.registered
            && self.sim_card == SimCard::Ready
            && granted.get(domain).copied().unwrap_or(false)
    }

    /// The `+CxREG` line of `domain` as its `n` has it: `read` answers
    /// `AT+CxREG?` (`<n>,<stat>…`), otherwise the URC (`<stat>…`), or
    /// `None` where `n` is 0 (27.007 §7.2).
    pub(super) fn registration_line(&self, domain: usize, read: bool) -> Option<String> {
        let name = REGISTRATION.get(domain)?.strip_prefix("AT")?;
        let n = self.volatile.reg_n.get(domain).copied().unwrap_or(0);
        let stat = match (self.registered_in(domain), self.registered) {
            (true, _) => 1,
            // The network is there, this domain is not served: not searching.
            (false, true) => 0,
            (false, false) => 2,
        };
        let location = match (n, stat) {
            (2, 1) => ",\"CE00\",\"01CEAD8F\"",
            _ => "",
        };
        match read {
            true => Some(format!("\r\n{name}: {n},{stat}{location}\r\n")),
            false if n == 0 => None,
            false => Some(format!("\r\n{name}: {stat}{location}\r\n")),
        }
    }

    fn registration(&mut self, command: &str) -> Option<String> {
        let domain = REGISTRATION
            .iter()
            .position(|r| command.strip_prefix(r) == Some("?"))?;
        if domain == 2 && !self.dialect.domains.eps {
            return Some(line("ERROR"));
        }
        let answer = self.registration_line(domain, true)?;
        Some(answer + self.ok())
    }

    /// Messages, calls and USSD.
    fn service(&mut self, command: &str) -> String {
        let index = |prefix: &str| command.strip_prefix(prefix)?.parse::<u16>().ok();
        // A garbled parameter is a syntax error, not an empty index.
        let malformed = ["AT+CMGR=", "AT+CMGD="]
            .iter()
            .any(|p| command.starts_with(p) && index(p).is_none() && command != "AT+CMGD=1,4");
        if malformed {
            return line("ERROR");
        }
        let storage_ms = self.storage_ms_per_message * self.sim.len() as u64;
        let body = match command {
            "AT+CSQ" => format!("\r\n+CSQ: {},99\r\n", csq_rssi(self.signal_dbm)),
            "AT+CMGD=1,4" => {
                self.sim.clear();
                let ok = self.ok();
                return self.later(storage_ms, ok.to_string());
            }
            "AT+CMGF=0" if !self.pdu_mode => return line("ERROR"),
            "AT+CMGF=0" => {
                self.text_mode = false;
                String::new()
            }
            "AT+CMGF=1" => {
                self.text_mode = true;
                String::new()
            }
            "AT+CMGL=4" if !self.text_mode => {
                let list: String = self
                    .sim
                    .iter()
                    .map(|(i, pdu)| format!("\r\n+CMGL: {i},1,,{}\r\n{pdu}\r\n", tpdu_len(pdu)))
                    .collect();
                let ok = self.ok();
                return self.later(storage_ms, list + ok);
            }
            "AT+CMGL=\"ALL\"" if self.text_mode => {
                let list: String = self
                    .sim
                    .iter()
                    .map(|(i, stored)| text_records::entry(stored, Some(*i), self.text_style()))
                    .collect();
                let ok = self.ok();
                return self.later(storage_ms, list + ok);
            }
            "AT+CMGL=4" | "AT+CMGL=\"ALL\"" => return line("+CMS ERROR: 302"),
            "ATH" | "ATH0" => {
                // SIM7600/A76xx with AT+CVHU=1: `OK`, and the call stays up.
                if !self.volatile.cvhu {
                    self.end_calls();
                }
                String::new()
            }
            "AT+CHUP" if self.dialect.chup => {
                self.end_calls();
                String::new()
            }
            "AT+CLCC" => self.clcc(),
            // 27.007 §8.2: full functionality, with a reset first.
            "AT+CFUN=1,1" => {
                self.reboot();
                String::new()
            }
            // One stored message read or deleted takes what the list
            // takes for each (SIM800 manual, AT+CMGR and AT+CMGD: up to 5 s).
            c if c.starts_with("AT+CMGR=") => {
                let answer = match self.sim.iter().find(|(j, _)| Some(*j) == index("AT+CMGR=")) {
                    Some((_, stored)) if self.text_mode => {
                        text_records::entry(stored, None, self.text_style())
                    }
                    Some((_, pdu)) => format!("\r\n+CMGR: 1,,{}\r\n{pdu}\r\n", tpdu_len(pdu)),
                    None => return line("+CMS ERROR: 321"),
                };
                let ok = self.ok();
                return self.later(self.storage_ms_per_message, answer + ok);
            }
            c if c.starts_with("AT+CMGD=") => {
                let i = index("AT+CMGD=");
                self.sim.retain(|(j, _)| Some(*j) != i);
                let ok = self.ok();
                return self.later(self.storage_ms_per_message, ok.to_string());
            }
            c if c.starts_with("AT+CMGS=") => return self.cmgs(c),
            "AT+CUSD=2" => {
                self.ussd_release = None;
                String::new()
            }
            c if c.starts_with("AT+CUSD=1,") => return self.cusd(c),
            c if c.starts_with("ATD") => return self.atd(c),
            // Garbled or unknown.
            _ => return line("ERROR"),
        };
        body + self.ok()
    }

    fn end_calls(&mut self) {
        if self.incoming.take().is_some() {
            self.hung_up_incoming = true;
        } else {
            self.call = None;
        }
    }

    /// 27.007 §7.18: our call (outgoing, dialling or alerting or active)
    /// and a ringing incoming one.
    fn clcc(&self) -> String {
        let ours = self.call.map(|call| {
            let stat = match (call.active, self.now.saturating_sub(call.since) >= 2_000) {
                (true, _) => 0,
                (false, true) => 3,
                (false, false) => 2,
            };
            format!("\r\n+CLCC: 1,0,{stat},0,0,\"+4912345\",145\r\n")
        });
        let theirs = self.incoming.as_ref().map(|c| {
            let toa = if c.from.starts_with('+') { 145 } else { 129 };
            format!("\r\n+CLCC: 1,1,4,0,0,\"{}\",{toa}\r\n", c.from)
        });
        ours.into_iter().chain(theirs).collect()
    }

    fn cmgs(&mut self, command: &str) -> String {
        if let Some(error) = self.send_error.filter(|&c| c >= 300) {
            return line(&format!("+CMS ERROR: {error}"));
        }
        // SMS go over CS, or over SGs/IMS on LTE.
        if !(self.registered_in(0) || self.registered_in(2)) {
            return line("+CMS ERROR: 331");
        }
        let quoted = command
            .strip_prefix("AT+CMGS=\"")
            .and_then(|n| n.strip_suffix('"'));
        match (quoted, self.text_mode) {
            (Some(number), true) => self.sent_to.push(number.to_string()),
            (None, false) => {}
            _ => return line("ERROR"),
        }
        self.awaiting_pdu = true;
        "\r\n> ".to_string()
    }

    fn cusd(&mut self, command: &str) -> String {
        let code = command.split('"').nth(1).unwrap_or_default().to_string();
        self.ussd_requests.push(code);
        let ok = self.ok();
        let Some(answer) = self.ussd_answer.clone() else {
            return ok.to_string();
        };
        let m = match self.ussd_session {
            UssdSession::Menu => 1,
            UssdSession::Done | UssdSession::Release => 0,
        };
        let release = match self.ussd_session {
            UssdSession::Done => None,
            UssdSession::Menu => Some(self.now + 10_000),
            UssdSession::Release => Some(self.now + 1_000),
        };
        self.ussd_release = release;
        format!("{ok}\r\n+CUSD: {m},\"{answer}\",15\r\n")
    }

    fn atd(&mut self, command: &str) -> String {
        let number = command.trim_start_matches("ATD").trim_end_matches(';');
        self.dialled.push(number.to_string());
        self.call = Some(Call {
            since: self.now,
            active: false,
        });
        // With COLP on, ATD ends only when the call does (27.007 §7.8).
        if self.dialect.dial == DialProgress::Colp && self.volatile.colp {
            return String::new();
        }
        let ring = match self.call_urcs() {
            true => "\r\nMO RING\r\n",
            false => "",
        };
        format!("{}{ring}", self.ok())
    }
}
