//! The options of `mountVlens`, read by one table-driven reader with no DOM access.
//!
//! The executor hands over the options object's *own* entries (so a polluted
//! `Object.prototype` cannot redirect the widget) as [`Value`]s; everything the browser
//! must judge (URL parsing, CSS lengths) comes through [`Env`].

mod policy;

use policy::check_base_url;
pub(crate) use policy::{check_form_names, check_provider_url, is_secret_name, secret_error};

use crate::error::{invalid, WidgetError};
use crate::iframe::{allow_attr, REQUIRED_FEATURES};
use crate::ui::{Locale, Text, Texts};
use alloc::string::String;
use alloc::vec::Vec;

/// Where the Vlens app lives unless `baseUrl` says otherwise.
pub(crate) const DEFAULT_BASE_URL: &str = "https://app.vlenseg.com";
/// Default iframe title.
const DEFAULT_TITLE: &str = "Vlens identity verification";
/// Longest `title`, in UTF-16 units (what JavaScript's `length` counts).
const MAX_TITLE: usize = 200;
/// Longest text of `messages`, in UTF-16 units: a sentence or two fits a screen.
const MAX_MESSAGE: usize = 300;
/// Largest timeout accepted (ten minutes).
const MAX_TIMEOUT_MS: f64 = 600_000.0;

/// An option's value, reduced to what the reader needs. `J` is an opaque JavaScript handle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value<J> {
    /// `undefined` or `null`: not given.
    Absent,
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array whose items are all strings.
    Strings(Vec<String>),
    /// A function.
    Function(J),
    /// An `AbortSignal`.
    Signal(J),
    /// Any other object: its own entries, with the values that are strings.
    Entries(Vec<(String, Option<String>)>),
    /// Anything else.
    Other,
}

/// The host's callbacks, in the order they are looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    /// `onReady(detail)`.
    Ready,
    /// `onStep(detail)`.
    Step,
    /// `onResize(detail)`.
    Resize,
    /// `onComplete(detail)`.
    Complete,
    /// `onCancel(detail)`.
    Cancel,
    /// `onError(detail)`.
    Error,
    /// `onStateChange(detail)`.
    StateChange,
    /// `onEvent(type, detail)`.
    Any,
}

#[derive(Clone, Copy)]
enum Opt {
    BaseUrl,
    Height,
    Width,
    MinHeight,
    MaxHeight,
    AutoResize,
    Allow,
    Title,
    TokenTimeoutMs,
    Retries,
    LoadTimeoutMs,
    Signal,
    Locale,
    Messages,
    Ui,
    Mode,
    ReadyOn,
    ParseMessage,
    Debug,
    On(Callback),
}

/// Every option, by name: the one place option names live.
const OPTIONS: [(&str, Opt); 27] = [
    ("baseUrl", Opt::BaseUrl),
    ("height", Opt::Height),
    ("width", Opt::Width),
    ("minHeight", Opt::MinHeight),
    ("maxHeight", Opt::MaxHeight),
    ("autoResize", Opt::AutoResize),
    ("allow", Opt::Allow),
    ("title", Opt::Title),
    ("tokenTimeoutMs", Opt::TokenTimeoutMs),
    ("retries", Opt::Retries),
    ("loadTimeoutMs", Opt::LoadTimeoutMs),
    ("signal", Opt::Signal),
    ("locale", Opt::Locale),
    ("messages", Opt::Messages),
    ("ui", Opt::Ui),
    ("mode", Opt::Mode),
    ("readyOn", Opt::ReadyOn),
    ("parseMessage", Opt::ParseMessage),
    ("debug", Opt::Debug),
    ("onReady", Opt::On(Callback::Ready)),
    ("onStep", Opt::On(Callback::Step)),
    ("onResize", Opt::On(Callback::Resize)),
    ("onComplete", Opt::On(Callback::Complete)),
    ("onCancel", Opt::On(Callback::Cancel)),
    ("onError", Opt::On(Callback::Error)),
    ("onStateChange", Opt::On(Callback::StateChange)),
    ("onEvent", Opt::On(Callback::Any)),
];

/// A CSS size: pixels, or a CSS length the browser has accepted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Length {
    /// CSS pixels.
    Px(f64),
    /// A CSS length such as `80vh` or `100%`.
    Css(String),
}

/// The parts of a URL the widget checks, as the browser's URL parser gives them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct UrlParts {
    /// Serialised URL.
    pub href: String,
    /// `https:`.
    pub protocol: String,
    /// Lower-case host name without port.
    pub hostname: String,
    /// `https://app.vlenseg.com`.
    pub origin: String,
    /// `/vlens/`.
    pub pathname: String,
    /// `?a=1`, or empty.
    pub search: String,
    /// `#x`, or empty.
    pub hash: String,
    /// Whether it has a user name or password.
    pub has_credentials: bool,
}

