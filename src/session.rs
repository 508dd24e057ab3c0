//! The session engine: every rule of a mounted session, as a state machine with no I/O.
//!
//! The executor (`executor.rs`) feeds it [`Input`]s — a provider answer, a timer, a
//! checked app message, a call of `refresh()` — and runs the [`Effect`]s it returns, in
//! order, after releasing its borrow. The engine never calls JavaScript, so re-entrant
//! host callbacks cannot observe it half-updated, and every rule is tested natively.
//!
//! `D` is the app's opaque `data` payload (a `JsValue` in the browser); the engine only
//! passes it on.

use crate::error::{ErrorCode, WidgetError};
use crate::options::{self, Live, Mode, ReadyOn, Rules};
use crate::protocol::AppMessage;
use crate::token::{self, Failure, Reason};
use crate::ui::{Screen, Text};
use alloc::string::String;
use alloc::vec::Vec;

/// Where a session is in its life (`session.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for a token from the provider.
    Token,
    /// The iframe is loading the app.
    Loading,
    /// The app said it is ready.
    Ready,
    /// The flow finished.
    Completed,
    /// The user left the flow.
    Cancelled,
    /// A widget error stopped the flow; `refresh()` may recover.
    Error,
    /// `destroy()` was called.
    Destroyed,
}

impl State {
    /// The state as JavaScript sees it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Token => "token",
            State::Loading => "loading",
            State::Ready => "ready",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
            State::Error => "error",
            State::Destroyed => "destroyed",
        }
    }

    fn has_ended(self) -> bool {
        matches!(self, State::Completed | State::Cancelled | State::Destroyed)
    }

    /// Once the flow has ended only `resize` is followed, so the app can size its final
    /// screen; messages no rule acts on still surface, as every message from the app does.
    fn accepts(self, msg: &AppMessage) -> bool {
        match self {
            State::Destroyed => false,
            State::Completed | State::Cancelled => matches!(msg, AppMessage::Resize(_) | AppMessage::Other(_)),
            _ => true,
        }
    }
}

/// Identifies one call of the token provider, so a late answer to an abandoned call is ignored.
pub(crate) type Attempt = u32;

/// The session's timers; at most one of each kind runs at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// `tokenTimeoutMs` for the provider call in flight.
    Attempt = 0,
    /// The pause before a retry.
    Backoff = 1,
    /// `loadTimeoutMs` for the app to report `ready`.
    Ready = 2,
}

impl Timer {
    /// The timer with this number (as `Timer::X as u32`), if any.
    pub(crate) fn from_index(i: u32) -> Option<Timer> {
        [Timer::Attempt, Timer::Backoff, Timer::Ready].into_iter().find(|t| *t as u32 == i)
    }
}

/// Something that happened to the session.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input<D> {
    /// Start: runs one microtask after `mountVlens` returns, so no event fires before it does.
    Mount,
    /// The provider call `Attempt` answered this (not yet checked) token.
    TokenOk(Attempt, String),
    /// The provider call `Attempt` failed.
    TokenErr(Attempt, Failure),
    /// A timer started by [`Effect::StartTimer`] fired.
    Timer(Timer),
    /// The current iframe fired `load`.
    FrameLoaded,
    /// The page's permissions policy keeps these features from the iframe (answer to [`Effect::CheckCamera`]).
    CameraBlocked(Vec<&'static str>),
    /// A message from the current iframe at the exact Vlens origin: as posted, and as read.
    Message(D, Read<D>),
    /// The host called `refresh()`.
    Refresh,
    /// The host called `destroy()`, or its `signal` aborted.
    Destroy,
    /// The user closed the modal (its button or Escape); `D` is the `{reason: 'closed'}` to report.
    Close(D),
    /// The host called `update()`: the rules `Live` says were given, checked by [`Session::check`].
    Update(Rules, Live),
}

