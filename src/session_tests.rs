//! The session engine, tested natively: scenarios of the contract, then its invariants
//! over random input sequences (proptest).

use crate::error::ErrorCode;
use crate::options::{Length, Live, Mode, ReadyOn, Rules};
use crate::protocol::AppMessage;
use crate::session::{Effect, Event, Input, Level, Ms, Note, Outcome, Read, Session, State};
use crate::token::{self, Failure, Reason};
use crate::ui::{Locale, Screen, Text, Texts};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn rules() -> Rules {
    Rules {
        base: "https://app.vlenseg.com".into(),
        origin: "https://app.vlenseg.com".into(),
        token_timeout_ms: 15_000,
        retries: 2,
        load_timeout_ms: 30_000,
        auto_resize: true,
        min_height: Some(200.0),
        max_height: Some(900.0),
        ui: false,
        mode: Mode::Inline,
        ready_on: ReadyOn::Message,
        debug: false,
        height: Length::Px(700.0),
        width: Length::Css("100%".into()),
        allow: "camera; microphone".into(),
        title: "Vlens identity verification".into(),
        texts: Texts::new(Locale::En),
    }
}

type E = Effect<u8>;

/// The engine with a clock: inputs come at the current time; [`T::fire`] moves the clock to
/// the engine's earliest deadline and fires it, as the executor's one timer would.
struct T {
    s: Session<u8>,
    now: Ms,
}

impl T {
    fn new(rules: Rules) -> T {
        T { s: Session::new(rules, 42), now: 1000.0 }
    }

    fn handle(&mut self, input: Input<u8>) -> Vec<E> {
        self.s.handle(self.now, input)
    }

    /// Fires the earliest deadline; nothing when there is none.
    fn fire(&mut self) -> Vec<E> {
        match self.s.poll_timeout() {
            Some(at) => {
                self.now = self.now.max(at);
                self.s.handle(self.now, Input::Timeout)
            }
            None => Vec::new(),
        }
    }

    /// Milliseconds until the earliest deadline.
    fn due_in(&self) -> Option<Ms> {
        self.s.poll_timeout().map(|at| at - self.now)
    }
}

impl core::ops::Deref for T {
    type Target = Session<u8>;
    fn deref(&self) -> &Session<u8> {
        &self.s
    }
}

fn session() -> T {
    T::new(rules())
}

/// A well-formed message from the app, posted as `raw`.
fn app_msg(msg: AppMessage, raw: u8) -> Input<u8> {
    Input::Message(raw, Read::App(msg, raw))
}

fn events(effects: &[E]) -> Vec<Event<u8>> {
    effects.iter().filter_map(|e| if let Effect::Emit(ev, _) = e { Some(ev.clone()) } else { None }).collect()
}

fn calls(effects: &[E]) -> Vec<(u32, Reason)> {
    effects
        .iter()
        .filter_map(|e| if let Effect::CallProvider { attempt, reason } = e { Some((*attempt, *reason)) } else { None })
        .collect()
}

fn error_code(effects: &[E]) -> Option<(ErrorCode, String)> {
    events(effects).into_iter().find_map(|e| if let Event::Error(e) = e { Some((e.code, e.message)) } else { None })
}

/// A session that got its first token and shows the app, loading.
fn loading() -> T {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "tok".into()));
    s
}

#[test]
fn mount_asks_for_a_token_after_announcing_the_state() {
    let mut s = session();
    let fx = s.handle(Input::Mount { aborted: false });
    assert_eq!(
        fx,
        vec![
            Effect::Emit(Event::State(State::Token), None),
            Effect::Emit(Event::Token(Reason::Initial), None),
            Effect::CallProvider { attempt: 0, reason: Reason::Initial },
        ]
    );
    assert!(s.handle(Input::Mount { aborted: false }).is_empty(), "a second Mount does nothing");
}

#[test]
fn a_token_shows_the_app_in_a_new_frame_and_ready_stops_the_timer() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenOk(0, "a&b".into()));
    assert_eq!(
        fx,
        vec![
            Effect::SetFrame("https://app.vlenseg.com/session?token=a%26b".into()),
            Effect::Emit(Event::State(State::Loading), None),
            Effect::CheckCamera,
        ]
    );
    assert_eq!(s.handle(Input::FrameLoaded), vec![Effect::Emit(Event::Load, None)]);
    let fx = s.handle(app_msg(AppMessage::Ready, 0));
    assert_eq!(fx, vec![Effect::Emit(Event::Ready, None), Effect::Emit(Event::State(State::Ready), None)]);
    assert!(s.fire().is_empty(), "a stale ready timer is ignored");
}

#[test]
fn transient_failures_are_retried_with_backoff_then_reported() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenErr(0, Failure::Transient("503".into())));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.due_in().is_some_and(|ms| (125.0..=250.0).contains(&ms)), "a backoff of {:?}", s.due_in());
    let fx = s.fire();
    assert_eq!(calls(&fx), vec![(1, Reason::Retry)]);
    assert_eq!(events(&fx), vec![Event::Token(Reason::Retry)]);
    let fx = s.fire();
    assert_eq!(fx[0], Effect::Abort, "a timed-out call is aborted");
    let _ = s.fire();
    let fx = s.fire();
    let (code, message) = error_code(&fx).expect("an error after the last retry");
    assert_eq!(code, ErrorCode::TokenTimeout);
    assert!(message.contains("15000 ms"));
    assert_eq!(s.state(), State::Error);
    assert_eq!(events(&fx).last(), Some(&Event::State(State::Error)));
}