/// What the reader asks of the browser.
pub(crate) trait Env {
    /// Parses `url` against `base` (the document's URL), like `new URL(url, base)`.
    fn parse_url(&self, url: &str, base: Option<&str>) -> Option<UrlParts>;
    /// Whether `value` is valid for the CSS property `prop` (`CSS.supports`).
    fn css_supports(&self, prop: &str, value: &str) -> bool;
    /// The page's language (`<html lang>`), empty when it has none.
    fn page_lang(&self) -> String;
}

/// Where the flow is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// In the host's element.
    Inline,
    /// In a dialog over the page; the session ends when it closes.
    Modal,
}

/// What holds the session's events (and, inline, its iframe).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The element the host gave (or named).
    Element,
    /// The page's body: a modal needs no element, and its events then go there.
    Body,
}

impl Mode {
    /// Where a session of this mode goes when the host gave an element, or gave none.
    pub(crate) fn place(self, element_given: bool) -> Place {
        match (self, element_given) {
            (Mode::Modal, false) => Place::Body,
            _ => Place::Element,
        }
    }
}

/// When the app counts as shown (`readyOn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadyOn {
    /// At the iframe's first `load` or the app's v1 `ready`, whichever comes first.
    Load,
    /// Only at the app's v1 `ready`.
    Message,
}

/// The rules of a session that the engine applies.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rules {
    /// `baseUrl` without a trailing slash.
    pub base: String,
    /// The exact origin messages must come from, and tokens are posted to.
    pub origin: String,
    /// Per-attempt token timeout.
    pub token_timeout_ms: u32,
    /// Retries after a failed token attempt.
    pub retries: u32,
    /// How long the app may take to report `ready`.
    pub load_timeout_ms: u32,
    /// Whether `resize` messages resize the iframe.
    pub auto_resize: bool,
    /// Lower bound for auto-resize.
    pub min_height: Option<f64>,
    /// Upper bound for auto-resize.
    pub max_height: Option<f64>,
    /// Whether the built-in loading and error screens are drawn (`ui`).
    pub ui: bool,
    /// Inline or modal.
    pub mode: Mode,
    /// What makes the app count as ready.
    pub ready_on: ReadyOn,
    /// Whether every app message, state change and event is also logged (`debug`).
    pub debug: bool,
    /// The iframe's height: at first, and while the app asks for none.
    pub height: Length,
    /// The iframe's width (inline).
    pub width: Length,
    /// The iframe's `allow` attribute.
    pub allow: String,
    /// The iframe's `title`.
    pub title: String,
    /// The texts of the built-in screens and the dialog.
    pub texts: Texts,
}

/// Everything read from `options`.
pub(crate) struct Config<J> {
    /// What the engine needs.
    pub rules: Rules,
    /// Aborting it destroys the session.
    pub signal: Option<J>,
    /// The host's callbacks.
    pub callbacks: Vec<(Callback, J)>,
    /// The host's `parseMessage`, replacing the v1 parser.
    pub parse_message: Option<J>,
    /// Option names not recognised (probable typos: warned about, not refused).
    pub unknown: Vec<String>,
}

/// The options `session.update()` was given, a bit each: those that can change without a new
/// iframe. The engine takes the rules among them; the executor redraws the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Live(pub u16);

impl Live {
    pub(crate) const HEIGHT: u16 = 1;
    pub(crate) const WIDTH: u16 = 1 << 1;
    pub(crate) const TITLE: u16 = 1 << 2;
    pub(crate) const LOCALE: u16 = 1 << 3;
    pub(crate) const MESSAGES: u16 = 1 << 4;
    pub(crate) const MIN_HEIGHT: u16 = 1 << 5;
    pub(crate) const MAX_HEIGHT: u16 = 1 << 6;
    pub(crate) const AUTO_RESIZE: u16 = 1 << 7;
    pub(crate) const TOKEN_TIMEOUT: u16 = 1 << 8;
    pub(crate) const RETRIES: u16 = 1 << 9;
    pub(crate) const LOAD_TIMEOUT: u16 = 1 << 10;
    pub(crate) const DEBUG: u16 = 1 << 11;
    /// What is drawn: redrawn at once.
    pub(crate) const LOOK: u16 = Live::HEIGHT | Live::WIDTH | Live::TITLE | Live::TEXTS;
    /// The texts: the screen on show is drawn again.
    pub(crate) const TEXTS: u16 = Live::LOCALE | Live::MESSAGES;
    /// What sizes the iframe as the app asks.
    pub(crate) const BOUNDS: u16 = Live::MIN_HEIGHT | Live::MAX_HEIGHT | Live::AUTO_RESIZE;

    /// Whether any of `bits` was given.
    pub(crate) fn has(self, bits: u16) -> bool {
        self.0 & bits != 0
    }
}