/// What a message from the app says, as the v1 parser or the host's `parseMessage` read it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Read<D> {
    /// A well-formed message, with its `data` payload.
    App(AppMessage, D),
    /// Not a v1 message (or mapped to nothing): passed on as it was posted.
    Raw,
    /// A v1 envelope (or a mapped result) with wrong fields: dropped.
    Malformed,
    /// The host's `parseMessage` threw this; the message passes on raw.
    ParserThrew(D),
}

/// How `result` settles.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome<D> {
    /// `{status: 'completed', data}`.
    Completed(D),
    /// `{status: 'cancelled', data}`.
    Cancelled(D),
    /// `{status: 'destroyed'}`.
    Destroyed,
}

/// A `vlens:*` event to deliver.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Event<D> {
    /// `vlens:state` `{state}`.
    State(State),
    /// `vlens:token` `{reason}`.
    Token(Reason),
    /// `vlens:load`.
    Load,
    /// `vlens:ready`.
    Ready,
    /// `vlens:step` `{step}`.
    Step(String),
    /// `vlens:resize` `{height}`.
    Resize(f64),
    /// `vlens:complete` `{data}`.
    Complete(D),
    /// `vlens:cancel` `{data}`.
    Cancel(D),
    /// `vlens:error` from the widget (`source: 'widget'`).
    Error(WidgetError),
    /// `vlens:error` from the app (`source: 'app'`, code `APP_ERROR`).
    AppError {
        /// The app's own code (`appCode`).
        code: Option<String>,
        /// The app's message.
        message: Option<String>,
        /// The app's judgement; `false` when it gave none.
        recoverable: bool,
    },
    /// `vlens:message` `{type, data}`; no type for a message that is not v1 (nor mapped).
    Message(Option<String>, D),
    /// `vlens:destroy`; always the last event.
    Destroy,
}

/// What the executor must do, in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Effect<D> {
    /// Ask the provider for a token; answer with `TokenOk`/`TokenErr` carrying `attempt`.
    CallProvider {
        /// The call's identity.
        attempt: Attempt,
        /// `ctx.reason`.
        reason: Reason,
    },
    /// Abort the provider call (`ctx.signal`); its answer will be ignored.
    Abort(Attempt),
    /// Start a timer of this many milliseconds.
    StartTimer(Timer, u32),
    /// Stop a timer that has not fired.
    CancelTimer(Timer),
    /// Show the app at this `src` in a new iframe, replacing any other (so history is untouched).
    SetFrame(String),
    /// Answer with `CameraBlocked` if the page's permissions policy blocks camera or microphone.
    CheckCamera,
    /// Post this (checked) token to the iframe, at the exact Vlens origin.
    PostToken(String),
    /// Set the iframe's height in CSS pixels.
    Resize(f64),
    /// Deliver an event (callbacks, then the DOM event), and log it to the console at this level.
    Emit(Event<D>, Option<Level>),
    /// Resolve `result`.
    Settle(Outcome<D>),
    /// Remove the iframe.
    RemoveFrame,
    /// Put up what holds the iframe: the modal dialog, or our box in the host's element.
    Open,
    /// Show this screen over the iframe (or reveal it).
    Show(Screen),
    /// Take down what [`Effect::Open`] put up: the modal closes, focus and scrolling return.
    Close,
    /// Write to the console.
    Log(Level, Note<D>),
    /// Draw again what `update()` may change: sizes, title, language and labels.
    Restyle,
}

/// The console method a [`Note`] goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// `console.error`: a widget error stopped the flow, or the host's `parseMessage` threw.
    Error,
    /// `console.warn`: an error that leaves the flow running (the app's own).
    Warn,
    /// `console.debug`, with `debug: true` only.
    Debug,
}

impl Level {
    /// The `console` method's name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Debug => "debug",
        }
    }
}

/// What a [`Effect::Log`] reports.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Note<D> {
    /// A message from the app, as received.
    Received(D),
    /// What the host's `parseMessage` threw.
    ParserThrew(D),
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    /// A provider call is in flight, its timer running.
    Calling(Attempt),
    /// Waiting for the backoff timer before the next call.
    Backoff,
}

