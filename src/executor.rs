//! The executor: a driver with no rule of its own. It turns browser callbacks into engine
//! inputs (with the time) and the engine's effects into DOM calls, and keeps the one browser
//! timer on the engine's earliest deadline. What to do, when, with which texts and sizes,
//! is the engine's (`session.rs`) and the option reader's (`options/`).
//!
//! Every browser callback of every session goes through one dispatcher function, bound per
//! use to `(session, kind, arg)`. Nothing per session outlives `destroy()`: what it holds in
//! the page ([`Held`]) is dropped, its provider call aborted; a late answer finds no session
//! under its number and is dropped.

use crate::browser::{self, Browser};
use crate::channel::Channel;
use crate::error::{invalid, WidgetError};
use crate::events::{self, Callbacks};
use crate::handles::{Claim, Held, Listener, Timeout};
use crate::js;
use crate::options::{self, Place};
use crate::provider::Provider;
use crate::session::{Attempt, Effect, Event, Input, Note, Outcome, Session, State};
use crate::view::View;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, EventTarget, HtmlIFrameElement};

/// What a dispatched callback is about.
#[derive(Clone, Copy)]
enum Kind {
    Start = 0,
    Timer = 1,
    Answer = 2,
    Rejected = 3,
    Message = 4,
    Load = 5,
    Destroy = 6,
    Retry = 7,
    Close = 8,
}

const KINDS: [Kind; 9] = [
    Kind::Start,
    Kind::Timer,
    Kind::Answer,
    Kind::Rejected,
    Kind::Message,
    Kind::Load,
    Kind::Destroy,
    Kind::Retry,
    Kind::Close,
];

/// Page-wide state of a single-threaded wasm instance.
struct Global<T>(T);
// SAFETY: wasm32 without the atomics feature has exactly one thread, and native builds
// (unit tests) never touch these statics.
unsafe impl<T> Sync for Global<T> {}

static SESSIONS: Global<RefCell<Vec<Rc<Exec>>>> = Global(RefCell::new(Vec::new()));
/// `(session, kind, arg, value)`: the one Rust closure every browser callback goes through.
type Dispatch = Closure<dyn FnMut(u32, u32, u32, JsValue)>;
static DISPATCHER: Global<RefCell<Option<Dispatch>>> = Global(RefCell::new(None));
static NEXT_ID: Global<Cell<u32>> = Global(Cell::new(1));

fn dispatcher() -> Function {
    let mut slot = DISPATCHER.0.borrow_mut();
    let closure = slot.get_or_insert_with(|| {
        Closure::new(|session: u32, kind: u32, arg: u32, value: JsValue| {
            if let (Some(exec), Some(&kind)) = (Exec::find(session), KINDS.get(kind as usize)) {
                exec.on(kind, arg, value);
            }
        })
    });
    closure.as_ref().unchecked_ref::<Function>().clone()
}

/// One mounted session: the engine and the DOM handles its effects act on.
pub(crate) struct Exec {
    id: u32,
    view: View,
    engine: RefCell<Session<JsValue>>,
    queue: RefCell<VecDeque<Effect<JsValue>>>,
    running: Cell<bool>,
    provider: Provider,
    callbacks: Callbacks,
    channel: Channel,
    signal: Option<web_sys::AbortSignal>,
    held: RefCell<Held>,
    resolve: RefCell<Option<Function>>,
}

/// `session.update(options)`: checked in full before anything changes; nothing to do once
/// the session is destroyed.
pub(crate) fn update(id: u32, options: &JsValue) -> Result<(), WidgetError> {
    let (given, cfg) = options::update(browser::entries(options)?, &Browser)?;
    if let Some(exec) = Exec::find(id) {
        exec.engine.borrow().check(&cfg.rules, given)?;
        exec.input(Input::Update(cfg.rules, given));
    }
    Ok(())
}