#[test]
fn a_retry_after_is_waited_without_using_up_retries_until_token_timeout_ms() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let mut attempt = 0;
    let mut waited = 0;
    // 2 s at least each time: seven paced waits fit in tokenTimeoutMs (15 s) at most, four at least.
    loop {
        let fx = s.handle(Input::TokenErr(attempt, Failure::RetryAfter("429".into(), 2000)));
        match (fx.as_slice(), s.due_in()) {
            ([], Some(ms)) => {
                let ms = ms as u32;
                assert!((2000..4000).contains(&ms) || waited + ms == 15_000, "{ms} after {waited}");
                waited += ms;
                assert_eq!(calls(&s.fire()), vec![(attempt + 1, Reason::Retry)]);
                attempt += 1;
            }
            _ => {
                let (code, message) = error_code(&fx).expect("an error once tokenTimeoutMs is used up");
                assert_eq!(code, ErrorCode::TokenProviderFailed);
                assert!(message.contains("429"), "{message}");
                break;
            }
        }
    }
    assert!((4..=7).contains(&attempt) && waited <= 15_000, "{attempt} waits, {waited} ms");
    // A server asking for more than tokenTimeoutMs is not asked again early.
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenErr(0, Failure::RetryAfter("503".into(), 3_600_000)));
    assert_eq!(error_code(&fx).map(|e| e.0), Some(ErrorCode::TokenProviderFailed));
    assert_eq!(s.poll_timeout(), None, "no retry is waited for");
}

#[test]
fn final_failures_and_invalid_tokens_are_not_retried() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenErr(0, Failure::Final("400".into())));
    assert_eq!(error_code(&fx).map(|e| e.0), Some(ErrorCode::TokenProviderFailed));
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenOk(0, "bad\ntoken".into()));
    assert_eq!(error_code(&fx).map(|e| e.0), Some(ErrorCode::TokenInvalid));
    assert!(!fx.iter().any(|e| matches!(e, Effect::SetFrame(_))), "an invalid token never reaches the iframe");
}

#[test]
fn a_late_answer_to_an_abandoned_call_is_ignored() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::Refresh);
    assert!(s.handle(Input::TokenOk(0, "old".into())).is_empty());
    assert!(s.handle(Input::TokenErr(0, Failure::Final("x".into()))).is_empty());
}

#[test]
fn load_timeout_says_whether_the_frame_loaded() {
    let mut s = loading();
    let fx = s.fire();
    let (code, message) = error_code(&fx).unwrap();
    assert_eq!(code, ErrorCode::LoadTimeout);
    assert!(message.contains("did not load within loadTimeoutMs (30000 ms)"), "{message}");

    let mut s = loading();
    let _ = s.handle(Input::FrameLoaded);
    let fx = s.fire();
    let (_, message) = error_code(&fx).unwrap();
    assert!(message.contains("fired load (so does a refused connection"), "{message}");
    assert!(message.contains("but no Vlens app in it reported ready within loadTimeoutMs"), "{message}");
    assert_eq!(s.state(), State::Error);
}

#[test]
fn refresh_recovers_from_an_error_with_a_new_frame() {
    let mut s = loading();
    let _ = s.fire();
    let fx = s.handle(Input::Refresh);
    assert_eq!(calls(&fx), vec![(1, Reason::Refresh)]);
    assert_eq!(s.state(), State::Token);
    let fx = s.handle(Input::TokenOk(1, "new".into()));
    assert!(fx.contains(&Effect::SetFrame("https://app.vlenseg.com/session?token=new".into())));
    assert_eq!(s.state(), State::Loading);
}

#[test]
fn token_expiry_posts_the_new_token_and_joins_a_pending_request() {
    let mut s = loading();
    let _ = s.handle(app_msg(AppMessage::Ready, 0));
    let fx = s.handle(app_msg(AppMessage::TokenExpired, 0));
    assert_eq!(calls(&fx), vec![(1, Reason::Expired)]);
    assert!(calls(&s.handle(app_msg(AppMessage::TokenExpired, 0))).is_empty());
    let fx = s.handle(Input::TokenOk(1, "fresh".into()));
    assert_eq!(fx, vec![Effect::PostToken("fresh".into())]);
    assert_eq!(s.poll_timeout(), None, "no deadline left once the app is ready and has its token");
    assert_eq!(s.state(), State::Ready);
}

#[test]
fn completion_settles_once_and_only_resizes_follow() {
    let mut s = loading();
    let fx = s.handle(app_msg(AppMessage::Completed, 7));
    assert!(fx.contains(&Effect::Settle(Outcome::Completed(7))));
    assert_eq!(events(&fx), vec![Event::Complete(7), Event::State(State::Completed)]);
    assert!(s.handle(app_msg(AppMessage::Cancelled, 1)).is_empty());
    assert!(s.handle(Input::Refresh).is_empty());
    assert_eq!(
        s.handle(app_msg(AppMessage::Resize(1000.0), 0)),
        vec![Effect::Resize(900.0), Effect::Emit(Event::Resize(900.0), None)]
    );
    let fx = s.handle(Input::Destroy);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Settle(_))), "result settled already");
    assert_eq!(events(&fx), vec![Event::State(State::Destroyed), Event::Destroy]);
}