/// One acquisition of a token: the first call and its retries.
#[derive(Clone, Copy, Debug)]
struct Flight {
    purpose: Reason,
    tries: token::Tries,
    phase: Phase,
}

/// The iframe on show, from `SetFrame` to `RemoveFrame`.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    /// It fired its first `load`.
    loaded: bool,
    /// The app counts as ready in it (`readyOn`): `vlens:ready` fired for it, or it need not.
    ready: bool,
}

/// A mounted session's rules.
#[must_use = "a Session does nothing unless fed inputs and its effects are run"]
pub(crate) struct Session<D> {
    rules: Rules,
    state: State,
    mounted: bool,
    flight: Option<Flight>,
    next_attempt: Attempt,
    frame: Option<Frame>,
    ready_timer: bool,
    parser_threw: bool,
    settled: bool,
    opened: bool,
    shown: Option<Screen>,
    /// The height the app last asked for, so new bounds can apply to it at once.
    asked: Option<f64>,
    error: Screen,
    random: u32,
    out: Vec<Effect<D>>,
}

impl<D: Clone> Session<D> {
    /// A session that will start on [`Input::Mount`]; `seed` feeds the retry jitter.
    pub(crate) fn new(rules: Rules, seed: u32) -> Self {
        Session {
            rules,
            state: State::Token,
            mounted: false,
            flight: None,
            next_attempt: 0,
            frame: None,
            ready_timer: false,
            parser_threw: false,
            settled: false,
            opened: false,
            shown: None,
            asked: None,
            error: Screen::Error { text: Text::TokenError, retry: true },
            random: seed | 1,
            out: Vec::new(),
        }
    }

    /// `session.state`.
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// Refuses an update that would break the session's rules (bounds that cross).
    pub(crate) fn check(&self, new: &Rules, given: Live) -> Result<(), WidgetError> {
        let mut rules = self.rules.clone();
        rules.take(new, given);
        options::check_bounds(rules.min_height, rules.max_height)
    }

    /// Applies one input; returns what to do, in order.
    #[must_use = "the effects must be run"]
    pub(crate) fn handle(&mut self, input: Input<D>) -> Vec<Effect<D>> {
        if self.state != State::Destroyed {
            self.step(input);
        }
        core::mem::take(&mut self.out)
    }

    fn step(&mut self, input: Input<D>) {
        match input {
            Input::Mount if !self.mounted => {
                self.mounted = true;
                if self.rules.ui || self.rules.mode == Mode::Modal {
                    self.opened = true;
                    self.out.push(Effect::Open);
                }
                self.show();
                self.emit(Event::State(State::Token));
                self.start_flight(Reason::Initial);
            }
            Input::Mount => {}
            Input::TokenOk(attempt, token) => {
                if let Some(flight) = self.answered(attempt) {
                    self.flight = None;
                    match token::check(&token) {
                        Ok(()) => self.use_token(flight.purpose, token),
                        Err(e) => self.fail(e),
                    }
                }
            }
            Input::TokenErr(attempt, failure) => {
                if let Some(flight) = self.answered(attempt) {
                    self.failed(flight, failure);
                }
            }
            Input::Timer(Timer::Attempt) => {
                if let Some(flight @ Flight { phase: Phase::Calling(attempt), .. }) = self.flight {
                    self.out.push(Effect::Abort(attempt));
                    self.failed(flight, Failure::Timeout);
                }
            }
            Input::Timer(Timer::Backoff) => {
                if let Some(Flight { phase: Phase::Backoff, .. }) = self.flight {
                    self.call(Reason::Retry);
                }
            }
            Input::Timer(Timer::Ready) => {
                if self.ready_timer {
                    self.ready_timer = false;
                    if self.state == State::Loading {
                        let loaded = self.frame.is_some_and(|f| f.loaded);
                        self.fail(load_timeout(&self.rules, loaded));
                    }
                }
            }
            Input::FrameLoaded => {
                if let Some(frame) = self.frame.as_mut() {
                    let first = !frame.loaded;
                    frame.loaded = true;
                    self.emit(Event::Load);
                    if first && self.rules.ready_on == ReadyOn::Load {
                        self.ready();
                    }
                }
            }
            // Flow-stopping: without camera and microphone the liveness step cannot work, so
            // the user is not walked through the steps before it for nothing.
            Input::CameraBlocked(features) => {
                if !features.is_empty() && self.frame.is_some() && !self.state.has_ended() {
                    self.stop_ready_timer();
                    self.frame = None;
                    self.out.push(Effect::RemoveFrame);
                    self.fail(camera_blocked(&self.rules.origin, &features));
                }
            }
            Input::Message(raw, read) => self.message(raw, read),
            Input::Refresh => {
                if self.mounted && !self.state.has_ended() {
                    self.stop_ready_timer();
                    self.set_state(State::Token);
                    self.start_flight(Reason::Refresh);
                }
            }
            Input::Destroy => self.destroy(),
            Input::Update(new, given) => self.update(&new, given),
            Input::Close(data) => {
                if self.rules.mode == Mode::Modal {
                    if !self.state.has_ended() {
                        self.end();
                        self.settle(Outcome::Cancelled(data.clone()));
                        self.emit(Event::Cancel(data));
                        self.set_state(State::Cancelled);
                    }
                    self.destroy();
                }
            }
        }
    }

