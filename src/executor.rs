//! The executor: runs the engine's effects against the DOM and turns browser callbacks
//! into engine inputs. It holds no rule of its own.
//!
//! Every browser callback of every session goes through one dispatcher function, bound
//! per use to `(session, kind, arg)`. Nothing per session outlives `destroy()`: its
//! listeners are removed, its timers cleared, its provider call aborted; a late answer
//! finds no session under its number and is dropped.

use crate::error::{invalid, WidgetError};
use crate::events::{self, Callbacks};
use crate::iframe::{self, Look};
use crate::js;
use crate::options::{self, Env, Live, Mode, UrlParts};
use crate::protocol;
use crate::provider::Provider;
use crate::session::{Attempt, Effect, Event, Input, Note, Outcome, Read, Session, State, Timer};
use crate::token::Failure;
use crate::ui::{Screen, Text, Texts};
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, Document, Element, EventTarget, HtmlIFrameElement, MessageEvent};

/// What a dispatched callback is about.
#[derive(Clone, Copy)]
enum Kind {
    Start = 0,
    Timer = 1,
    Answer = 2,
    Rejected = 3,
    Message = 4,
    Load = 5,
    Abort = 6,
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
    Kind::Abort,
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

/// A listener removed when dropped.
#[must_use = "dropping a Listener removes it"]
struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Function,
}

impl Listener {
    fn new(target: &EventTarget, kind: &'static str, callback: Function) -> Listener {
        let _ = target.add_event_listener_with_callback(kind, &callback);
        Listener { target: target.clone(), kind, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.kind, &self.callback);
    }
}

/// The browser side of [`Env`].
pub(crate) struct Browser;

impl Env for Browser {
    fn parse_url(&self, url: &str, base: Option<&str>) -> Option<UrlParts> {
        let parts = js::parse_url(url, base.map(String::from));
        if !parts.is_object() {
            return None;
        }
        let parts: &js_sys::Array = parts.unchecked_ref();
        let at = |i| parts.get(i).as_string().unwrap_or_default();
        Some(UrlParts {
            href: at(0),
            protocol: at(1),
            hostname: at(2),
            origin: at(3),
            pathname: at(4),
            search: at(5),
            hash: at(6),
            has_credentials: parts.get(7).is_truthy(),
        })
    }

    fn css_supports(&self, prop: &str, value: &str) -> bool {
        // Without `CSS.supports` (jsdom, happy-dom) the length is passed on unchecked: an
        // invalid value is then simply ignored by the style declaration.
        js::css_supports(prop, value).unwrap_or(true)
    }

    fn page_lang(&self) -> String {
        document().and_then(|d| d.document_element()).and_then(|e| e.get_attribute("lang")).unwrap_or_default()
    }
}

/// One mounted session: the engine and the DOM handles its effects act on.
pub(crate) struct Exec {
    id: u32,
    container: Element,
    doc: Document,
    engine: RefCell<Session<JsValue>>,
    queue: RefCell<VecDeque<Effect<JsValue>>>,
    running: Cell<bool>,
    origin: String,
    look: RefCell<Look>,
    texts: RefCell<Texts>,
    mode: Mode,
    provider: Provider,
    callbacks: Callbacks,
    /// The host's `parseMessage`, called in place of the v1 parser.
    parse_message: Option<Function>,
    signal: Option<web_sys::AbortSignal>,
    frame: RefCell<Option<HtmlIFrameElement>>,
    /// Where the iframe goes: our box (see `js/ui.js`), else the container itself.
    boxed: RefCell<Option<(Element, Function)>>,
    listeners: RefCell<Vec<Listener>>,
    timers: RefCell<[Option<JsValue>; 3]>,
    attempt: RefCell<Option<(Attempt, AbortController)>>,
    resolve: RefCell<Option<Function>>,
}

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

/// The page's `document`, found without `instanceof Window` (false under jsdom).
fn document() -> Option<Document> {
    let doc = js::get(&js_sys::global(), "document");
    doc.is_object().then(|| doc.unchecked_into())
}