#[test]
fn destroy_stops_everything_and_its_event_is_last() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::Destroy);
    assert_eq!(
        fx,
        vec![
            Effect::Abort,
            Effect::Settle(Outcome::Destroyed),
            Effect::Emit(Event::State(State::Destroyed), None),
            Effect::Emit(Event::Destroy, None),
        ]
    );
    assert!(s.handle(Input::TokenOk(0, "late".into())).is_empty());
    assert!(s.handle(Input::Destroy).is_empty());
}

#[test]
fn destroy_before_mount_runs_is_the_only_event() {
    let mut s = session();
    let fx = s.handle(Input::Destroy);
    assert_eq!(events(&fx), vec![Event::State(State::Destroyed), Event::Destroy]);
    assert!(s.handle(Input::Mount { aborted: false }).is_empty());
}

#[test]
fn app_errors_do_not_change_the_state() {
    let mut s = loading();
    let fx = s.handle(app_msg(AppMessage::Error { code: Some("E1".into()), message: None, recoverable: None }, 0));
    assert_eq!(events(&fx), vec![Event::AppError { code: Some("E1".into()), message: None, recoverable: false }]);
    assert_eq!(s.state(), State::Loading);
}

#[test]
fn a_camera_block_stops_the_flow_and_every_new_frame_is_checked_again() {
    let mut s = loading();
    let fx = s.handle(Input::CameraBlocked(vec!["camera"]));
    let (code, message) = error_code(&fx).unwrap();
    assert_eq!(code, ErrorCode::CameraBlocked);
    assert!(message.contains("camera=(self \"https://app.vlenseg.com\")"));
    assert_eq!(s.state(), State::Error);
    assert!(fx.contains(&Effect::RemoveFrame));
    assert_eq!(s.poll_timeout(), None, "no load deadline without a frame");
    assert!(s.handle(Input::CameraBlocked(vec!["camera"])).is_empty(), "reported once: the frame is gone");
    assert!(s.handle(app_msg(AppMessage::Ready, 0)).iter().all(|e| !matches!(e, Effect::Emit(Event::State(_), _))));
    let _ = s.handle(Input::Refresh);
    let fx = s.handle(Input::TokenOk(1, "t".into()));
    assert!(fx.contains(&Effect::CheckCamera), "a new frame is checked again");
}

fn with(ui: bool, mode: Mode) -> T {
    T::new(Rules { ui, mode, ..rules() })
}

#[test]
fn the_built_in_screens_follow_the_state() {
    let mut s = with(true, Mode::Inline);
    let fx = s.handle(Input::Mount { aborted: false });
    assert_eq!(fx[..3], [Effect::Open, Effect::Show(Screen::Loading), Effect::Emit(Event::State(State::Token), None)]);
    let fx = s.handle(Input::TokenOk(0, "t".into()));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Show(_))), "still loading while the app loads");
    let fx = s.handle(app_msg(AppMessage::Ready, 0));
    assert_eq!(
        fx,
        vec![
            Effect::Emit(Event::Ready, None),
            Effect::Show(Screen::App),
            Effect::Emit(Event::State(State::Ready), None)
        ]
    );
    let _ = s.handle(Input::Refresh);
    let fx = s.handle(Input::TokenErr(1, Failure::Final("no".into())));
    assert!(fx.contains(&Effect::Show(Screen::Error { text: Text::TokenError, retry: true })));
    let fx = s.handle(Input::Refresh);
    assert!(fx.contains(&Effect::Show(Screen::Loading)), "Try again shows the loading screen again");
    let fx = s.handle(Input::Destroy);
    let close = fx.iter().position(|e| *e == Effect::Close).unwrap();
    assert!(close < fx.iter().position(|e| *e == Effect::Emit(Event::Destroy, None)).unwrap());
}

#[test]
fn each_flow_stopping_error_shows_its_text_and_retry_only_when_it_may_help() {
    let mut s = with(true, Mode::Inline);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.fire();
    assert!(fx.contains(&Effect::Show(Screen::Error { text: Text::LoadError, retry: true })));
    let _ = s.handle(Input::Refresh);
    let _ = s.handle(Input::TokenOk(1, "t".into()));
    let fx = s.handle(Input::CameraBlocked(vec!["camera"]));
    assert!(fx.contains(&Effect::Show(Screen::Error { text: Text::CameraError, retry: false })));
    let mut s = with(true, Mode::Inline);
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenOk(0, String::new()));
    assert!(fx.contains(&Effect::Show(Screen::Error { text: Text::TokenError, retry: false })));
}

