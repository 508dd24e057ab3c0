//! The session engine: every rule of a mounted session and all its state, as a state
//! machine with no I/O (sans-IO, like quinn-proto and rustls).
//!
//! The executor (`executor.rs`) feeds it [`Input`]s — a provider answer, a checked app
//! message, a call of `refresh()`, the dialog closing — each with the time, and runs the
//! [`Effect`]s it returns, in order, after releasing its borrow. Time is an input: the engine
//! keeps its own deadlines (the provider call's, the pause before a retry, the app's load)
//! and [`Session::poll_timeout`] says the earliest, for the executor's one timer; provider
//! calls are numbered here only. The engine never calls JavaScript, so re-entrant host
//! callbacks cannot observe it half-updated, and every rule is tested natively.
//!
//! `D` is the app's opaque `data` payload (a `JsValue` in the browser); the engine only
//! passes it on.

use crate::error::{ErrorCode, WidgetError};
use crate::iframe;
use crate::options::{self, Length, Live, Mode, ReadyOn, Rules};
use crate::protocol::AppMessage;
use crate::token::{self, Failure, Reason};
use crate::ui::{BoxLook, FrameLook, Screen, ScreenLook, Text};
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

/// A point in time, in milliseconds (the executor's clock: `performance.now()`).
pub(crate) type Ms = f64;

/// Something that happened to the session.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input<D> {
    /// `mountVlens` made the session: it takes its container from any session before it.
    Create,
    /// Start: runs one microtask after `mountVlens` returns, so no event fires before it does;
    /// `aborted` says the host's `signal` was already aborted by then.
    Mount {
        /// The host's `signal` is aborted.
        aborted: bool,
    },
    /// The provider call `Attempt` answered this (not yet checked) token.
    TokenOk(Attempt, String),
    /// The provider call `Attempt` failed.
    TokenErr(Attempt, Failure),
    /// The executor's timer, set for [`Session::poll_timeout`], fired.
    Timeout,
    /// The current iframe fired `load`.
    FrameLoaded,
    /// The page's permissions policy keeps these features from the iframe (answer to [`Effect::CheckCamera`]).
    CameraBlocked(Vec<&'static str>),
    /// A message from the current iframe at the exact Vlens origin: as posted, and as read.
    Message(D, Read<D>),
    /// The host called `refresh()`.
    Refresh,
    /// The host called `destroy()`, its `signal` aborted, or another session took the container.
    Destroy,
    /// The dialog ended, however: our close button, Escape, the host's `dialog.close()` or
    /// `requestClose()`, or its removal from the page. `D` is the `{reason: 'closed'}` to report.
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
    /// Take the container in the page-wide registry (shared by every copy of the package):
    /// the session that held it is destroyed. One session per element; one dialog without one.
    Claim,
    /// Ask the provider for a token; answer with `TokenOk`/`TokenErr` carrying `attempt`.
    CallProvider {
        /// The call's identity.
        attempt: Attempt,
        /// `ctx.reason`.
        reason: Reason,
    },
    /// Abort the provider call in flight (`ctx.signal`); its answer will be ignored.
    Abort,
    /// Show the app at this `src` in a new iframe, replacing any other (so history is untouched),
    /// sized by [`Session::frame_size`].
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

/// Where the token acquisition in progress is, with its deadline.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// A provider call is in flight; it fails with a timeout at `until`.
    Calling { attempt: Attempt, until: Ms },
    /// Waiting until `until` before the next call.
    Backoff { until: Ms },
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
    /// The height the app last asked for, so new bounds can apply to it at once.
    asked: Option<f64>,
}