/// Mounts a session; see `mountVlens` in the README. No event fires before it returns.
pub(crate) fn mount(
    element: &JsValue,
    token_provider: &JsValue,
    options: &JsValue,
    resolve: Function,
) -> Result<Rc<Exec>, WidgetError> {
    // js/entry.js checks first and says why; this keeps the engine safe on its own.
    let doc = browser::document().ok_or_else(|| invalid!("document", "mountVlens needs a browser document"))?;
    let cfg = options::read(browser::entries(options)?, &Browser)?;
    let given = !element.is_undefined() && !element.is_null();
    let container = match (cfg.rules.mode.place(given), doc.body()) {
        (Place::Body, Some(body)) => body.into(),
        _ => browser::element(&doc, element)?,
    };
    for name in &cfg.unknown {
        js::warn(&["vlens-widget: unknown option '", name, "' is ignored; check its spelling"].concat());
    }
    let provider = Provider::from_js(token_provider, doc.base_uri().ok().flatten().as_deref(), &Browser)?;
    let id = NEXT_ID.0.get();
    NEXT_ID.0.set(id.wrapping_add(1));
    let seed = (js_sys::Math::random() * 4_294_967_295.0) as u32;
    let exec = Rc::new(Exec {
        id,
        view: View::new(container, doc),
        channel: Channel {
            origin: cfg.rules.origin.clone(),
            parse_message: cfg.parse_message.map(JsCast::unchecked_into),
        },
        engine: RefCell::new(Session::new(cfg.rules, seed)),
        queue: RefCell::new(VecDeque::new()),
        running: Cell::new(false),
        provider,
        callbacks: cfg.callbacks.into_iter().map(|(c, f)| (c, f.unchecked_into())).collect(),
        signal: cfg.signal.map(JsCast::unchecked_into),
        held: RefCell::new(Held::default()),
        resolve: RefCell::new(Some(resolve)),
    });
    SESSIONS.0.borrow_mut().push(exec.clone());
    exec.listen();
    exec.input(Input::Create);
    js::queue_microtask(&exec.callback(Kind::Start, 0));
    Ok(exec)
}

impl Exec {
    fn callback(&self, kind: Kind, arg: u32) -> Function {
        js::bind(&dispatcher(), self.id, kind as u32, arg)
    }

    /// The window's messages (those of the Vlens origin reach wasm) and the host's `signal`.
    fn listen(&self) {
        let global: EventTarget = js_sys::global().unchecked_into();
        let on_message = js::from_origin(&self.channel.origin, &self.callback(Kind::Message, 0));
        let mut listeners = Vec::from([Listener::new(&global, "message", on_message)]);
        if let Some(signal) = &self.signal {
            listeners.push(Listener::new(signal, "abort", self.callback(Kind::Destroy, 0)));
        }
        self.held.borrow_mut().listeners = listeners;
    }

    /// The current `session.state`.
    pub(crate) fn state(&self) -> State {
        self.engine.borrow().state()
    }

    /// The iframe on show, if any.
    pub(crate) fn iframe(&self) -> Option<HtmlIFrameElement> {
        self.view.iframe()
    }

    /// The session's number, by which its handle finds it while it lives.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// The live session numbered `id`; `None` once it is destroyed and forgotten.
    pub(crate) fn find(id: u32) -> Option<Rc<Exec>> {
        SESSIONS.0.borrow().iter().find(|s| s.id == id).cloned()
    }

    fn on(self: &Rc<Self>, kind: Kind, arg: u32, value: JsValue) {
        let input = match kind {
            Kind::Start => Input::Mount { aborted: self.signal.as_ref().is_some_and(|s| s.aborted()) },
            Kind::Timer => {
                drop(self.held.borrow_mut().timer.take());
                Input::Timeout
            }
            Kind::Answer => match self.provider.answer(&value) {
                Ok(token) => Input::TokenOk(arg, token),
                Err(f) => Input::TokenErr(arg, f),
            },
            Kind::Rejected => Input::TokenErr(arg, self.provider.rejection(&value)),
            Kind::Message => match self.channel.accept(value.unchecked_ref(), self.iframe()) {
                Some(data) => Input::Message(data.clone(), self.channel.read(data)),
                None => return,
            },
            Kind::Load => Input::FrameLoaded,
            Kind::Destroy => Input::Destroy,
            Kind::Retry => Input::Refresh,
            Kind::Close => Input::Close(js::object(&[("reason", "closed".into())])),
        };
        self.input(input);
    }

