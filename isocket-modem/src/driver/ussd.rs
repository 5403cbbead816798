//! A USSD request and its answer: only an answer is relayed, and a menu
//! the network leaves open is closed.

use heapless::String;

use crate::ussd::{Ussd, UssdStatus};

/// What a `+CUSD` line means for our request.
pub(super) struct Relay {
    /// The answer to hand out, if it was one.
    pub(super) answer: Option<Ussd>,
    /// A menu waits for us: close it with `AT+CUSD=2`.
    pub(super) cancel: bool,
}

/// The USSD code to send and whether its answer is awaited.
#[derive(Default)]
pub(super) struct UssdRequest {
    code: Option<String<32>>,
    /// A USSD request waits for its answer.
    pending: bool,
}

impl UssdRequest {
    /// Notes `code` for the next `AT+CUSD`.
    pub(super) fn request(&mut self, code: &str) {
        let mut c = String::new();
        c.push_str(code).ok();
        self.code = Some(c);
    }

    /// `AT+CUSD` goes out: its answer is awaited.
    pub(super) fn sending(&mut self) -> String<32> {
        self.pending = true;
        self.code.clone().unwrap_or_default()
    }

    /// A `+CUSD` line: the answer to our request is relayed once.
    pub(super) fn on_answer(&mut self, answer: Ussd) -> Relay {
        let mut relay = Relay {
            answer: None,
            cancel: false,
        };
        if !self.pending {
            return relay;
        }
        match answer.status {
            UssdStatus::Done => {}
            // A menu waits for us: close it, the answer is what we wanted.
            UssdStatus::ActionRequired => relay.cancel = true,
            // "Initiating Release", or another client: not the answer.
            UssdStatus::Terminated | UssdStatus::OtherClient | UssdStatus::Other(_) => {
                return relay;
            }
            // Refused or timed out: an answer without text.
            UssdStatus::NotSupported | UssdStatus::Timeout => {
                self.pending = false;
                relay.answer = Some(Ussd {
                    text: String::new(),
                    ..answer
                });
                return relay;
            }
        }
        self.pending = false;
        relay.answer = Some(answer);
        relay
    }
}