/// Sets `to` from `from` when `bit` was given to `session.update()`.
pub(crate) fn take<T>(given: Live, bit: u16, to: &mut T, from: T) {
    if given.has(bit) {
        *to = from;
    }
}

impl Rules {
    /// Takes the rules `given` from `new` (read from a `session.update()`).
    pub(crate) fn take(&mut self, new: Rules, given: Live) {
        take(given, Live::MIN_HEIGHT, &mut self.min_height, new.min_height);
        take(given, Live::MAX_HEIGHT, &mut self.max_height, new.max_height);
        take(given, Live::AUTO_RESIZE, &mut self.auto_resize, new.auto_resize);
        take(given, Live::TOKEN_TIMEOUT, &mut self.token_timeout_ms, new.token_timeout_ms);
        take(given, Live::RETRIES, &mut self.retries, new.retries);
        take(given, Live::LOAD_TIMEOUT, &mut self.load_timeout_ms, new.load_timeout_ms);
        take(given, Live::DEBUG, &mut self.debug, new.debug);
        take(given, Live::HEIGHT, &mut self.height, new.height);
        take(given, Live::WIDTH, &mut self.width, new.width);
        take(given, Live::TITLE, &mut self.title, new.title);
        take(given, Live::LOCALE, &mut self.texts.locale, new.texts.locale);
        if given.has(Live::MESSAGES) {
            self.texts.replace_own(new.texts);
        }
    }

    /// The height bounds these rules would have after taking `new`'s `given`.
    pub(crate) fn bounds_after(&self, new: &Rules, given: Live) -> (Option<f64>, Option<f64>) {
        let pick = |bit, mine: Option<f64>, theirs| if given.has(bit) { theirs } else { mine };
        (
            pick(Live::MIN_HEIGHT, self.min_height, new.min_height),
            pick(Live::MAX_HEIGHT, self.max_height, new.max_height),
        )
    }
}

/// Refuses a `minHeight` above `maxHeight`, at mount and on update.
pub(crate) fn check_bounds(min: Option<f64>, max: Option<f64>) -> Result<(), WidgetError> {
    match (min, max) {
        (Some(lo), Some(hi)) if lo > hi => Err(invalid!("minHeight", "minHeight must not be larger than maxHeight")),
        _ => Ok(()),
    }
}

/// Reads `session.update(options)`: every value checked exactly as at mount (so `undefined` is
/// the default again), then which options were given, refusing one that needs a new session (a
/// new iframe, or read only when a session starts).
pub(crate) fn update<J>(entries: Vec<(String, Value<J>)>, env: &impl Env) -> Result<(Live, Config<J>), WidgetError> {
    let mut given = 0;
    let mut refused = None;
    for (key, _) in &entries {
        given |= match OPTIONS.iter().find(|(n, _)| n == key).map(|(_, o)| *o) {
            Some(Opt::Height) => Live::HEIGHT,
            Some(Opt::Width) => Live::WIDTH,
            Some(Opt::Title) => Live::TITLE,
            Some(Opt::Locale) => Live::LOCALE,
            Some(Opt::Messages) => Live::MESSAGES,
            Some(Opt::MinHeight) => Live::MIN_HEIGHT,
            Some(Opt::MaxHeight) => Live::MAX_HEIGHT,
            Some(Opt::AutoResize) => Live::AUTO_RESIZE,
            Some(Opt::TokenTimeoutMs) => Live::TOKEN_TIMEOUT,
            Some(Opt::Retries) => Live::RETRIES,
            Some(Opt::LoadTimeoutMs) => Live::LOAD_TIMEOUT,
            Some(Opt::Debug) => Live::DEBUG,
            other => {
                refused = refused.or(Some((key.clone(), other.is_some())));
                0
            }
        };
    }
    let cfg = read(entries, env)?;
    match refused {
        // Not a bad value but a wrong use: said in full in every build.
        Some((key, true)) => Err(WidgetError::invalid(
            ["update: ", &key, " needs a new session: destroy() this one and mount another"].concat(),
        )),
        Some((key, false)) => Err(WidgetError::invalid(["update: unknown option '", &key, "'"].concat())),
        None => Ok((Live(given), cfg)),
    }
}