    /// Feeds the engine, then runs what it asks for with no borrow held, so callbacks into
    /// the host may re-enter (`destroy()`, `refresh()`): their effects queue behind ours.
    /// Every `RefCell` here is taken from or written to in a statement of its own, never
    /// borrowed across a call into JavaScript.
    pub(crate) fn input(self: &Rc<Self>, input: Input<JsValue>) {
        let effects = self.engine.borrow_mut().handle(js::now(), input);
        self.queue.borrow_mut().extend(effects);
        if self.running.replace(true) {
            return;
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(effect) => self.run(effect),
                None => break,
            }
        }
        self.running.set(false);
        self.reschedule();
    }

    /// Keeps the one timer on the engine's earliest deadline.
    fn reschedule(&self) {
        let next = self.engine.borrow().poll_timeout();
        let current = self.held.borrow().timer.as_ref().map(|t| t.at);
        if next != current {
            let timer = next.map(|at| Timeout::new(at, &self.callback(Kind::Timer, 0)));
            let old = core::mem::replace(&mut self.held.borrow_mut().timer, timer);
            drop(old);
        }
    }

    fn run(self: &Rc<Self>, effect: Effect<JsValue>) {
        let view = &self.view;
        match effect {
            Effect::Claim => {
                let claim = Claim::new(&view.container, self.callback(Kind::Destroy, 0));
                self.held.borrow_mut().claim = Some(claim);
            }
            Effect::CallProvider { attempt, reason } => self.call(attempt, reason),
            Effect::Abort => {
                let taken = self.held.borrow_mut().controller.take();
                // Last, as it runs the host's abort listeners.
                if let Some(controller) = taken {
                    controller.abort();
                }
            }
            Effect::SetFrame(src) => {
                let look = self.engine.borrow().frame_look();
                view.set_frame(look, &src, &self.callback(Kind::Load, 0));
            }
            Effect::RemoveFrame => view.remove_frame(),
            Effect::CheckCamera => {
                let blocked = view.blocked();
                if !blocked.is_empty() {
                    self.input(Input::CameraBlocked(blocked));
                }
            }
            Effect::PostToken(token) => self.channel.post_token(view.iframe(), token),
            Effect::Resize(height) => view.resize(height),
            Effect::Emit(event, level) => {
                if event == Event::Destroy {
                    self.release();
                }
                events::deliver(&view.container, &self.callbacks, event, level);
            }
            Effect::Settle(outcome) => self.settle(outcome),
            Effect::Open => {
                let look = self.engine.borrow().box_look();
                view.open(look, &self.callback(Kind::Close, 0));
            }
            Effect::Show(screen) => {
                let (look, height) = {
                    let engine = self.engine.borrow();
                    (engine.screen_look(screen), engine.box_look().height)
                };
                view.show(look, height, &self.callback(Kind::Retry, 0));
            }
            Effect::Close => view.close(),
            Effect::Log(level, Note::Received(data)) => js::log(level.as_str(), "message from the app", &data),
            Effect::Log(level, Note::ParserThrew(error)) => {
                js::log(level.as_str(), "parseMessage threw; the message passes on raw as vlens:message", &error)
            }
            Effect::Restyle => {
                let look = self.engine.borrow().box_look();
                view.restyle(look);
            }
        }
    }

    /// One provider call: its `ctx.signal`, and its answer (or a synchronous throw, an
    /// answer like any other) back to the engine under its number.
    fn call(self: &Rc<Self>, attempt: Attempt, reason: crate::token::Reason) {
        let Ok(controller) = AbortController::new() else { return };
        let signal = controller.signal();
        self.held.borrow_mut().controller = Some(controller);
        match self.provider.call(reason, &signal) {
            Ok(pending) => {
                js::settle(&pending, &self.callback(Kind::Answer, attempt), &self.callback(Kind::Rejected, attempt))
            }
            Err(failure) => self.input(Input::TokenErr(attempt, failure)),
        }
    }

    fn settle(&self, outcome: Outcome<JsValue>) {
        let (status, data) = match outcome {
            Outcome::Completed(d) => ("completed", Some(d)),
            Outcome::Cancelled(d) => ("cancelled", Some(d)),
            Outcome::Destroyed => ("destroyed", None),
        };
        if let Some(resolve) = self.resolve.take() {
            let mut pairs = Vec::from([("status", JsValue::from_str(status))]);
            pairs.extend(data.map(|d| ("data", d)));
            let _ = resolve.call1(&JsValue::UNDEFINED, &js::object(&pairs));
        }
    }

    /// The session is over: what it holds in the page goes and the page forgets it, so its
    /// memory is freed as soon as the effects running now are done (the JS handle keeps only
    /// a number).
    fn release(self: &Rc<Self>) {
        drop(self.held.take());
        SESSIONS.0.borrow_mut().retain(|s| !Rc::ptr_eq(s, self));
    }
}