#[test]
fn with_ui_off_nothing_of_ours_is_drawn_inline() {
    let mut s = with(false, Mode::Inline);
    let mut all = s.handle(Input::Mount { aborted: false });
    all.extend(s.handle(Input::TokenErr(0, Failure::Final("no".into()))));
    all.extend(s.handle(Input::Destroy));
    assert!(!all.iter().any(|e| matches!(e, Effect::Open | Effect::Show(_) | Effect::Close)), "{all:?}");
}

#[test]
fn closing_the_modal_cancels_then_destroys() {
    let mut s = with(true, Mode::Modal);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.handle(Input::Close(7));
    assert_eq!(
        fx,
        vec![
            Effect::Settle(Outcome::Cancelled(7)),
            Effect::Emit(Event::Cancel(7), None),
            Effect::Show(Screen::App),
            Effect::Emit(Event::State(State::Cancelled), None),
            Effect::RemoveFrame,
            Effect::Close,
            Effect::Settle(Outcome::Destroyed),
            Effect::Emit(Event::State(State::Destroyed), None),
            Effect::Emit(Event::Destroy, None),
        ]
        .into_iter()
        .filter(|e| *e != Effect::Settle(Outcome::Destroyed))
        .collect::<Vec<_>>()
    );
    assert!(with(true, Mode::Inline).handle(Input::Close(7)).is_empty(), "an inline session has nothing to close");
}

#[test]
fn a_modal_closes_once_the_hosts_completion_callback_has_run_and_ignores_resizes() {
    let mut s = with(true, Mode::Modal);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.handle(app_msg(AppMessage::Resize(500.0), 0));
    assert_eq!(fx, vec![Effect::Emit(Event::Resize(500.0), None)], "the iframe fills the dialog");
    let fx = s.handle(app_msg(AppMessage::Completed, 3));
    let at = |want: &E| fx.iter().position(|e| e == want).unwrap();
    assert!(at(&Effect::Settle(Outcome::Completed(3))) < at(&Effect::Emit(Event::Complete(3), None)));
    assert!(at(&Effect::Emit(Event::Complete(3), None)) < at(&Effect::Close));
    assert_eq!(fx.last(), Some(&Effect::Emit(Event::Destroy, None)));
    assert_eq!(s.state(), State::Destroyed);
}

fn ready_on(ready_on: ReadyOn, ui: bool) -> T {
    T::new(Rules { ready_on, ui, ..rules() })
}

#[test]
fn ready_on_load_shows_the_app_at_its_first_load_once_per_frame() {
    let mut s = ready_on(ReadyOn::Load, true);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.handle(Input::FrameLoaded);
    assert_eq!(
        fx,
        vec![
            Effect::Emit(Event::Load, None),
            Effect::Emit(Event::Ready, None),
            Effect::Show(Screen::App),
            Effect::Emit(Event::State(State::Ready), None),
        ]
    );
    assert!(s.handle(app_msg(AppMessage::Ready, 0)).is_empty(), "a later v1 ready fires nothing more");
    assert_eq!(s.handle(Input::FrameLoaded), vec![Effect::Emit(Event::Load, None)], "a second load is only a load");
    assert!(s.fire().is_empty());
    // A new frame goes through the same rule again.
    let _ = s.handle(Input::Refresh);
    let _ = s.handle(Input::TokenOk(1, "u".into()));
    assert_eq!(s.state(), State::Loading);
    assert!(events(&s.handle(Input::FrameLoaded)).contains(&Event::Ready));
    assert_eq!(s.state(), State::Ready);
}

#[test]
fn ready_on_load_takes_a_v1_ready_that_comes_before_the_load() {
    let mut s = ready_on(ReadyOn::Load, false);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.handle(app_msg(AppMessage::Ready, 0));
    assert_eq!(events(&fx), vec![Event::Ready, Event::State(State::Ready)]);
    assert_eq!(s.poll_timeout(), None, "the load deadline went with the loading");
    assert_eq!(events(&s.handle(Input::FrameLoaded)), vec![Event::Load]);
}

#[test]
fn ready_on_load_times_out_only_when_neither_load_nor_ready_comes() {
    let mut s = ready_on(ReadyOn::Load, false);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let (code, _) = error_code(&s.fire()).unwrap();
    assert_eq!(code, ErrorCode::LoadTimeout);
    // A late load still shows the app, as a late v1 ready does with readyOn: 'message'.
    let fx = s.handle(Input::FrameLoaded);
    assert_eq!(events(&fx), vec![Event::Load, Event::Ready, Event::State(State::Ready)]);
}

#[test]
fn ready_on_message_waits_for_the_v1_ready_whatever_loads() {
    let mut s = ready_on(ReadyOn::Message, true);
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    assert_eq!(s.handle(Input::FrameLoaded), vec![Effect::Emit(Event::Load, None)]);
    assert_eq!(s.state(), State::Loading);
    assert!(events(&s.handle(app_msg(AppMessage::Ready, 0))).contains(&Event::Ready));
    assert!(events(&s.handle(app_msg(AppMessage::Ready, 0))).is_empty(), "once per frame");
}