/// Reads the options object's own entries.
pub(crate) fn read<J>(entries: Vec<(String, Value<J>)>, env: &impl Env) -> Result<Config<J>, WidgetError> {
    let mut base_url: Option<String> = None;
    let mut cfg = Config {
        rules: Rules {
            base: String::new(),
            origin: String::new(),
            token_timeout_ms: 15_000,
            retries: 2,
            load_timeout_ms: 30_000,
            auto_resize: true,
            min_height: None,
            max_height: None,
            ui: true,
            mode: Mode::Inline,
            ready_on: ReadyOn::Load,
            debug: false,
            height: Length::Px(700.0),
            width: Length::Css("100%".into()),
            allow: String::new(),
            title: DEFAULT_TITLE.into(),
            texts: Texts::new(Locale::of_page(&env.page_lang())),
        },
        signal: None,
        callbacks: Vec::new(),
        parse_message: None,
        unknown: Vec::new(),
    };
    let mut extras: Vec<String> = Vec::new();
    let mut messages = Vec::new();
    for (key, value) in entries {
        if is_secret_name(&key) {
            return Err(secret_error(&key));
        }
        let Some(&(name, opt)) = OPTIONS.iter().find(|(n, _)| *n == key) else {
            cfg.unknown.push(key);
            continue;
        };
        if matches!(value, Value::Absent) {
            continue;
        }
        match (opt, value) {
            (Opt::BaseUrl, Value::Str(s)) => base_url = Some(s),
            (Opt::BaseUrl, _) => return Err(invalid!("baseUrl", "baseUrl must be a string such as 'https://app.vlenseg.com'")),
            (Opt::Height, v) => cfg.rules.height = length(name, v, env)?,
            (Opt::Width, v) => cfg.rules.width = length(name, v, env)?,
            (Opt::MinHeight, v) => cfg.rules.min_height = Some(pixels(name, &v)?),
            (Opt::MaxHeight, v) => cfg.rules.max_height = Some(pixels(name, &v)?),
            (Opt::AutoResize, Value::Bool(b)) => cfg.rules.auto_resize = b,
            (Opt::AutoResize, _) => return Err(invalid!("autoResize", "autoResize must be true or false")),
            (Opt::Allow, Value::Str(s)) => extras.push(s),
            (Opt::Allow, Value::Strings(list)) => extras = list,
            (Opt::Allow, _) => {
                return Err(invalid!(
            "allow",
                    "allow must be a string like 'fullscreen; clipboard-write' or an array of strings",))
            }
            (Opt::Title, Value::Str(t)) if is_label(&t, MAX_TITLE) => cfg.rules.title = t,
            (Opt::Title, _) => {
                return Err(invalid!(
                    "title",
                    "title must be a string of up to 200 characters, with a visible one, that names the iframe for screen readers"
                ))
            }
            (Opt::TokenTimeoutMs, v) => cfg.rules.token_timeout_ms = timeout_ms(name, &v)?,
            (Opt::LoadTimeoutMs, v) => cfg.rules.load_timeout_ms = timeout_ms(name, &v)?,
            (Opt::Retries, Value::Num(n)) if (0.0..=10.0).contains(&n) && n == f64::from(n as u32) => {
                cfg.rules.retries = n as u32
            }
            (Opt::Retries, _) => return Err(invalid!("retries", "retries must be a whole number from 0 to 10")),
            (Opt::Signal, Value::Signal(s)) => cfg.signal = Some(s),
            (Opt::Signal, _) => {
                return Err(invalid!("signal", "signal must be an AbortSignal, e.g. from new AbortController().signal"))
            }
            (Opt::Locale, Value::Str(tag)) if Locale::from_tag(&tag).is_some() => {
                cfg.rules.texts.locale = Locale::from_tag(&tag).unwrap_or(Locale::En)
            }
            (Opt::Locale, _) => return Err(invalid!(
            "locale",
                "locale must be 'en' or 'ar' (Arabic, right to left); leave it out to follow the page's <html lang>",)),
            (Opt::Messages, Value::Entries(list)) => messages = list,
            (Opt::Messages, _) => {
                return Err(invalid!("messages", "messages must be an object of texts, such as { retry: 'Retry' }"));
            }
            (Opt::Ui, Value::Bool(b)) => cfg.rules.ui = b,
            (Opt::Ui, _) => return Err(invalid!("ui", "ui must be true or false")),
            (Opt::Mode, Value::Str(m)) if m == "inline" => cfg.rules.mode = Mode::Inline,
            (Opt::Mode, Value::Str(m)) if m == "modal" => cfg.rules.mode = Mode::Modal,
            (Opt::Mode, _) => return Err(invalid!("mode", "mode must be 'inline' or 'modal'")),
            (Opt::ReadyOn, Value::Str(r)) if r == "load" => cfg.rules.ready_on = ReadyOn::Load,
            (Opt::ReadyOn, Value::Str(r)) if r == "message" => cfg.rules.ready_on = ReadyOn::Message,
            (Opt::ReadyOn, _) => {
                return Err(invalid!(
            "readyOn",
                    "readyOn must be 'load' (show the app when its page loads) or 'message' (wait for its v1 ready message)",))
            }
            (Opt::ParseMessage, Value::Function(f)) => cfg.parse_message = Some(f),
            (Opt::ParseMessage, _) => {
                return Err(invalid!(
            "parseMessage",
                    "parseMessage must be a function (data) => ({ type, data }) or null, mapping the app's messages",))
            }
            (Opt::Debug, Value::Bool(b)) => cfg.rules.debug = b,
            (Opt::Debug, _) => return Err(invalid!("debug", "debug must be true or false")),
            (Opt::On(cb), Value::Function(f)) => cfg.callbacks.push((cb, f)),
            (Opt::On(_), _) => return Err(invalid!(name, name, " must be a function")),
        }
    }
    check_bounds(cfg.rules.min_height, cfg.rules.max_height)?;
    // After the loop, so `messages` wins whatever the order of `locale` and `messages`.
    for (key, value) in messages {
        match (Text::named(&key), value) {
            // A text with nothing visible would leave a button or the dialog without a name.
            (Some(text), Some(s)) if is_label(&s, MAX_MESSAGE) => cfg.rules.texts.set(text, s),
            _ => {
                return Err(invalid!(
                &["messages.", &key].concat(),
                "messages.",
                &key,
                ": messages takes texts of up to 300 characters, with a visible one, for the keys listed in the README",
            ))
            }
        }
    }
    let base_url = base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
    let url = env.parse_url(base_url, None).ok_or_else(|| {
        invalid!("baseUrl", "baseUrl '", base_url, "' is not an absolute URL; use e.g. 'https://app.vlenseg.com'")
    })?;
    check_base_url(&url)?;
    // Chromium matches no IPv6-literal origin in an `allow` list (not even the implicit
    // 'src'), so an app at http://[::1] would get no camera: on that loopback address alone
    // the features are granted to the frame whatever it shows, as localhost gets them by origin.
    let required = if url.hostname == "[::1]" { ["camera *", "microphone *"] } else { REQUIRED_FEATURES };
    cfg.rules.allow = allow_attr(required, extras.iter().map(String::as_str))?;
    cfg.rules.base = [url.origin.as_str(), url.pathname.trim_end_matches('/')].concat();
    cfg.rules.origin = url.origin;
    Ok(cfg)
}