    /// Rules change for what comes next (the next provider call, timer, resize); what is drawn
    /// changes at once.
    fn update(&mut self, new: &Rules, given: Live) {
        self.rules.take(new, given);
        // The host's height holds until the app asks for another.
        if given.has(Live::HEIGHT) {
            self.asked = None;
        }
        if given.has(Live::LOOK) {
            self.out.push(Effect::Restyle);
        }
        if given.has(Live::TEXTS) {
            self.shown = None;
            self.show();
        }
        if let (true, Some(asked)) = (given.has(Live::BOUNDS), self.asked) {
            self.follow_height(asked);
        }
    }

    /// Sizes an inline iframe as the app asked, within the bounds; returns the height applied.
    fn follow_height(&mut self, asked: f64) -> f64 {
        // A modal's iframe fills the dialog.
        if self.rules.auto_resize && self.rules.mode == Mode::Inline {
            let h = options::clamp_height(asked, self.rules.min_height, self.rules.max_height);
            self.out.push(Effect::Resize(h));
            h
        } else {
            asked
        }
    }

    fn destroy(&mut self) {
        self.stop_flight();
        self.stop_ready_timer();
        if self.frame.take().is_some() {
            self.out.push(Effect::RemoveFrame);
        }
        if self.opened {
            self.opened = false;
            self.out.push(Effect::Close);
        }
        self.settle(Outcome::Destroyed);
        self.state = State::Destroyed;
        self.emit(Event::State(State::Destroyed));
        self.emit(Event::Destroy);
    }

    /// In a modal the flow's end closes it, after the host's callback for that end has run.
    fn ended(&mut self, state: State) {
        self.set_state(state);
        if self.rules.mode == Mode::Modal {
            self.destroy();
        }
    }

    fn message(&mut self, raw: D, read: Read<D>) {
        // Messages come from the frame on show; with none (a camera block took it) there is no sender.
        if self.frame.is_none() {
            return;
        }
        if self.rules.debug {
            self.out.push(Effect::Log(Level::Debug, Note::Received(raw.clone())));
        }
        match read {
            Read::App(msg, data) => self.app(msg, data),
            Read::Raw => self.emit(Event::Message(None, raw)),
            Read::Malformed => {}
            Read::ParserThrew(error) => {
                // Once is enough to tell the integrator; the messages still pass on raw.
                if !core::mem::replace(&mut self.parser_threw, true) {
                    self.out.push(Effect::Log(Level::Error, Note::ParserThrew(error)));
                }
                self.emit(Event::Message(None, raw));
            }
        }
    }