fn container(doc: &Document, value: &JsValue) -> Result<Element, WidgetError> {
    // `instanceof Element` fails for elements of another realm; a node of type 1 with
    // `appendChild` is an element wherever it comes from.
    if js::get(value, "nodeType").as_f64() == Some(1.0) && js::get(value, "appendChild").is_function() {
        return Ok(value.clone().unchecked_into());
    }
    let Some(selector) = value.as_string() else {
        return Err(invalid!(
            "element",
            "element must be a DOM Element or a CSS selector string such as '#vlens' (or null with mode: 'modal')",
        ));
    };
    match doc.query_selector(&selector) {
        Ok(Some(el)) => Ok(el),
        Ok(None) => Err(invalid!(
            "element",
            "element: no element matches the selector '",
            &selector,
            "'; mount after the container is in the page"
        )),
        Err(_) => Err(invalid!("element", "element: '", &selector, "' is not a valid CSS selector")),
    }
}

/// The options object's own entries, as the options reader takes them.
fn entries(options: &JsValue) -> Result<Vec<(String, options::Value<JsValue>)>, WidgetError> {
    if !options.is_undefined() && !options.is_null() && (!options.is_object() || js_sys::Array::is_array(options)) {
        return Err(invalid!("options", "options must be an object, such as { height: 700, onComplete }"));
    }
    Ok(js::own_entries(options).into_iter().map(|(k, v)| (k, js::value(v))).collect())
}