/// Whether `text` can name something for people: at most `max` UTF-16 units (JavaScript's
/// `length`), and at least one character that shows (not space, control, zero-width or
/// bidirectional formatting, such as U+200B or U+202E).
fn is_label(text: &str, max: usize) -> bool {
    text.chars().map(char::len_utf16).sum::<usize>() <= max && text.chars().any(is_visible)
}

fn is_visible(c: char) -> bool {
    // Spaces, controls, and the zero-width, joining and bidirectional formatting characters.
    !matches!(c,
        '\0'..=' ' | '\u{7F}'..='\u{A0}' | '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{1680}'
        | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{2000}'..='\u{200F}' | '\u{2028}'..='\u{202F}'
        | '\u{205F}'..='\u{206F}' | '\u{3000}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

fn length<J>(name: &str, value: Value<J>, env: &impl Env) -> Result<Length, WidgetError> {
    match value {
        Value::Num(n) => pixels(name, &Value::<()>::Num(n)).map(Length::Px),
        Value::Str(s) if s.len() <= 100 && env.css_supports(name, &s) => Ok(Length::Css(s)),
        _ => Err(invalid!(name, name, " must be a number of pixels or a CSS length such as '80vh' or '100%'")),
    }
}

fn pixels<J>(name: &str, value: &Value<J>) -> Result<f64, WidgetError> {
    match value {
        Value::Num(n) if (0.0..=crate::protocol::MAX_HEIGHT).contains(n) => Ok(*n),
        _ => Err(invalid!(name, name, " must be a number of CSS pixels between 0 and 100000")),
    }
}

fn timeout_ms<J>(name: &str, value: &Value<J>) -> Result<u32, WidgetError> {
    match value {
        Value::Num(v) if *v >= 1.0 && *v <= MAX_TIMEOUT_MS => Ok(*v as u32),
        _ => Err(invalid!(name, name, " must be a number of milliseconds between 1 and 600000")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stand-in for the browser's URL parser, good enough for absolute test URLs.
    pub(crate) struct FakeEnv;

    impl Env for FakeEnv {
        fn parse_url(&self, url: &str, base: Option<&str>) -> Option<UrlParts> {
            let url = if url.starts_with('/') { [base?.trim_end_matches('/'), url].concat() } else { url.into() };
            let (protocol, rest) = url.split_once("//")?;
            let (authority, path) =
                rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, ["/", p].concat()));
            let (path, hash) = path.split_once('#').map_or((path.as_str(), ""), |(p, h)| (p, h));
            let (pathname, search) = path.split_once('?').map_or((path, ""), |(p, s)| (p, s));
            let (creds, host) = authority.rsplit_once('@').map_or((None, authority), |(c, h)| (Some(c), h));
            let hostname = match host.split_once(']') {
                Some((v6, _)) => [v6, "]"].concat(),
                None => host.split(':').next()?.to_ascii_lowercase(),
            };
            Some(UrlParts {
                href: url.clone(),
                protocol: protocol.into(),
                origin: [protocol, "//", &host.to_ascii_lowercase()].concat(),
                hostname,
                pathname: pathname.into(),
                search: if search.is_empty() { String::new() } else { ["?", search].concat() },
                hash: if hash.is_empty() { String::new() } else { ["#", hash].concat() },
                has_credentials: creds.is_some(),
            })
        }
        fn css_supports(&self, _prop: &str, value: &str) -> bool {
            value.ends_with("vh") || value.ends_with('%') || value.ends_with("px")
        }

        fn page_lang(&self) -> String {
            String::new()
        }
    }

    fn entries(pairs: &[(&str, Value<u8>)]) -> Vec<(String, Value<u8>)> {
        pairs.iter().map(|(k, v)| ((*k).into(), v.clone())).collect()
    }

    fn read_ok(pairs: &[(&str, Value<u8>)]) -> Config<u8> {
        read(entries(pairs), &FakeEnv).unwrap_or_else(|e| panic!("{}", e.message))
    }

    fn read_err(pairs: &[(&str, Value<u8>)]) -> String {
        match read(entries(pairs), &FakeEnv) {
            Ok(_) => panic!("accepted {pairs:?}"),
            Err(e) => e.message,
        }
    }

    fn s(v: &str) -> Value<u8> {
        Value::Str(v.into())
    }

    #[test]
    fn a_modal_without_an_element_goes_to_the_body() {
        assert_eq!(Mode::Modal.place(false), Place::Body);
        assert_eq!(Mode::Modal.place(true), Place::Element);
        assert_eq!(Mode::Inline.place(false), Place::Element, "and then the element is refused");
        assert_eq!(Mode::Inline.place(true), Place::Element);
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = read_ok(&[]);
        assert_eq!(c.rules.base, "https://app.vlenseg.com");
        assert_eq!(c.rules.origin, "https://app.vlenseg.com");
        assert_eq!((c.rules.token_timeout_ms, c.rules.retries, c.rules.load_timeout_ms), (15_000, 2, 30_000));
        assert_eq!(c.rules.height, Length::Px(700.0));
        assert_eq!(c.rules.width, Length::Css("100%".into()));
        assert_eq!(c.rules.allow, "camera; microphone");
        assert_eq!(c.rules.title, "Vlens identity verification");
        assert!(c.rules.auto_resize);
        assert_eq!((c.rules.ready_on, c.rules.debug, c.parse_message), (ReadyOn::Load, false, None));
    }

    #[test]
    fn every_option_is_read_from_the_one_table() {
        let c = read_ok(&[
            ("baseUrl", s("http://localhost:9/vlens/")),
            ("height", s("80vh")),
            ("width", Value::Num(320.0)),
            ("minHeight", Value::Num(100.0)),
            ("maxHeight", Value::Num(900.0)),
            ("autoResize", Value::Bool(false)),
            ("allow", Value::Strings(vec!["fullscreen".into(), "camera".into()])),
            ("title", s("KYC")),
            ("tokenTimeoutMs", Value::Num(250.7)),
            ("retries", Value::Num(0.0)),
            ("loadTimeoutMs", Value::Num(1000.0)),
            ("signal", Value::Signal(7)),
            ("onComplete", Value::Function(1)),
            ("onStateChange", Value::Function(2)),
            ("onEvent", Value::Function(3)),
            ("onReady", Value::Absent),
            ("colour", s("red")),
            ("messages", Value::Entries(vec![("retry".into(), Some("Again".into()))])),
            ("locale", s("ar-EG")),
            ("ui", Value::Bool(false)),
            ("mode", s("modal")),
            ("readyOn", s("message")),
            ("parseMessage", Value::Function(4)),
            ("debug", Value::Bool(true)),
        ]);
        assert_eq!(c.rules.base, "http://localhost:9/vlens");
        assert_eq!(c.rules.origin, "http://localhost:9");
        assert_eq!((c.rules.height, c.rules.width), (Length::Css("80vh".into()), Length::Px(320.0)));
        assert_eq!((c.rules.min_height, c.rules.max_height), (Some(100.0), Some(900.0)));
        assert!(!c.rules.auto_resize);
        assert_eq!(c.rules.allow, "camera; microphone; fullscreen");
        assert_eq!(c.rules.title, "KYC");
        assert_eq!((c.rules.token_timeout_ms, c.rules.retries, c.rules.load_timeout_ms), (250, 0, 1000));
        assert_eq!(c.signal, Some(7));
        assert_eq!(c.callbacks, vec![(Callback::Complete, 1), (Callback::StateChange, 2), (Callback::Any, 3)]);
        assert_eq!(c.unknown, vec!["colour".to_string()]);
        assert_eq!((c.rules.texts.locale, c.rules.texts.get(Text::Retry)), (Locale::Ar, "Again"));
        assert_eq!(c.rules.texts.get(Text::Close), "إغلاق");
        assert_eq!((c.rules.ui, c.rules.mode), (false, Mode::Modal));
        assert_eq!((c.rules.ready_on, c.rules.debug, c.parse_message), (ReadyOn::Message, true, Some(4)));
    }

    #[test]
    fn the_locale_follows_the_page_unless_given() {
        struct ArabicPage;
        impl Env for ArabicPage {
            fn parse_url(&self, url: &str, base: Option<&str>) -> Option<UrlParts> {
                FakeEnv.parse_url(url, base)
            }
            fn css_supports(&self, prop: &str, value: &str) -> bool {
                FakeEnv.css_supports(prop, value)
            }
            fn page_lang(&self) -> String {
                "ar-EG".into()
            }
        }
        let read_on = |pairs: &[(&str, Value<u8>)]| read(entries(pairs), &ArabicPage).unwrap().rules.texts.locale;
        assert_eq!(read_on(&[]), Locale::Ar);
        assert_eq!(read_on(&[("locale", s("en"))]), Locale::En);
        assert_eq!(read_ok(&[]).rules.texts.locale, Locale::En);
        assert_eq!((read_ok(&[]).rules.ui, read_ok(&[]).rules.mode), (true, Mode::Inline));
    }

    #[test]
    fn bad_values_are_refused_with_the_option_name() {
        for (pairs, needle) in [
            (vec![("baseUrl", Value::Num(1.0))], "baseUrl must be a string"),
            (vec![("baseUrl", s("app.vlenseg.com"))], "not an absolute URL"),
            (vec![("baseUrl", s("http://example.com"))], "https:"),
            (vec![("baseUrl", s("http://127.0.0.2"))], "https:"),
            (vec![("baseUrl", s("https://u:p@app.vlenseg.com"))], "without user name"),
            (vec![("baseUrl", s("https://app.vlenseg.com/?a=1"))], "without user name"),
            (vec![("baseUrl", s("https://app.vlenseg.com/#x"))], "without user name"),
            (vec![("baseUrl", s("https://API.vlenseg.com."))], "server API"),
            (vec![("height", Value::Num(-5.0))], "height must be"),
            (vec![("height", s("tall"))], "height must be"),
            (vec![("minHeight", Value::Num(f64::NAN))], "minHeight must be"),
            (vec![("minHeight", Value::Num(500.0)), ("maxHeight", Value::Num(400.0))], "minHeight must not"),
            (vec![("autoResize", s("no"))], "autoResize"),
            (vec![("allow", Value::Other)], "allow must be"),
            (vec![("allow", s("camera\" onload=\"x"))], "permissions-policy feature"),
            (vec![("title", s("  "))], "title must be"),
            (vec![("title", s("\u{200b}\u{202e}"))], "title must be"),
            (vec![("title", s(&"x".repeat(201)))], "title must be"),
            (
                vec![("messages", Value::Entries(vec![("close".into(), Some("\u{200b}".into()))]))],
                "messages.close: messages takes",
            ),
            (
                vec![("messages", Value::Entries(vec![("retry".into(), Some("\u{202e}\u{2066} \u{feff}".into()))]))],
                "messages.retry",
            ),
            (vec![("messages", Value::Entries(vec![("loading".into(), Some("a".repeat(301)))]))], "messages.loading"),
            (vec![("tokenTimeoutMs", Value::Num(0.0))], "tokenTimeoutMs must be"),
            (vec![("loadTimeoutMs", Value::Num(f64::INFINITY))], "loadTimeoutMs must be"),
            (vec![("loadTimeoutMs", Value::Num(700_000.0))], "loadTimeoutMs must be"),
            (vec![("retries", Value::Num(1.5))], "retries"),
            (vec![("retries", Value::Num(11.0))], "retries"),
            (vec![("signal", Value::Other)], "AbortSignal"),
            (vec![("onComplete", s("x"))], "onComplete must be a function"),
            (vec![("locale", s("fr"))], "locale must be 'en' or 'ar'"),
            (vec![("messages", s("Retry"))], "messages must be an object"),
            (
                vec![("messages", Value::Entries(vec![("colour".into(), Some("red".into()))]))],
                "messages.colour: messages takes",
            ),
            (vec![("messages", Value::Entries(vec![("close".into(), None)]))], "messages.close: messages takes"),
            (
                vec![("messages", Value::Entries(vec![("retry".into(), Some(" ".into()))]))],
                "messages.retry: messages takes",
            ),
            (vec![("ui", s("no"))], "ui must be true or false"),
            (vec![("mode", s("popup"))], "mode must be 'inline' or 'modal'"),
            (vec![("readyOn", s("ready"))], "readyOn must be 'load'"),
            (vec![("readyOn", Value::Bool(true))], "readyOn must be 'load'"),
            (vec![("parseMessage", s("v1"))], "parseMessage must be a function"),
            (vec![("parseMessage", Value::Entries(vec![]))], "parseMessage must be a function"),
            (vec![("debug", s("true"))], "debug must be true or false"),
            (vec![("debug", Value::Num(1.0))], "debug must be true or false"),
            (vec![("ApiKey", s("k"))], "stay on your server"),
            (vec![("x-api-key", s("k"))], "stay on your server"),
        ] {
            let message = read_err(&pairs);
            assert!(message.contains(needle), "{pairs:?}: {message}");
        }
    }

    #[test]
    fn texts_are_counted_in_utf16_units_and_need_something_visible() {
        assert!(is_label(&"😀".repeat(100), MAX_TITLE), "100 emoji are 200 UTF-16 units");
        assert!(!is_label(&"😀".repeat(101), MAX_TITLE));
        assert!(is_label(&"é".repeat(200), MAX_TITLE), "200 characters of two UTF-8 bytes each");
        assert!(is_label("\u{200b}x\u{200b}", MAX_TITLE));
        assert!(is_label("تحقق", MAX_TITLE));
        for invisible in ["", " \t\n", "\u{200b}", "\u{202e}", "\u{2066}\u{2069}", "\u{feff}\u{ad}", "\u{0}\u{7f}"] {
            assert!(!is_label(invisible, MAX_TITLE), "{invisible:?}");
        }
    }

    #[test]
    fn the_iframe_gets_camera_and_microphone_whatever_allow_says() {
        let ipv6 = |base: &str| read_ok(&[("baseUrl", s(base)), ("allow", s("fullscreen"))]).rules.allow;
        assert_eq!(ipv6("http://[::1]:8081"), "camera *; microphone *; fullscreen");
        assert_eq!(ipv6("http://localhost:8081"), "camera; microphone; fullscreen");
    }

    #[test]
    fn an_update_takes_what_can_change_live_checked_as_at_mount() {
        let read_update = |pairs: &[(&str, Value<u8>)]| update(entries(pairs), &FakeEnv);
        let (given, cfg) = read_update(&[
            ("height", Value::Num(500.0)),
            ("width", s("80%")),
            ("title", s("KYC")),
            ("locale", s("ar")),
            ("messages", Value::Entries(vec![("retry".into(), Some("Again".into()))])),
            ("minHeight", Value::Absent),
            ("maxHeight", Value::Num(900.0)),
            ("autoResize", Value::Bool(false)),
            ("tokenTimeoutMs", Value::Num(50.0)),
            ("retries", Value::Num(0.0)),
            ("loadTimeoutMs", Value::Num(70.0)),
            ("debug", Value::Bool(true)),
        ])
        .unwrap();
        assert_eq!(given, Live(0xfff), "every live option");
        assert_eq!(
            (&cfg.rules.height, &cfg.rules.width, cfg.rules.title.as_str()),
            (&Length::Px(500.0), &Length::Css("80%".into()), "KYC")
        );
        assert_eq!((cfg.rules.texts.locale, cfg.rules.texts.get(Text::Retry)), (Locale::Ar, "Again"));
        let r = &cfg.rules;
        assert_eq!((r.min_height, r.max_height, r.auto_resize, r.debug), (None, Some(900.0), false, true));
        assert_eq!((r.token_timeout_ms, r.retries, r.load_timeout_ms), (50, 0, 70));
        let mut rules = read_ok(&[("minHeight", Value::Num(100.0)), ("retries", Value::Num(5.0))]).rules;
        rules.take(cfg.rules.clone(), Live(Live::MAX_HEIGHT | Live::DEBUG));
        assert_eq!(
            (rules.min_height, rules.max_height, rules.debug, rules.retries),
            (Some(100.0), Some(900.0), true, 5),
            "only what was given"
        );
        let (given, cfg) = read_update(&[("height", Value::Absent)]).unwrap();
        assert_eq!(
            (given, &cfg.rules.height),
            (Live(Live::HEIGHT), &Length::Px(700.0)),
            "undefined: the default again"
        );
        assert_eq!(read_update(&[]).unwrap().0, Live(0));
        for (pairs, needle) in [
            (vec![("height", s("tall"))], "height must be"),
            (vec![("locale", s("fr"))], "locale must be 'en' or 'ar'"),
            (vec![("mode", s("modal"))], "update: mode needs a new session"),
            (vec![("baseUrl", s("https://app.vlenseg.com"))], "update: baseUrl needs a new session"),
            (vec![("allow", s("fullscreen"))], "destroy() this one and mount another"),
            (vec![("onStep", Value::Function(1))], "update: onStep needs a new session"),
            (vec![("colour", s("red"))], "update: unknown option 'colour'"),
            (vec![("apiKey", s("k"))], "stay on your server"),
        ] {
            let message = read_update(&pairs).err().map(|e| e.message).unwrap_or_default();
            assert!(message.contains(needle), "{pairs:?}: {message}");
        }
    }
}