    /// The app counts as ready in the current frame (its v1 `ready`, or its first `load`
    /// with `readyOn: 'load'`): once per frame, and only while the flow waits for it.
    fn ready(&mut self) {
        let Some(frame) = self.frame.as_mut() else { return };
        if core::mem::replace(&mut frame.ready, true) {
            return;
        }
        // After LOAD_TIMEOUT a late app still recovers; during a refresh the new frame decides.
        if matches!(self.state, State::Loading | State::Error) {
            self.stop_ready_timer();
            self.emit(Event::Ready);
            self.set_state(State::Ready);
        }
    }

    fn app(&mut self, msg: AppMessage, data: D) {
        if !self.state.accepts(&msg) {
            return;
        }
        match msg {
            AppMessage::Ready => self.ready(),
            AppMessage::Step(step) => self.emit(Event::Step(step)),
            AppMessage::Resize(asked) => {
                self.asked = Some(asked);
                let height = self.follow_height(asked);
                self.emit(Event::Resize(height));
            }
            AppMessage::Completed => {
                self.end();
                self.settle(Outcome::Completed(data.clone()));
                self.emit(Event::Complete(data));
                self.ended(State::Completed);
            }
            AppMessage::Cancelled => {
                self.end();
                self.settle(Outcome::Cancelled(data.clone()));
                self.emit(Event::Cancel(data));
                self.ended(State::Cancelled);
            }
            AppMessage::Error { code, message, recoverable } => {
                self.emit(Event::AppError { code, message, recoverable: recoverable.unwrap_or(false) })
            }
            // Single flight: an expiry during a pending request joins it.
            AppMessage::TokenExpired => {
                if self.flight.is_none() {
                    self.start_flight(Reason::Expired);
                }
            }
            AppMessage::Other(kind) => self.emit(Event::Message(Some(kind), data)),
        }
    }

    /// The flight `attempt` belongs to, if it is the call in flight; its timer is stopped.
    fn answered(&mut self, attempt: Attempt) -> Option<Flight> {
        match self.flight {
            Some(flight @ Flight { phase: Phase::Calling(current), .. }) if current == attempt => {
                self.out.push(Effect::CancelTimer(Timer::Attempt));
                Some(flight)
            }
            _ => None,
        }
    }

    fn failed(&mut self, flight: Flight, failure: Failure) {
        let random = self.next_random();
        match flight.tries.next(&failure, self.rules.retries, self.rules.token_timeout_ms, random) {
            Some((ms, tries)) => {
                self.flight = Some(Flight { tries, phase: Phase::Backoff, ..flight });
                self.out.push(Effect::StartTimer(Timer::Backoff, ms));
            }
            None => {
                self.flight = None;
                self.fail(failure.into_error(flight.purpose, self.rules.token_timeout_ms));
            }
        }
    }

    fn start_flight(&mut self, purpose: Reason) {
        self.stop_flight();
        self.flight = Some(Flight { purpose, tries: token::Tries::default(), phase: Phase::Backoff });
        self.call(purpose);
    }

    /// Makes one provider call for the current flight.
    fn call(&mut self, reason: Reason) {
        let attempt = self.next_attempt;
        self.next_attempt = self.next_attempt.wrapping_add(1);
        if let Some(flight) = self.flight.as_mut() {
            flight.phase = Phase::Calling(attempt);
        }
        self.emit(Event::Token(reason));
        self.out.push(Effect::CallProvider { attempt, reason });
        self.out.push(Effect::StartTimer(Timer::Attempt, self.rules.token_timeout_ms));
    }

    fn stop_flight(&mut self) {
        match self.flight.take().map(|f| f.phase) {
            Some(Phase::Calling(attempt)) => {
                self.out.push(Effect::CancelTimer(Timer::Attempt));
                self.out.push(Effect::Abort(attempt));
            }
            Some(Phase::Backoff) => self.out.push(Effect::CancelTimer(Timer::Backoff)),
            None => {}
        }
    }