/// `session.update(options)`: checked in full before anything changes; nothing to do once
/// the session is destroyed.
pub(crate) fn update(id: u32, options: &JsValue) -> Result<(), WidgetError> {
    let (given, cfg) = options::update(entries(options)?, &Browser)?;
    if let Some(exec) = Exec::find(id) {
        exec.engine.borrow().check(&cfg.rules, given)?;
        // What is drawn is the executor's to hold; the engine says when to draw it again.
        {
            let mut look = exec.look.borrow_mut();
            options::take(given, Live::HEIGHT, &mut look.height, cfg.height);
            options::take(given, Live::WIDTH, &mut look.width, cfg.width);
            options::take(given, Live::TITLE, &mut look.title, cfg.title);
            let mut texts = exec.texts.borrow_mut();
            options::take(given, Live::LOCALE, &mut texts.locale, cfg.texts.locale);
            if given.has(Live::MESSAGES) {
                texts.replace_own(cfg.texts);
            }
        }
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
    let doc = document().ok_or_else(|| {
        // js/entry.js checks first and says why; this keeps the engine safe on its own.
        invalid!("document", "mountVlens needs a browser document")
    })?;
    let cfg = options::read(entries(options)?, &Browser)?;
    // A modal needs no element: its events then go to the page's body.
    let container = match (cfg.rules.mode, doc.body()) {
        (Mode::Modal, Some(body)) if element.is_undefined() || element.is_null() => body.into(),
        _ => container(&doc, element)?,
    };
    for name in &cfg.unknown {
        js::warn(&["vlens-widget: unknown option '", name, "' is ignored; check its spelling"].concat());
    }
    let base = doc.base_uri().ok().flatten();
    let provider = Provider::from_js(token_provider, base.as_deref(), &Browser)?;

    // One element, at most one session: React StrictMode mounts twice.
    let previous: Vec<Rc<Exec>> = SESSIONS.0.borrow().iter().filter(|s| s.container == container).cloned().collect();
    for old in previous {
        old.input(Input::Destroy);
    }

    let id = NEXT_ID.0.get();
    NEXT_ID.0.set(id.wrapping_add(1));
    let seed = (js_sys::Math::random() * 4_294_967_295.0) as u32;
    let exec = Rc::new(Exec {
        id,
        container,
        doc,
        engine: RefCell::new(Session::new(cfg.rules.clone(), seed)),
        queue: RefCell::new(VecDeque::new()),
        running: Cell::new(false),
        origin: cfg.rules.origin,
        look: RefCell::new(Look { height: cfg.height, width: cfg.width, allow: cfg.allow, title: cfg.title }),
        texts: RefCell::new(cfg.texts),
        mode: cfg.rules.mode,
        provider,
        callbacks: cfg.callbacks.into_iter().map(|(c, f)| (c, f.unchecked_into())).collect(),
        parse_message: cfg.parse_message.map(JsCast::unchecked_into),
        signal: cfg.signal.map(JsCast::unchecked_into),
        frame: RefCell::new(None),
        boxed: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        timers: RefCell::new([None, None, None]),
        attempt: RefCell::new(None),
        resolve: RefCell::new(Some(resolve)),
    });
    SESSIONS.0.borrow_mut().push(exec.clone());
    let global: EventTarget = js_sys::global().unchecked_into();
    let mut listeners =
        vec![Listener::new(&global, "message", js::from_origin(&exec.origin, &exec.callback(Kind::Message, 0)))];
    if let Some(signal) = &exec.signal {
        listeners.push(Listener::new(signal, "abort", exec.callback(Kind::Abort, 0)));
    }
    *exec.listeners.borrow_mut() = listeners;
    js::queue_microtask(&exec.callback(Kind::Start, 0));
    Ok(exec)
}

impl Exec {
    fn callback(&self, kind: Kind, arg: u32) -> Function {
        js::bind(&dispatcher(), self.id, kind as u32, arg)
    }

    /// The current `session.state`.
    pub(crate) fn state(&self) -> State {
        self.engine.borrow().state()
    }

    /// The iframe on show, if any.
    pub(crate) fn iframe(&self) -> Option<HtmlIFrameElement> {
        self.frame.borrow().clone()
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
            Kind::Start if self.signal.as_ref().is_some_and(|s| s.aborted()) => Input::Destroy,
            Kind::Start => Input::Mount,
            Kind::Timer => match Timer::from_index(arg) {
                Some(t) => {
                    self.timers.borrow_mut()[t as usize] = None;
                    Input::Timer(t)
                }
                None => return,
            },
            Kind::Answer | Kind::Rejected => {
                let finished = self.attempt.borrow().as_ref().is_some_and(|(a, _)| *a == arg);
                if finished {
                    self.attempt.borrow_mut().take();
                }
                match kind {
                    Kind::Answer => match self.provider.answer(&value) {
                        Ok(token) => Input::TokenOk(arg, token),
                        Err(f) => Input::TokenErr(arg, f),
                    },
                    _ => Input::TokenErr(arg, self.provider.rejection(&value)),
                }
            }
            Kind::Message => match self.accept(value.unchecked_ref()) {
                Some(data) => Input::Message(data.clone(), self.read(data)),
                None => return,
            },
            Kind::Load => Input::FrameLoaded,
            Kind::Abort => Input::Destroy,
            Kind::Retry => Input::Refresh,
            Kind::Close => Input::Close(js::object(&[("reason", "closed".into())])),
        };
        self.input(input);
    }

    /// The checks every incoming message passes, in order: sender window, exact origin. What
    /// passes is the app's, whatever its shape: it is read next, and surfaces one way or another.
    fn accept(&self, ev: &MessageEvent) -> Option<JsValue> {
        let window = self.iframe()?.content_window()?;
        if JsValue::from(ev.source()?) != JsValue::from(window) || ev.origin() != self.origin {
            return None;
        }
        Some(ev.data())
    }

    /// Reads a message with the host's `parseMessage`, else as v1: either way, its
    /// `{type, data}` by the same rules.
    fn read(&self, data: JsValue) -> Read<JsValue> {
        let body = match &self.parse_message {
            Some(parse) => match parse.call1(&JsValue::UNDEFINED, &data) {
                Ok(mapped) if mapped.is_undefined() || mapped.is_null() => return Read::Raw,
                Ok(mapped) => mapped,
                Err(error) => return Read::ParserThrew(error),
            },
            None => match v1(data) {
                Some(body) => body,
                None => return Read::Raw,
            },
        };
        let Some(msg) = protocol::typed(&js::JsView(body.clone())) else { return Read::Malformed };
        let payload = js::get(&body, "data");
        Read::App(msg, if payload.is_undefined() || payload.is_null() { js::object(&[]) } else { payload })
    }

    /// Feeds the engine, then runs what it asks for with no borrow held, so callbacks into
    /// the host may re-enter (`destroy()`, `refresh()`): their effects queue behind ours.
    /// Every `RefCell` here is taken from or written to in a statement of its own, never
    /// borrowed across a call into JavaScript.
    pub(crate) fn input(self: &Rc<Self>, input: Input<JsValue>) {
        let effects = self.engine.borrow_mut().handle(input);
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
    }

    fn run(self: &Rc<Self>, effect: Effect<JsValue>) {
        match effect {
            Effect::CallProvider { attempt, reason } => {
                let Ok(controller) = AbortController::new() else { return };
                let signal = controller.signal();
                *self.attempt.borrow_mut() = Some((attempt, controller));
                match self.provider.call(reason, &signal) {
                    Ok(pending) => js::settle(
                        &pending,
                        &self.callback(Kind::Answer, attempt),
                        &self.callback(Kind::Rejected, attempt),
                    ),
                    Err(failure) => self.fail_now(attempt, failure),
                }
            }
            Effect::Abort(attempt) => {
                let taken = self.attempt.borrow_mut().take_if(|(a, _)| *a == attempt);
                // Last, as it runs the host's abort listeners.
                if let Some((_, controller)) = taken {
                    controller.abort();
                }
            }
            Effect::StartTimer(timer, ms) => {
                let handle = js::set_timeout(&self.callback(Kind::Timer, timer as u32), ms);
                let old = self.timers.borrow_mut()[timer as usize].replace(handle);
                if let Some(old) = old {
                    js::clear_timeout(&old);
                }
            }
            Effect::CancelTimer(timer) => {
                let handle = self.timers.borrow_mut()[timer as usize].take();
                if let Some(handle) = handle {
                    js::clear_timeout(&handle);
                }
            }
            Effect::SetFrame(src) => {
                self.remove_frame();
                let (w, h) = self.size();
                let onload = self.callback(Kind::Load, 0);
                let full = JsValue::from_str("100%");
                let (width, height) = match (self.mode, self.place()) {
                    (Mode::Modal, _) => (full.clone(), full),
                    (Mode::Inline, Some(_)) => (full, h),
                    (Mode::Inline, None) => (w, h),
                };
                let parent = self.place().unwrap_or_else(|| self.container.clone());
                let (allow, title) = (self.look.borrow().allow.clone(), self.look.borrow().title.clone());
                let element = js::frame(&parent, &allow, &title, &width, &height, &src, &onload);
                *self.frame.borrow_mut() = Some(element);
            }
            Effect::Open => {
                let locale = self.texts.borrow().locale;
                let modal = self.mode == Mode::Modal;
                let (label, close) = (self.text(Text::DialogLabel), self.text(Text::Close));
                let on_close = self.callback(Kind::Close, 0);
                let (lang, dir, width) = (locale.tag(), locale.dir(), self.size().0);
                let parts = js::open(&self.container, modal, lang, dir, &width, &label, &close, &on_close);
                if let (Ok(place), Ok(take_down)) = (parts.get(0).dyn_into(), parts.get(1).dyn_into()) {
                    *self.boxed.borrow_mut() = Some((place, take_down));
                }
            }
            Effect::Show(screen) => {
                if let Some(place) = self.place() {
                    let (n, text, retry) = match screen {
                        Screen::Loading => (0, Text::Loading, false),
                        Screen::Error { text, retry } => (1, text, retry),
                        Screen::App => (2, Text::Loading, false),
                    };
                    let retry = if retry { self.text(Text::Retry) } else { String::new() };
                    let min_height = if self.mode == Mode::Modal { JsValue::from_str("") } else { self.size().1 };
                    let on_retry = self.callback(Kind::Retry, 0);
                    js::show(&place, n, &self.text(text), &retry, &on_retry, &min_height);
                }
            }
            Effect::Close => {
                let taken = self.boxed.borrow_mut().take();
                if let Some((_, take_down)) = taken {
                    let _ = take_down.call0(&JsValue::UNDEFINED);
                }
            }
            Effect::CheckCamera => {
                if let Some(frame) = self.iframe() {
                    let blocked = iframe::blocked_features(&self.doc, &frame);
                    if !blocked.is_empty() {
                        self.input(Input::CameraBlocked(blocked));
                    }
                }
            }
            Effect::PostToken(token) => {
                if let Some(window) = self.iframe().and_then(|f| f.content_window()) {
                    let msg = js::object(&[
                        ("source", protocol::HOST_SOURCE.into()),
                        ("version", protocol::VERSION.into()),
                        ("type", "token".into()),
                        ("data", js::object(&[("token", token.into())])),
                    ]);
                    // Never '*': the token goes to the Vlens origin or nowhere.
                    let _ = window.post_message(&msg, &self.origin);
                }
            }
            Effect::Resize(height) => {
                if let Some(frame) = self.iframe() {
                    js::set_height(&frame, height);
                }
            }
            Effect::Emit(event, level) => {
                if event == Event::Destroy {
                    self.release();
                }
                events::deliver(&self.container, &self.callbacks, event, level);
            }
            Effect::Settle(outcome) => {
                let (status, data) = match outcome {
                    Outcome::Completed(d) => ("completed", Some(d)),
                    Outcome::Cancelled(d) => ("cancelled", Some(d)),
                    Outcome::Destroyed => ("destroyed", None),
                };
                let resolve = self.resolve.borrow_mut().take();
                if let Some(resolve) = resolve {
                    let mut pairs = vec![("status", JsValue::from_str(status))];
                    pairs.extend(data.map(|d| ("data", d)));
                    let _ = resolve.call1(&JsValue::UNDEFINED, &js::object(&pairs));
                }
            }
            Effect::RemoveFrame => self.remove_frame(),
            Effect::Log(level, note) => {
                let (text, value) = match note {
                    Note::Received(data) => ("message from the app", data),
                    Note::ParserThrew(error) => {
                        ("parseMessage threw; the message passes on raw as vlens:message", error)
                    }
                };
                js::log(level.as_str(), text, &value);
            }
            Effect::Restyle => self.restyle(),
        }
    }

    /// Draws again what `update()` may have changed.
    fn restyle(&self) {
        let locale = self.texts.borrow().locale;
        let (width, height) = self.size();
        let title = self.look.borrow().title.clone();
        js::restyle(
            &self.place().map_or(JsValue::NULL, JsValue::from),
            &self.iframe().map_or(JsValue::NULL, JsValue::from),
            self.mode == Mode::Modal,
            locale.tag(),
            locale.dir(),
            &self.text(Text::DialogLabel),
            &self.text(Text::Close),
            &width,
            &height,
            &title,
        );
    }

    /// A text in the session's language (a copy: no borrow may be held across a call into JS).
    fn text(&self, text: Text) -> String {
        self.texts.borrow().get(text).into()
    }

    /// The iframe's width and height from the options, as JS takes them.
    fn size(&self) -> (JsValue, JsValue) {
        let look = self.look.borrow();
        (iframe::css(&look.width), iframe::css(&look.height))
    }

    /// A function provider that threw synchronously: its failure is an answer like any other.
    fn fail_now(self: &Rc<Self>, attempt: Attempt, failure: Failure) {
        self.attempt.borrow_mut().take();
        self.input(Input::TokenErr(attempt, failure));
    }

    /// Our box for the iframe, if the session has one.
    fn place(&self) -> Option<Element> {
        self.boxed.borrow().as_ref().map(|(place, _)| place.clone())
    }

    fn remove_frame(&self) {
        let frame = self.frame.borrow_mut().take();
        if let Some(frame) = frame {
            frame.remove();
        }
    }

    /// The session is over: its listeners go and the page forgets it, so its memory is
    /// freed as soon as the effects running now are done (the JS handle keeps only a number).
    fn release(self: &Rc<Self>) {
        drop(self.listeners.take());
        SESSIONS.0.borrow_mut().retain(|s| !Rc::ptr_eq(s, self));
    }
}

/// The v1 message in what the app posted: an object, or a JSON string of one, with
/// `source: 'vlens'` and `version: 1`.
fn v1(data: JsValue) -> Option<JsValue> {
    let object = match js::short_string(&data, protocol::MAX_STRING_MESSAGE) {
        Some(text) => js_sys::JSON::parse(&text.ok()?).ok()?,
        None => data,
    };
    (object.is_object() && protocol::is_v1(&js::JsView(object.clone()))).then_some(object)
}