#[test]
fn messages_that_are_not_v1_surface_raw_exactly_as_posted() {
    let mut s = loading();
    assert_eq!(s.handle(Input::Message(5, Read::Raw)), vec![Effect::Emit(Event::Message(None, 5), None)]);
    assert!(s.handle(Input::Message(6, Read::Malformed)).is_empty(), "a malformed v1 message is dropped");
    let fx = s.handle(app_msg(AppMessage::Other("progress".into()), 7));
    assert_eq!(events(&fx), vec![Event::Message(Some("progress".into()), 7)]);
    let _ = s.handle(app_msg(AppMessage::Completed, 1));
    assert_eq!(events(&s.handle(Input::Message(8, Read::Raw))), vec![Event::Message(None, 8)], "also after the end");
    let _ = s.handle(Input::Destroy);
    assert!(s.handle(Input::Message(9, Read::Raw)).is_empty());
}

#[test]
fn a_throwing_parser_is_logged_once_and_its_messages_pass_on_raw() {
    let mut s = loading();
    let fx = s.handle(Input::Message(5, Read::ParserThrew(50)));
    assert_eq!(fx, vec![Effect::Log(Level::Error, Note::ParserThrew(50)), Effect::Emit(Event::Message(None, 5), None)]);
    assert_eq!(s.handle(Input::Message(6, Read::ParserThrew(60))), vec![Effect::Emit(Event::Message(None, 6), None)]);
    assert_eq!(s.state(), State::Loading, "the session goes on");
    assert!(events(&s.handle(app_msg(AppMessage::Completed, 1))).contains(&Event::Complete(1)));
}

#[test]
fn errors_reach_the_console_before_their_event_and_debug_logs_the_rest() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let fx = s.handle(Input::TokenErr(0, Failure::Final("400".into())));
    let loud: Vec<_> = fx.iter().filter(|e| matches!(e, Effect::Emit(_, Some(_)))).collect();
    assert!(
        matches!(loud.as_slice(), [Effect::Emit(Event::Error(_), Some(Level::Error))]),
        "only the error, once: {fx:?}"
    );

    let mut s = loading();
    let app_error = AppMessage::Error { code: None, message: None, recoverable: None };
    assert!(matches!(
        s.handle(app_msg(app_error, 0)).as_slice(),
        [Effect::Emit(Event::AppError { .. }, Some(Level::Warn))]
    ));

    let mut s = T::new(Rules { debug: true, ..rules() });
    let _ = s.handle(Input::Mount { aborted: false });
    let _ = s.handle(Input::TokenOk(0, "t".into()));
    let fx = s.handle(Input::Message(4, Read::Raw));
    assert_eq!(
        fx,
        vec![Effect::Log(Level::Debug, Note::Received(4)), Effect::Emit(Event::Message(None, 4), Some(Level::Debug)),]
    );
    let fx = s.handle(Input::Message(3, Read::Malformed));
    assert_eq!(fx, vec![Effect::Log(Level::Debug, Note::Received(3))], "what the app sends is seen, even if dropped");
}

/// An update giving `bits`, with `new` rules read from it.
fn update(new: Rules, bits: u16) -> Input<u8> {
    Input::Update(new, Live(bits))
}

#[test]
fn an_update_changes_the_rules_given_for_what_comes_next() {
    let mut s = session();
    let _ = s.handle(Input::Mount { aborted: false });
    let new = Rules { retries: 0, token_timeout_ms: 50, load_timeout_ms: 70, max_height: None, ..rules() };
    let fx = s.handle(update(new, Live::RETRIES | Live::TOKEN_TIMEOUT | Live::LOAD_TIMEOUT));
    assert!(fx.is_empty(), "rules only: nothing to redraw: {fx:?}");
    assert_eq!(s.due_in(), Some(15_000.0), "the call in flight keeps its deadline");
    let fx = s.handle(Input::TokenErr(0, Failure::Transient("503".into())));
    assert_eq!(error_code(&fx).map(|e| e.0), Some(ErrorCode::TokenProviderFailed), "retries: 0, so no retry");
    let _ = s.handle(Input::Refresh);
    assert_eq!(s.due_in(), Some(50.0), "the next call uses the new tokenTimeoutMs");
    let _ = s.handle(Input::TokenOk(1, "t".into()));
    assert_eq!(s.due_in(), Some(70.0), "the next frame uses the new loadTimeoutMs");
    let _ = s.handle(app_msg(AppMessage::Ready, 0));
    let fx = s.handle(app_msg(AppMessage::Resize(5000.0), 0));
    assert_eq!(fx[0], Effect::Resize(900.0), "maxHeight was not given: it stays");
}

#[test]
fn new_bounds_apply_at_once_to_the_height_the_app_asked_for() {
    let mut s = loading();
    let _ = s.handle(app_msg(AppMessage::Ready, 0));
    assert_eq!(
        s.handle(app_msg(AppMessage::Resize(800.0), 0)),
        vec![Effect::Resize(800.0), Effect::Emit(Event::Resize(800.0), None),]
    );
    let max = |m| Rules { max_height: m, ..rules() };
    assert_eq!(s.handle(update(max(Some(500.0)), Live::MAX_HEIGHT)), vec![Effect::Resize(500.0)]);
    assert_eq!(s.handle(update(max(None), Live::MAX_HEIGHT)), vec![Effect::Resize(800.0)]);
    let auto = |a| Rules { auto_resize: a, ..rules() };
    assert!(s.handle(update(auto(false), Live::AUTO_RESIZE)).is_empty(), "autoResize off leaves the size");
    assert!(s.handle(app_msg(AppMessage::Resize(300.0), 0)).iter().all(|e| !matches!(e, Effect::Resize(_))));
    assert_eq!(s.handle(update(auto(true), Live::AUTO_RESIZE)), vec![Effect::Resize(300.0)]);
    // The host's own height holds until the app asks again.
    let fx = s.handle(update(Rules { min_height: Some(400.0), ..rules() }, Live::HEIGHT | Live::MIN_HEIGHT));
    assert_eq!(fx, vec![Effect::Restyle]);
}