    fn stop_ready_timer(&mut self) {
        if self.ready_timer {
            self.ready_timer = false;
            self.out.push(Effect::CancelTimer(Timer::Ready));
        }
    }

    /// The flow ended (completed or cancelled): nothing is pending any more.
    fn end(&mut self) {
        self.stop_flight();
        self.stop_ready_timer();
    }

    fn use_token(&mut self, purpose: Reason, token: String) {
        if purpose == Reason::Expired && self.frame.is_some() {
            self.out.push(Effect::PostToken(token));
            return;
        }
        self.out.push(Effect::SetFrame(options::session_src(&self.rules.base, &token)));
        self.frame = Some(Frame::default());
        self.asked = None;
        self.set_state(State::Loading);
        self.stop_ready_timer();
        self.ready_timer = true;
        self.out.push(Effect::StartTimer(Timer::Ready, self.rules.load_timeout_ms));
        self.out.push(Effect::CheckCamera);
    }

    /// A widget error that stops the flow: `state` becomes `'error'` after the event.
    fn fail(&mut self, err: WidgetError) {
        self.error = Screen::Error { text: Text::for_error(err.code), retry: err.recoverable };
        self.emit(Event::Error(err));
        self.set_state(State::Error);
        self.show();
    }

    /// Shows the screen the state calls for, if the built-in screens are on and it changed.
    fn show(&mut self) {
        let screen = match self.state {
            State::Token | State::Loading => Screen::Loading,
            State::Error => self.error,
            _ => Screen::App,
        };
        if self.rules.ui && self.opened && self.shown != Some(screen) {
            self.shown = Some(screen);
            self.out.push(Effect::Show(screen));
        }
    }

    fn settle(&mut self, outcome: Outcome<D>) {
        if !self.settled {
            self.settled = true;
            self.out.push(Effect::Settle(outcome));
        }
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.show();
            self.emit(Event::State(state));
        }
    }

    /// Delivers an event; errors also go to the console (whether or not the host listens),
    /// and with `debug: true` every other event too.
    fn emit(&mut self, event: Event<D>) {
        let level = match event {
            Event::Error(_) => Some(Level::Error),
            Event::AppError { .. } => Some(Level::Warn),
            _ if self.rules.debug => Some(Level::Debug),
            _ => None,
        };
        self.out.push(Effect::Emit(event, level));
    }

    /// xorshift32: jitter needs no quality, only spread, and the engine stays deterministic.
    fn next_random(&mut self) -> f64 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.random = x;
        f64::from(x) / 4_294_967_296.0
    }
}

fn load_timeout(rules: &Rules, loaded: bool) -> WidgetError {
    let what = if loaded {
        // A 503 page, a refused connection or a page that forbids framing all still fire
        // `load`: a load says nothing about what is in the frame.
        "fired load (so does a refused connection, an error page or a page that refuses to be framed), but no Vlens app in it reported ready within loadTimeoutMs ("
    } else {
        "did not load within loadTimeoutMs ("
    };
    WidgetError::new(
        ErrorCode::LoadTimeout,
        [
            "the iframe for ",
            &rules.base,
            " ",
            what,
            &token::decimal(rules.load_timeout_ms),
            " ms): check baseUrl, the network and that the page there may be framed, then call refresh()",
        ]
        .concat(),
        true,
    )
}

fn camera_blocked(origin: &str, features: &[&str]) -> WidgetError {
    WidgetError::new(
        ErrorCode::CameraBlocked,
        [
            "this page's Permissions-Policy blocks ",
            &features.join(" and "),
            ", so it cannot pass them on to the Vlens iframe and the liveness check cannot work. Allow them for the Vlens origin, e.g. Permissions-Policy: camera=(self \"",
            origin,
            "\"), microphone=(self \"",
            origin,
            "\")",
        ]
        .concat(),
        false,
    )
}
