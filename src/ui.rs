//! What the user sees around the iframe: the language, the texts and which screen is on
//! show. Pure: the executor draws the screens (`js/ui.js`) with the texts chosen here.

use crate::error::ErrorCode;
use crate::options::Length;
use alloc::string::String;
use alloc::vec::Vec;

/// The language of the built-in screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Locale {
    /// English, left to right.
    En,
    /// Arabic, right to left.
    Ar,
}

impl Locale {
    /// The locale a language tag (`'ar-EG'`, `'EN'`) asks for, if it is one we have.
    pub(crate) fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next().unwrap_or(tag);
        if primary.eq_ignore_ascii_case("ar") {
            Some(Locale::Ar)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The default: Arabic when the page's `<html lang>` is Arabic, else English.
    pub(crate) fn of_page(lang: &str) -> Locale {
        match Locale::from_tag(lang) {
            Some(Locale::Ar) => Locale::Ar,
            _ => Locale::En,
        }
    }

    /// The `lang` attribute of our elements.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ar => "ar",
        }
    }

    /// The `dir` attribute of our elements.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Locale::En => "ltr",
            Locale::Ar => "rtl",
        }
    }
}

/// A text of the built-in screens; its number indexes [`NAMES`], [`EN`] and [`AR`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    /// The loading screen.
    Loading = 0,
    /// The token could not be had (provider failed, invalid token, timeout).
    TokenError = 1,
    /// The app did not load or did not report ready.
    LoadError = 2,
    /// The page's permissions policy keeps the camera from the iframe.
    CameraError = 3,
    /// The button that calls `refresh()`.
    Retry = 4,
    /// The modal's close button (its accessible name).
    Close = 5,
    /// The modal dialog's accessible name.
    DialogLabel = 6,
}

const COUNT: usize = 7;
const ALL: [Text; COUNT] =
    [Text::Loading, Text::TokenError, Text::LoadError, Text::CameraError, Text::Retry, Text::Close, Text::DialogLabel];

/// The keys of the `messages` option, by [`Text`] number: the one place they are named.
pub(crate) const NAMES: [&str; COUNT] =
    ["loading", "tokenError", "loadError", "cameraError", "retry", "close", "dialogLabel"];

const EN: [&str; COUNT] = [
    "Preparing secure verification…",
    "We couldn’t start the verification. Check your connection and try again.",
    "The verification didn’t load. Check your connection and try again.",
    "This page doesn’t allow camera access, so the verification can’t continue here. Please contact the site’s support.",
    "Try again",
    "Close",
    "Identity verification",
];

const AR: [&str; COUNT] = [
    "جارٍ تجهيز التحقق الآمن…",
    "تعذّر بدء التحقق. تحقّق من اتصالك وحاول مرة أخرى.",
    "لم يكتمل تحميل صفحة التحقق. تحقّق من اتصالك وحاول مرة أخرى.",
    "لا تسمح هذه الصفحة باستخدام الكاميرا، لذا لا يمكن إكمال التحقق هنا. يُرجى التواصل مع دعم الموقع.",
    "حاول مرة أخرى",
    "إغلاق",
    "التحقق من الهوية",
];

impl Text {
    /// The text a `messages` key names.
    pub(crate) fn named(name: &str) -> Option<Text> {
        ALL.into_iter().find(|t| NAMES[*t as usize] == name)
    }

    /// What tells the user about a flow-stopping error with this code.
    pub(crate) fn for_error(code: ErrorCode) -> Text {
        match code {
            ErrorCode::LoadTimeout => Text::LoadError,
            ErrorCode::CameraBlocked => Text::CameraError,
            _ => Text::TokenError,
        }
    }
}

/// The texts of one session: the locale's, with the host's `messages` over them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Texts {
    /// The language, for `lang` and `dir`.
    pub locale: Locale,
    own: Vec<(Text, String)>,
}

impl Texts {
    /// The built-in texts of `locale`.
    pub(crate) fn new(locale: Locale) -> Texts {
        Texts { locale, own: Vec::new() }
    }

    /// Replaces one text (from `messages`).
    pub(crate) fn set(&mut self, text: Text, value: String) {
        self.own.push((text, value));
    }

    /// Takes `other`'s replaced texts in place of these (a new `messages`), keeping the locale.
    pub(crate) fn replace_own(&mut self, other: Texts) {
        self.own = other.own;
    }

