//! The AT command line of each [`Op`], and how it is answered.

use core::fmt::Write as _;

use heapless::Vec;

use super::scheduler::{Expect, Op};
use super::supervision::InitCommand;
use super::{
    COMMAND_TIMEOUT_MS, Driver, ESCAPE_TIMEOUT_MS, NETWORK_TIMEOUT_MS, PROMPT_TIMEOUT_MS,
    STORAGE_TIMEOUT_MS,
};

impl<const TEXT: usize, const LONG: usize> Driver<TEXT, LONG> {
    /// Writes the command of `op` and sends it.
    pub(super) fn start(&mut self, op: Op, now_ms: u64) {
        let text_mode = self.supervisor.text_mode;
        let tx = self.scheduler.begin();
        let mut expect = Expect {
            timeout: COMMAND_TIMEOUT_MS,
            prefix: None,
            prompt: false,
            text: None,
        };
        match op {
            Op::Init(step) => match self.supervisor.init_line(step) {
                Some(InitCommand::List(list)) => {
                    tx.extend_from_slice(list).ok();
                    expect.timeout = STORAGE_TIMEOUT_MS;
                    expect.prefix = Some(b"+CMGL");
                    expect.text = text_mode.then_some(true);
                }
                Some(InitCommand::Plain(cmd, prefix)) => {
                    tx.extend_from_slice(cmd.as_bytes()).ok();
                    expect.prefix = prefix;
                }
                None => {}
            },
            Op::Poll(domain) => {
                tx.extend_from_slice(b"AT").ok();
                tx.extend_from_slice(domain.prefix()).ok();
                tx.push(b'?').ok();
                expect.prefix = Some(domain.prefix());
            }
            Op::Signal => {
                tx.extend_from_slice(b"AT+CSQ").ok();
                expect.prefix = Some(b"+CSQ");
            }
            Op::List => {
                tx.extend_from_slice(self.supervisor.list_command()).ok();
                expect.timeout = STORAGE_TIMEOUT_MS;
                expect.prefix = Some(b"+CMGL");
                expect.text = text_mode.then_some(true);
            }
            Op::Read(i) => {
                write!(Buf(tx), "AT+CMGR={i}").ok();
                expect.prefix = Some(b"+CMGR");
                expect.text = text_mode.then_some(false);
            }
            Op::Delete(i) => {
                write!(Buf(tx), "AT+CMGD={i}").ok();
            }
            Op::SendLength => {
                self.outbox.write_length(text_mode, tx);
                expect.prompt = true;
                expect.timeout = PROMPT_TIMEOUT_MS;
                expect.prefix = Some(b"+CMGS");
            }
            Op::SendBody => {
                self.outbox.write_body(tx);
                tx.push(0x1A).ok();
                expect.timeout = NETWORK_TIMEOUT_MS;
                expect.prefix = Some(b"+CMGS");
            }
            Op::Dial => {
                let n = self.calls.dialling(now_ms);
                write!(Buf(tx), "ATD{n};").ok();
                expect.timeout = NETWORK_TIMEOUT_MS;
            }
            Op::HangUp => {
                tx.extend_from_slice(self.profile.hang_up.as_bytes()).ok();
            }
            Op::Ussd => {
                let c = self.ussd.sending();
                write!(Buf(tx), "AT+CUSD=1,\"{c}\",15").ok();
                // Some modems answer OK only with the network's answer.
                expect.timeout = NETWORK_TIMEOUT_MS;
            }
            Op::CancelUssd => {
                tx.extend_from_slice(b"AT+CUSD=2").ok();
            }
            Op::Clcc => {
                tx.extend_from_slice(b"AT+CLCC").ok();
                expect.prefix = Some(b"+CLCC");
            }
            Op::Escape => {
                tx.push(0x1B).ok();
                expect.timeout = ESCAPE_TIMEOUT_MS;
            }
            Op::Reset => {
                tx.extend_from_slice(b"AT+CFUN=1,1").ok();
                // SIM800 manual, AT+CFUN: up to 10 s.
                expect.timeout = 10_000;
            }
        }
        self.scheduler.launch(op, now_ms, expect);
    }
}

/// `core::fmt::Write` into a bounded byte buffer; overflow truncates.
pub(super) struct Buf<'a, const N: usize>(pub(super) &'a mut Vec<u8, N>);

impl<const N: usize> core::fmt::Write for Buf<'_, N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes())
            .map_err(|_| core::fmt::Error)
    }
}
