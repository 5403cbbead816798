#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The blocking and async front ends against the emulated modem through
//! its `embedded-io` port ([`SharedModem`]), as an integrator would test
//! them: a board-sized `Driver<200, 2>`, split UART halves, and an async
//! loop that must keep its timeouts running against a silent modem.

use core::convert::Infallible;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::cell::RefCell;
use std::rc::Rc;

use isocket_modem::driver::{Driver, Event, State};
use isocket_modem::split::Split;
use isocket_modem::testing::{ScriptedModem, SharedModem};
use isocket_modem::{asynch, blocking, profile};

/// A power pin that remembers every level it was set to.
#[derive(Clone, Default)]
struct PowerPin(Rc<RefCell<Vec<bool>>>);

impl embedded_hal::digital::ErrorType for PowerPin {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for PowerPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.borrow_mut().push(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.borrow_mut().push(true);
        Ok(())
    }
}

/// Polls `future` to completion with a waker that does nothing: the
/// emulated modem's sleeps move virtual time on every poll.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the future never completed");
}

fn jan_first() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::UNIX_EPOCH.into()
}

#[test]
fn the_blocking_front_end_takes_split_halves_and_gives_them_back() {
    let port = SharedModem::new(ScriptedModem::new(1));
    let clock = {
        let port = port.clone();
        move || port.now()
    };
    let driver: Driver<200, 2> = Driver::with_capacity(&profile::SIM800, 0);
    let halves = Split::new(port.clone(), port.clone());
    let mut modem = blocking::Modem::new(driver, halves, PowerPin::default(), clock);
    let run = |modem: &mut blocking::Modem<_, _, _, 200, 2>, until: u64| {
        let mut events = Vec::new();
        while port.now() < until {
            let next = port.now() + 100;
            port.modem().advance_to(next);
            while let Some(e) = modem.try_poll().unwrap() {
                events.push(e);
            }
        }
        events
    };
    let mut events = run(&mut modem, 3_000);
    port.modem()
        .deliver_at("+4915112345678", "STATUS", jan_first());
    events.extend(run(&mut modem, 5_000));
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    let id = events.iter().find_map(|e| match e {
        Event::Sms { id, text, .. } if text == "STATUS" => Some(*id),
        _ => None,
    });
    modem.driver.ack(id.expect("the SMS"));
    run(&mut modem, 8_000);
    assert!(port.modem().sim.is_empty(), "acked and deleted");
    let (driver, halves, _pin, _clock) = modem.into_parts();
    let (rx, tx) = halves.into_inner();
    assert_eq!((rx.now(), tx.now()), (8_000, 8_000), "the same port, back");
    assert_eq!(driver.state(), State::Ready);
}

#[test]
fn the_async_loop_keeps_supervising_a_silent_modem() {
    let port = SharedModem::new(ScriptedModem::new(1));
    let pin = PowerPin::default();
    let driver: Driver<200, 2> = Driver::with_capacity(&profile::SIM800, 0);
    let mut modem = asynch::Modem::new(driver, port.clone(), pin.clone());
    let mut events = Vec::new();
    block_on(async {
        while port.now() < 3_000 {
            let deadline = modem.driver.poll_timeout().min(3_000);
            let sleep = port.sleep_until(deadline.max(port.now() + 1));
            if let Some(e) = modem.poll_until(port.now(), sleep).await.unwrap() {
                events.push(e);
            }
        }
    });
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    // The modem dies: without the timer the loop would wait in `read` for
    // ever; with it, the driver times out, re-inits and power-cycles.
    port.modem().silent = true;
    block_on(async {
        while port.now() < 5 * 60_000 {
            let deadline = modem.driver.poll_timeout();
            let sleep = port.sleep_until(deadline.max(port.now() + 1));
            modem.poll_until(port.now(), sleep).await.unwrap();
        }
    });
    assert!(
        pin.0.borrow().contains(&false),
        "power-cycled: {:?}",
        pin.0.borrow()
    );
    assert_eq!(
        port.modem().power.len(),
        0,
        "the test's pin, not the fake's"
    );
}