    /// The text to show.
    pub(crate) fn get(&self, text: Text) -> &str {
        let table = if self.locale == Locale::Ar { &AR } else { &EN };
        self.own.iter().rev().find(|(t, _)| *t == text).map_or(table[text as usize], |(_, own)| own)
    }
}

/// What covers (or reveals) the iframe. [`Screen::name`] is how `js/ui.js` knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Screen {
    /// `role="status"` with [`Text::Loading`]; the iframe loads hidden underneath.
    Loading,
    /// A flow-stopping error, with a "Try again" button when `refresh()` may help.
    Error {
        /// The message.
        text: Text,
        /// Whether to offer "Try again".
        retry: bool,
    },
    /// Nothing of ours: the app is on show.
    App,
}

/// How the iframe is made: the engine's choice, drawn by the executor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FrameLook {
    pub width: Length,
    pub height: Length,
    pub allow: String,
    pub title: String,
}

/// What holds the iframe: our box, or the dialog around it, in the session's language.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BoxLook {
    pub modal: bool,
    pub locale: Locale,
    /// The box's width (inline) and the height it holds while there is no iframe.
    pub width: Length,
    pub height: Option<Length>,
    /// The dialog's accessible name and its close button's.
    pub label: String,
    pub close: String,
    /// The iframe's title and height, for a redraw after `update()`.
    pub title: String,
    pub frame_height: Length,
}

/// A screen as drawn: its name for `js/ui.js`, its sentence, and "Try again" if offered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ScreenLook {
    pub name: &'static str,
    pub message: String,
    pub retry: Option<String>,
}

impl Screen {
    /// The screen as drawn in `texts`.
    pub(crate) fn look(self, texts: &Texts) -> ScreenLook {
        let (message, retry) = match self {
            Screen::Error { text, retry } => (text, retry),
            Screen::Loading | Screen::App => (Text::Loading, false),
        };
        ScreenLook {
            name: self.name(),
            message: texts.get(message).into(),
            retry: retry.then(|| texts.get(Text::Retry).into()),
        }
    }

    /// The screen's name for `js/ui.js` (checked there by a test).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Screen::Loading => "loading",
            Screen::Error { .. } => "error",
            Screen::App => "app",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_language_picks_arabic_only_when_it_is_arabic() {
        for (lang, want) in [
            ("ar", Locale::Ar),
            ("ar-EG", Locale::Ar),
            ("AR_sa", Locale::Ar),
            ("en-GB", Locale::En),
            ("fr", Locale::En),
            ("arn", Locale::En),
            ("", Locale::En),
        ] {
            assert_eq!(Locale::of_page(lang), want, "{lang}");
        }
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!((Locale::Ar.tag(), Locale::Ar.dir()), ("ar", "rtl"));
    }

    #[test]
    fn every_text_exists_in_both_languages_and_can_be_replaced() {
        for t in ALL {
            assert_eq!(Text::named(NAMES[t as usize]), Some(t));
            assert!(!EN[t as usize].is_empty() && !AR[t as usize].is_empty());
            assert_ne!(EN[t as usize], AR[t as usize]);
        }
        let mut texts = Texts::new(Locale::Ar);
        assert_eq!(texts.get(Text::Retry), "حاول مرة أخرى");
        texts.set(Text::Retry, "أعد المحاولة".into());
        assert_eq!(texts.get(Text::Retry), "أعد المحاولة");
        assert_eq!(Texts::new(Locale::En).get(Text::Loading), "Preparing secure verification…");
        assert_eq!(Text::named("colour"), None);
    }

    #[test]
    fn js_ui_knows_every_screen_by_its_name() {
        let ui = include_str!("../js/ui.js");
        for screen in [Screen::Loading, Screen::Error { text: Text::LoadError, retry: true }, Screen::App] {
            let quoted = ["'", screen.name(), "'"].concat();
            assert!(ui.contains(&quoted), "js/ui.js does not name the screen {quoted}");
        }
    }

    #[test]
    fn each_flow_stopping_error_has_its_own_message() {
        assert_eq!(Text::for_error(ErrorCode::TokenTimeout), Text::TokenError);
        assert_eq!(Text::for_error(ErrorCode::TokenProviderFailed), Text::TokenError);
        assert_eq!(Text::for_error(ErrorCode::TokenRefreshFailed), Text::TokenError);
        assert_eq!(Text::for_error(ErrorCode::TokenInvalid), Text::TokenError);
        assert_eq!(Text::for_error(ErrorCode::LoadTimeout), Text::LoadError);
        assert_eq!(Text::for_error(ErrorCode::CameraBlocked), Text::CameraError);
    }
}