#[test]
fn an_update_redraws_what_it_touches_and_is_refused_when_bounds_cross() {
    let mut s = with(true, Mode::Inline);
    let _ = s.handle(Input::Mount { aborted: false });
    assert_eq!(s.handle(update(rules(), Live::TITLE)), vec![Effect::Restyle]);
    assert_eq!(
        s.handle(update(rules(), Live::LOCALE | Live::RETRIES)),
        vec![Effect::Restyle, Effect::Show(Screen::Loading)],
        "new texts: the screen on show is drawn again in them"
    );
    assert_eq!(s.handle(update(rules(), Live::MESSAGES)), vec![Effect::Restyle, Effect::Show(Screen::Loading)]);
    let min = |m| Rules { min_height: Some(m), max_height: None, ..rules() };
    assert!(s.check(&min(950.0), Live(Live::MIN_HEIGHT)).is_err(), "above the maxHeight of 900");
    assert!(s.check(&min(950.0), Live(Live::MIN_HEIGHT | Live::MAX_HEIGHT)).is_ok(), "with maxHeight taken away");
    let err = s.check(&Rules { max_height: Some(100.0), ..rules() }, Live(Live::MAX_HEIGHT)).unwrap_err();
    assert!(err.message.contains("minHeight must not be larger than maxHeight"), "{}", err.message);
    let _ = s.handle(Input::Destroy);
    assert!(s.handle(update(rules(), Live::LOCALE)).is_empty(), "nothing after destroy");
}

// ---------------------------------------------------------------------------------------
// Invariants over random input sequences.

#[derive(Clone, Debug)]
enum Pick {
    Create,
    Mount,
    MountAborted,
    Ok(Option<u32>, String),
    Err(Option<u32>, u8),
    /// The executor's timer fires, this late after the deadline.
    Fire(u16),
    /// Time passes before the next input.
    Elapse(u16),
    Loaded,
    Camera,
    App(u8),
    Raw(u8),
    Malformed,
    Threw,
    Refresh,
    Destroy,
    Close,
    Update(u8),
}

fn update_pick(n: u8) -> Input<u8> {
    let new = Rules {
        retries: 0,
        token_timeout_ms: 5,
        load_timeout_ms: 10,
        max_height: Some(300.0),
        min_height: None,
        auto_resize: n % 2 == 0,
        debug: true,
        ..rules()
    };
    update(
        new,
        [
            Live::LOCALE | Live::TITLE,
            Live::RETRIES | Live::TOKEN_TIMEOUT,
            Live::BOUNDS,
            Live::HEIGHT | Live::MESSAGES,
            0xfff,
        ][usize::from(n % 5)],
    )
}

fn pick() -> impl Strategy<Value = Pick> {
    let token = prop_oneof![Just("tok".to_string()), Just(String::new()), Just("a\nb".to_string()), ".{0,8}"];
    let attempt = prop_oneof![3 => Just(None), 1 => (0u32..6).prop_map(Some)];
    prop_oneof![
        1 => Just(Pick::Mount),
        4 => (attempt.clone(), token).prop_map(|(a, t)| Pick::Ok(a, t)),
        3 => (attempt, 0u8..4).prop_map(|(a, f)| Pick::Err(a, f)),
        4 => (0u16..60).prop_map(Pick::Fire),
        2 => (0u16..20_000).prop_map(Pick::Elapse),
        1 => Just(Pick::Create),
        1 => Just(Pick::MountAborted),
        1 => Just(Pick::Loaded),
        1 => Just(Pick::Camera),
        5 => (0u8..8).prop_map(Pick::App),
        2 => (10u8..20).prop_map(Pick::Raw),
        1 => Just(Pick::Malformed),
        1 => Just(Pick::Threw),
        2 => Just(Pick::Refresh),
        1 => Just(Pick::Destroy),
        1 => Just(Pick::Close),
        2 => (0u8..5).prop_map(Pick::Update),
    ]
}

fn app(n: u8) -> AppMessage {
    match n {
        0 => AppMessage::Ready,
        1 => AppMessage::Step("kyc".into()),
        2 => AppMessage::Resize(5000.0),
        3 => AppMessage::Completed,
        4 => AppMessage::Cancelled,
        5 => AppMessage::Error { code: None, message: None, recoverable: Some(true) },
        6 => AppMessage::TokenExpired,
        _ => AppMessage::Other("x".into()),
    }
}