/// Where the session is, with what belongs to that stage only.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Made, its container not yet taken.
    New,
    /// Made by `mountVlens`, its container taken; not started.
    Created,
    /// Getting a token; the iframe of before stays during a refresh.
    Token,
    /// The app loads in its iframe; `LOAD_TIMEOUT` at `ready_by`.
    Loading { ready_by: Ms },
    /// The app is on show.
    Ready,
    /// A widget error stopped the flow, with the screen that says so.
    Error { screen: Screen },
    /// The flow finished (`result` settled); an inline iframe stays for the app's last screen.
    Completed,
    /// The user left the flow (`result` settled).
    Cancelled,
    /// Nothing more happens.
    Destroyed,
}

impl Stage {
    fn state(self) -> State {
        match self {
            Stage::New | Stage::Created | Stage::Token => State::Token,
            Stage::Loading { .. } => State::Loading,
            Stage::Ready => State::Ready,
            Stage::Error { .. } => State::Error,
            Stage::Completed => State::Completed,
            Stage::Cancelled => State::Cancelled,
            Stage::Destroyed => State::Destroyed,
        }
    }
}

/// A mounted session: its rules, where it is, and its token acquisition.
#[must_use = "a Session does nothing unless fed inputs and its effects are run"]
pub(crate) struct Session<D> {
    rules: Rules,
    stage: Stage,
    /// The iframe on show: set with the stage that loads it (`Loading`), kept through a
    /// refresh until the new one replaces it, removed by a camera block or `destroy()`.
    frame: Option<Frame>,
    flight: Option<Flight>,
    next_attempt: Attempt,
    /// The screen drawn, so each is drawn once (and again only in new texts).
    shown: Option<Screen>,
    /// The host's `parseMessage` threw once: said, and not said again.
    parser_threw: bool,
    random: u32,
    now: Ms,
    out: Vec<Effect<D>>,
}

impl<D: Clone> Session<D> {
    /// A session that claims its container on [`Input::Create`] and starts on
    /// [`Input::Mount`]; `seed` feeds the retry jitter.
    pub(crate) fn new(rules: Rules, seed: u32) -> Self {
        Session {
            rules,
            stage: Stage::New,
            frame: None,
            flight: None,
            next_attempt: 0,
            shown: None,
            parser_threw: false,
            random: seed | 1,
            now: 0.0,
            out: Vec::new(),
        }
    }

    /// `session.state`.
    pub(crate) fn state(&self) -> State {
        self.stage.state()
    }