/// What a faithful executor knows: the call in flight, what is drawn, what was settled.
#[derive(Default)]
struct World {
    in_flight: BTreeSet<u32>,
    claims: usize,
    last_call: u32,
    settled: usize,
    destroyed: bool,
    frame: bool,
    opened: usize,
    up: bool,
    screen: Option<Screen>,
    mounted: bool,
    started: bool,
    last_error: Option<Screen>,
    readies_in_frame: usize,
    parser_logs: usize,
    debug: bool,
    frame_before: bool,
    destroyed_before: bool,
}

impl World {
    /// Applies a batch of effects, checking the invariants that hold batch by batch.
    fn run(&mut self, input: &Input<u8>, fx: &[E], flight_before: bool) -> Result<(), TestCaseError> {
        (self.frame_before, self.destroyed_before) = (self.frame, self.destroyed);
        // `debug` is live: an update that gives it changes what is logged from now on.
        if let Input::Update(new, given) = input {
            if given.0 & Live::DEBUG != 0 && !self.destroyed {
                self.debug = new.debug;
            }
        }
        prop_assert!(!self.destroyed || fx.is_empty(), "effects after destroy: {:?}", fx);
        if let Input::Message(_, Read::App(AppMessage::TokenExpired, _)) = input {
            prop_assert!(!flight_before || calls(fx).is_empty(), "token-expired did not join the pending request");
        }
        for (i, e) in fx.iter().enumerate() {
            match e {
                Effect::CallProvider { attempt, .. } => {
                    self.in_flight.insert(*attempt);
                    self.last_call = *attempt;
                }
                Effect::Abort => {
                    prop_assert!(!self.in_flight.is_empty(), "aborted a call not in flight");
                    self.in_flight.clear();
                }
                Effect::Claim => {
                    self.claims += 1;
                    prop_assert_eq!(self.claims, 1, "claimed twice");
                    prop_assert!(matches!(input, Input::Create), "claimed on {:?}", input);
                }
                Effect::Settle(_) => self.settled += 1,
                Effect::SetFrame(src) => {
                    self.frame = true;
                    self.readies_in_frame = 0;
                    let Input::TokenOk(_, t) = input else { return Err(TestCaseError::fail("frame without a token")) };
                    prop_assert!(token::check(t).is_ok());
                    prop_assert!(src.ends_with(&crate::iframe::session_src("", t)));
                }
                Effect::PostToken(t) => {
                    let Input::TokenOk(_, given) = input else {
                        return Err(TestCaseError::fail("post without a token"));
                    };
                    prop_assert!(token::check(t).is_ok() && t == given);
                }
                Effect::RemoveFrame => self.frame = false,
                Effect::Emit(Event::Ready, _) => {
                    self.readies_in_frame += 1;
                    prop_assert!(self.readies_in_frame <= 1, "vlens:ready twice for one frame");
                }
                Effect::Log(level, Note::ParserThrew(_)) => {
                    prop_assert_eq!(*level, Level::Error);
                    self.parser_logs += 1;
                    prop_assert!(self.parser_logs <= 1, "a throwing parseMessage logged twice");
                }
                Effect::Open => {
                    self.opened += 1;
                    self.up = true;
                }
                Effect::Close => {
                    prop_assert!(self.up, "closed what was not open");
                    self.up = false;
                }
                Effect::Show(screen) => {
                    prop_assert!(self.up, "a screen without our box");
                    // An update of the texts draws the screen on show again, in them.
                    let redraw = matches!(input, Input::Update(..));
                    prop_assert!(redraw || self.screen != Some(*screen), "the same screen twice");
                    self.screen = Some(*screen);
                }
                Effect::Emit(Event::Error(e), _) => {
                    self.last_error = Some(Screen::Error { text: Text::for_error(e.code), retry: e.recoverable })
                }
                Effect::Emit(Event::Destroy, _) => {
                    prop_assert_eq!(i, fx.len() - 1, "vlens:destroy is not the last effect");
                    self.destroyed = true;
                }
                _ => {}
            }
            prop_assert!(self.in_flight.len() <= 1, "two provider calls in flight");
            // Every error reaches the console with its event; with debug: true, every event.
            if let Effect::Emit(event, level) = e {
                let want = match event {
                    Event::Error(_) => Some(Level::Error),
                    Event::AppError { .. } => Some(Level::Warn),
                    _ if self.debug => Some(Level::Debug),
                    _ => None,
                };
                prop_assert_eq!(*level, want, "{:?} logged at the wrong level", event);
            }
        }
        // Every message from the app's frame surfaces, unless it is a malformed v1 one.
        if let Input::Message(raw, read) = input {
            let raw_events = events(fx).iter().filter(|e| **e == Event::Message(None, *raw)).count();
            let should =
                self.frame_before && !self.destroyed_before && matches!(read, Read::Raw | Read::ParserThrew(_));
            prop_assert_eq!(raw_events, usize::from(should), "raw message {:?} surfaced {} times", read, raw_events);
        }
        prop_assert!(self.settled <= 1, "result settled twice");
        prop_assert!(self.opened <= 1, "opened twice");
        Ok(())
    }