    /// When the engine next needs [`Input::Timeout`]: its earliest deadline, if any.
    pub(crate) fn poll_timeout(&self) -> Option<Ms> {
        let flight = self.flight.map(|f| match f.phase {
            Phase::Calling { until, .. } | Phase::Backoff { until } => until,
        });
        let load = match self.stage {
            Stage::Loading { ready_by, .. } => Some(ready_by),
            _ => None,
        };
        match (flight, load) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a token is being acquired (a call in flight, or a pause before the next).
    #[cfg(test)]
    pub(crate) fn has_flight(&self) -> bool {
        self.flight.is_some()
    }

    /// Whether our box (inline) or the dialog (modal) holds the iframe.
    pub(crate) fn boxed(&self) -> bool {
        self.rules.ui || self.rules.mode == Mode::Modal
    }

    /// The iframe as it is made: a modal's fills the dialog, an inline one in our box fills
    /// its width (the box takes `width`).
    pub(crate) fn frame_look(&self) -> FrameLook {
        let full = || Length::Css("100%".into());
        let r = &self.rules;
        let (width, height) = match r.mode {
            Mode::Modal => (full(), full()),
            Mode::Inline if r.ui => (full(), r.height.clone()),
            Mode::Inline => (r.width.clone(), r.height.clone()),
        };
        FrameLook { width, height, allow: r.allow.clone(), title: r.title.clone() }
    }

    /// Our box or dialog as it is drawn. Inline, the box holds the iframe's height while there
    /// is none, so the page does not jump; a dialog's size is its own.
    pub(crate) fn box_look(&self) -> BoxLook {
        let r = &self.rules;
        let modal = r.mode == Mode::Modal;
        BoxLook {
            modal,
            locale: r.texts.locale,
            width: r.width.clone(),
            height: (!modal).then(|| r.height.clone()),
            label: r.texts.get(Text::DialogLabel).into(),
            close: r.texts.get(Text::Close).into(),
            title: r.title.clone(),
            frame_height: r.height.clone(),
        }
    }

    /// A screen as it is drawn, in the session's texts.
    pub(crate) fn screen_look(&self, screen: Screen) -> ScreenLook {
        screen.look(&self.rules.texts)
    }

    /// Refuses an update that would break the session's rules (bounds that cross).
    pub(crate) fn check(&self, new: &Rules, given: Live) -> Result<(), WidgetError> {
        let (min, max) = self.rules.bounds_after(new, given);
        options::check_bounds(min, max)
    }

    /// Applies one input at `now`; returns what to do, in order.
    #[must_use = "the effects must be run"]
    pub(crate) fn handle(&mut self, now: Ms, input: Input<D>) -> Vec<Effect<D>> {
        self.now = now;
        if !matches!(self.stage, Stage::Destroyed) {
            self.step(input);
        }
        core::mem::take(&mut self.out)
    }

    fn step(&mut self, input: Input<D>) {
        // Before Mount (with or without the container claimed) nothing has started.
        let unstarted = matches!(self.stage, Stage::New | Stage::Created);
        match input {
            Input::Create if matches!(self.stage, Stage::New) => {
                self.stage = Stage::Created;
                self.out.push(Effect::Claim);
            }
            Input::Mount { aborted: true } if unstarted => self.destroy(),
            Input::Mount { aborted: false } if unstarted => {
                self.stage = Stage::Token;
                if self.boxed() {
                    self.out.push(Effect::Open);
                }
                self.show();
                self.emit(Event::State(State::Token));
                self.start_flight(Reason::Initial);
            }
            Input::Create | Input::Mount { .. } => {}
            Input::TokenOk(attempt, token) => {
                if let Some(flight) = self.answered(attempt) {
                    self.flight = None;
                    match token::check(&token) {
                        Ok(()) => self.use_token(flight.purpose, token),
                        Err(e) => self.stop(e),
                    }
                }
            }
            Input::TokenErr(attempt, failure) => {
                if let Some(flight) = self.answered(attempt) {
                    self.retry_or_stop(flight, failure);
                }
            }
            Input::Timeout => self.timeout(),
            Input::FrameLoaded => {
                if let Some(first) = self.frame.as_mut().map(|f| !core::mem::replace(&mut f.loaded, true)) {
                    self.emit(Event::Load);
                    if first && self.rules.ready_on == ReadyOn::Load {
                        self.ready();
                    }
                }
            }
            // Flow-stopping: without camera and microphone the liveness step cannot work, so
            // the user is not walked through the steps before it for nothing.
            Input::CameraBlocked(features) => {
                if !features.is_empty() && self.frame.is_some() && !self.state().has_ended() {
                    let err = camera_blocked(&self.rules.origin, &features);
                    let screen = error_screen(&err);
                    self.frame = None;
                    self.out.push(Effect::RemoveFrame);
                    self.emit(Event::Error(err));
                    self.go(Stage::Error { screen });
                }
            }
            Input::Message(raw, read) => self.message(raw, read),
            Input::Refresh => {
                if !unstarted && !self.state().has_ended() {
                    self.go(Stage::Token);
                    self.start_flight(Reason::Refresh);
                }
            }
            Input::Destroy => self.destroy(),
            Input::Update(new, given) => self.update(new, given),
            Input::Close(data) => {
                if self.rules.mode == Mode::Modal && !unstarted {
                    if self.state().has_ended() {
                        self.destroy();
                    } else {
                        self.finish(Outcome::Cancelled(data));
                    }
                }
            }
        }
    }

    /// Every deadline that has passed: the call in flight times out, the pause before a
    /// retry ends, the app did not load in time.
    fn timeout(&mut self) {
        if let Some(flight) = self.flight {
            match flight.phase {
                Phase::Calling { until, .. } if until <= self.now => {
                    self.out.push(Effect::Abort);
                    self.retry_or_stop(flight, Failure::Timeout);
                }
                Phase::Backoff { until } if until <= self.now => self.call(Reason::Retry),
                _ => {}
            }
        }
        if let (Stage::Loading { ready_by }, Some(frame)) = (self.stage, self.frame) {
            if ready_by <= self.now {
                self.stop(load_timeout(&self.rules, frame.loaded));
            }
        }
    }

    /// Rules change for what comes next (the next provider call, timer, resize); what is drawn
    /// changes at once.
    fn update(&mut self, new: Rules, given: Live) {
        self.rules.take(new, given);
        let asked = self.frame.as_mut().and_then(|frame| {
            // The host's height holds until the app asks for another.
            if given.has(Live::HEIGHT) {
                frame.asked = None;
            }
            frame.asked
        });
        if given.has(Live::LOOK) {
            self.out.push(Effect::Restyle);
        }
        if given.has(Live::TEXTS) {
            self.shown = None;
            self.show();
        }
        if let (true, Some(asked)) = (given.has(Live::BOUNDS), asked) {
            self.follow_height(asked);
        }
    }

    /// Sizes an inline iframe as the app asked, within the bounds; returns the height applied.
    fn follow_height(&mut self, asked: f64) -> f64 {
        // A modal's iframe fills the dialog.
        if self.rules.auto_resize && self.rules.mode == Mode::Inline {
            let h = iframe::clamp_height(asked, self.rules.min_height, self.rules.max_height);
            self.out.push(Effect::Resize(h));
            h
        } else {
            asked
        }
    }

    /// Nothing more happens: the provider call is aborted, the iframe and what holds it go,
    /// `result` settles unless the flow ended before, and `vlens:destroy` is the last event.
    fn destroy(&mut self) {
        self.stop_flight();
        let opened = self.boxed() && !matches!(self.stage, Stage::New | Stage::Created);
        let settled = matches!(self.stage, Stage::Completed | Stage::Cancelled);
        self.stage = Stage::Destroyed;
        if self.frame.take().is_some() {
            self.out.push(Effect::RemoveFrame);
        }
        if opened {
            self.out.push(Effect::Close);
        }
        if !settled {
            self.out.push(Effect::Settle(Outcome::Destroyed));
        }
        self.emit(Event::State(State::Destroyed));
        self.emit(Event::Destroy);
    }

    /// The one way a flow ends with a result (the app's completion or cancellation, the
    /// user closing the dialog): nothing is pending any more, `result` settles, the host
    /// hears it, and a dialog then closes, after the host's callback has run.
    fn finish(&mut self, outcome: Outcome<D>) {
        self.stop_flight();
        let (event, completed) = match &outcome {
            Outcome::Completed(data) => (Event::Complete(data.clone()), true),
            Outcome::Cancelled(data) => (Event::Cancel(data.clone()), false),
            Outcome::Destroyed => return self.destroy(),
        };
        self.out.push(Effect::Settle(outcome));
        self.emit(event);
        self.go(if completed { Stage::Completed } else { Stage::Cancelled });
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
        // After LOAD_TIMEOUT a late app still recovers; during a refresh the new frame decides.
        let waiting = matches!(self.stage, Stage::Loading { .. } | Stage::Error { .. });
        let Some(frame) = self.frame.as_mut() else { return };
        if core::mem::replace(&mut frame.ready, true) || !waiting {
            return;
        }
        self.emit(Event::Ready);
        self.go(Stage::Ready);
    }

    fn app(&mut self, msg: AppMessage, data: D) {
        if !self.state().accepts(&msg) {
            return;
        }
        match msg {
            AppMessage::Ready => self.ready(),
            AppMessage::Step(step) => self.emit(Event::Step(step)),
            AppMessage::Resize(asked) => {
                if let Some(frame) = self.frame.as_mut() {
                    frame.asked = Some(asked);
                }
                let height = self.follow_height(asked);
                self.emit(Event::Resize(height));
            }
            AppMessage::Completed => self.finish(Outcome::Completed(data)),
            AppMessage::Cancelled => self.finish(Outcome::Cancelled(data)),
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

    /// The flight `attempt` belongs to, if it is the call in flight.
    fn answered(&self, attempt: Attempt) -> Option<Flight> {
        self.flight.filter(|f| matches!(f.phase, Phase::Calling { attempt: current, .. } if current == attempt))
    }

    /// After a failed attempt: wait and try again while the rules allow, else stop the flow.
    fn retry_or_stop(&mut self, flight: Flight, failure: Failure) {
        let random = self.next_random();
        match flight.tries.next(&failure, self.rules.retries, self.rules.token_timeout_ms, random) {
            Some((ms, tries)) => {
                let until = self.now + f64::from(ms);
                self.flight = Some(Flight { tries, phase: Phase::Backoff { until }, ..flight });
            }
            None => {
                self.flight = None;
                self.stop(failure.into_error(flight.purpose, self.rules.token_timeout_ms));
            }
        }
    }

    fn start_flight(&mut self, purpose: Reason) {
        self.stop_flight();
        self.flight =
            Some(Flight { purpose, tries: token::Tries::default(), phase: Phase::Backoff { until: self.now } });
        self.call(purpose);
    }

    /// Makes one provider call for the current flight.
    fn call(&mut self, reason: Reason) {
        let attempt = self.next_attempt;
        self.next_attempt = self.next_attempt.wrapping_add(1);
        let until = self.now + f64::from(self.rules.token_timeout_ms);
        if let Some(flight) = self.flight.as_mut() {
            flight.phase = Phase::Calling { attempt, until };
        }
        self.emit(Event::Token(reason));
        self.out.push(Effect::CallProvider { attempt, reason });
    }

    fn stop_flight(&mut self) {
        if let Some(Flight { phase: Phase::Calling { .. }, .. }) = self.flight.take() {
            self.out.push(Effect::Abort);
        }
    }

    fn use_token(&mut self, purpose: Reason, token: String) {
        if purpose == Reason::Expired && self.frame.is_some() {
            self.out.push(Effect::PostToken(token));
            return;
        }
        self.out.push(Effect::SetFrame(iframe::session_src(&self.rules.base, &token)));
        let ready_by = self.now + f64::from(self.rules.load_timeout_ms);
        self.frame = Some(Frame::default());
        self.go(Stage::Loading { ready_by });
        self.out.push(Effect::CheckCamera);
    }

    /// A widget error that stops the flow: `state` becomes `'error'` after the event; the
    /// iframe, if any, stays (a late app may still report ready).
    fn stop(&mut self, err: WidgetError) {
        let screen = error_screen(&err);
        self.emit(Event::Error(err));
        self.go(Stage::Error { screen });
    }

    /// Moves to `next`; draws its screen, then says the state changed, if it did.
    fn go(&mut self, next: Stage) {
        let before = self.state();
        self.stage = next;
        self.show();
        let after = self.state();
        if after != before {
            self.emit(Event::State(after));
        }
    }

    /// Shows the screen the stage calls for, if the built-in screens are on and it changed.
    fn show(&mut self) {
        let screen = match self.stage {
            Stage::New | Stage::Created | Stage::Destroyed => return,
            Stage::Token | Stage::Loading { .. } => Screen::Loading,
            Stage::Error { screen } => screen,
            Stage::Ready | Stage::Completed | Stage::Cancelled => Screen::App,
        };
        if self.rules.ui && self.shown != Some(screen) {
            self.shown = Some(screen);
            self.out.push(Effect::Show(screen));
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

/// The error screen for a flow-stopping error: its text, and "Try again" when it may help.
fn error_screen(err: &WidgetError) -> Screen {
    Screen::Error { text: Text::for_error(err.code), retry: err.recoverable }
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