    /// The screen on show is the one the state calls for.
    fn check_screen(&self, state: State, rules: &Rules) -> Result<(), TestCaseError> {
        if !rules.ui || !self.up {
            prop_assert!(self.screen.is_none() || !rules.ui, "a screen with ui: false");
            return Ok(());
        }
        let ok = match (state, self.screen) {
            (State::Token | State::Loading, Some(Screen::Loading)) => true,
            (State::Error, shown @ Some(Screen::Error { .. })) => shown == self.last_error,
            (State::Ready | State::Completed | State::Cancelled, Some(Screen::App)) => true,
            _ => false,
        };
        prop_assert!(ok, "state {:?} shows {:?}", state, self.screen);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn the_engine_keeps_its_invariants(
        picks in prop::collection::vec(pick(), 0..60),
        seed in any::<u32>(),
        ui in any::<bool>(),
        modal in any::<bool>(),
        on_load in any::<bool>(),
        debug in any::<bool>(),
    ) {
        let mode = if modal { Mode::Modal } else { Mode::Inline };
        let ready_on = if on_load { ReadyOn::Load } else { ReadyOn::Message };
        let rules = Rules { ui, mode, ready_on, debug, ..rules() };
        let mut s: Session<u8> = Session::new(rules.clone(), seed);
        let mut now: Ms = 0.0;
        let mut world = World { debug, ..World::default() };
        for p in picks.into_iter().chain([Pick::Destroy]) {
            let input = match p {
                Pick::Create => Input::Create,
                Pick::Mount | Pick::MountAborted => {
                    let aborted = matches!(p, Pick::MountAborted);
                    world.mounted |= !world.destroyed && !aborted && s.state() == State::Token && !world.started;
                    world.started = true;
                    Input::Mount { aborted }
                }
                Pick::Ok(a, t) => {
                    let a = a.unwrap_or(world.last_call);
                    world.in_flight.remove(&a);
                    Input::TokenOk(a, t)
                }
                Pick::Err(a, f) => {
                    let a = a.unwrap_or(world.last_call);
                    world.in_flight.remove(&a);
                    let failure = match f {
                        0 => Failure::Transient("x".into()),
                        1 => Failure::Final("x".into()),
                        2 => Failure::Timeout,
                        _ => Failure::Invalid(token::invalid("x")),
                    };
                    Input::TokenErr(a, failure)
                }
                // A faithful executor fires when the engine asked, or a little later.
                Pick::Fire(late) => match s.poll_timeout() {
                    Some(at) => {
                        now = now.max(at + f64::from(late));
                        Input::Timeout
                    }
                    None => continue,
                },
                Pick::Elapse(ms) => {
                    now += f64::from(ms);
                    continue;
                }
                Pick::Loaded => Input::FrameLoaded,
                Pick::Camera => Input::CameraBlocked(vec!["camera", "microphone"]),
                Pick::App(n) => app_msg(app(n), n),
                Pick::Raw(n) => Input::Message(n, Read::Raw),
                Pick::Malformed => Input::Message(30, Read::Malformed),
                Pick::Threw => Input::Message(31, Read::ParserThrew(32)),
                Pick::Refresh => Input::Refresh,
                Pick::Destroy => Input::Destroy,
                Pick::Close => Input::Close(99),
                Pick::Update(n) => update_pick(n),
            };
            let before = s.state();
            let flight_before = s.has_flight();
            let fx = s.handle(now, input.clone());
            world.run(&input, &fx, flight_before)?;
            // A timeout handles every deadline that has passed.
            if let (Input::Timeout, Some(at)) = (&input, s.poll_timeout()) {
                prop_assert!(at > now, "a deadline at {} still due at {}", at, now);
            }
            if s.state() != State::Destroyed {
                world.check_screen(s.state(), &rules)?;
            }
            if modal && matches!(input, Input::Close(_)) && before != State::Destroyed && world.mounted {
                prop_assert_eq!(s.state(), State::Destroyed, "closing the modal did not end the session");
                if before != State::Completed && before != State::Cancelled {
                    let at = |want: &E| fx.iter().position(|e| e == want);
                    let cancel = fx.iter().position(|e| matches!(e, Effect::Emit(Event::Cancel(99), _)));
                    prop_assert!(fx.contains(&Effect::Settle(Outcome::Cancelled(99))), "closing before the end settles cancelled");
                    prop_assert!(cancel.is_some() && at(&Effect::Close).is_none_or(|c| cancel < Some(c)), "vlens:cancel before the modal closes");
                }
            }
            if modal && matches!(s.state(), State::Completed | State::Cancelled) {
                return Err(TestCaseError::fail("a modal outlived the end of its flow"));
            }
        }
        prop_assert!(world.destroyed);
        prop_assert_eq!(world.settled, 1, "result never settled");
        prop_assert!(world.in_flight.is_empty(), "a provider call outlived destroy: {:?}", world.in_flight);
        prop_assert_eq!(s.poll_timeout(), None, "a deadline outlived destroy");
        prop_assert!(!world.frame, "the frame outlived destroy");
        prop_assert!(!world.up, "our box or the modal outlived destroy");
        prop_assert_eq!(world.opened, usize::from((ui || modal) && world.mounted), "opened on mount when needed");
        prop_assert_eq!(s.state(), State::Destroyed);
    }
}
