//! The iframe: its `src` for a token, its `allow` attribute and the height it takes when the
//! app asks. Pure; the element itself is made by `js/runtime.js` (`frame`).

use crate::error::{invalid, WidgetError};
use alloc::string::String;
use alloc::vec::Vec;

/// Features the iframe always gets: liveness needs both.
pub(crate) const REQUIRED_FEATURES: [&str; 2] = ["camera", "microphone"];

/// The iframe `src` for a token: `base + '/session?token=' + encodeURIComponent(token)`.
pub(crate) fn session_src(base: &str, token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut src = [base, "/session?token="].concat();
    for &b in token.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            src.push(char::from(b));
        } else {
            src.push('%');
            src.push(char::from(HEX[usize::from(b >> 4)]));
            src.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    src
}

/// The iframe's `allow` attribute: camera and microphone, then the host's extra features.
pub(crate) fn allow_attr<'a>(
    required: [&'a str; 2],
    extras: impl IntoIterator<Item = &'a str>,
) -> Result<String, WidgetError> {
    // `&str`s, so this join is the one `concat` already uses: a `[String]` join costs 1 KB.
    let mut out: Vec<&str> = required.to_vec();
    for item in extras {
        for directive in item.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            let ok = directive.len() <= 200
                // Bytes, not chars: `str::contains(char)` drags in the substring searcher.
                && directive.bytes().all(|b| b.is_ascii_alphanumeric() || b" -_'*:/.[]".contains(&b));
            if !ok {
                return Err(invalid!(
                    "allow",
                    "allow: '",
                    directive,
                    "' is not a permissions-policy feature such as 'fullscreen' or 'clipboard-write'",
                ));
            }
            let name = directive.split(' ').next().unwrap_or(directive);
            if !out.iter().any(|d| d.split(' ').next() == Some(name)) {
                out.push(directive);
            }
        }
    }
    Ok(out.join("; "))
}

/// The height to apply for an app's resize request.
pub(crate) fn clamp_height(requested: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    let h = max.map_or(requested, |m| requested.min(m));
    min.map_or(h, |m| h.max(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_always_has_camera_and_microphone_once() {
        let r = REQUIRED_FEATURES;
        assert_eq!(allow_attr(r, []).unwrap(), "camera; microphone");
        assert_eq!(
            allow_attr(r, ["fullscreen; camera", "clipboard-write", "fullscreen"]).unwrap(),
            "camera; microphone; fullscreen; clipboard-write"
        );
        assert_eq!(allow_attr(r, ["microphone 'src'", " ;; "]).unwrap(), "camera; microphone");
        assert!(allow_attr(r, ["<script>"]).is_err());
    }

    #[test]
    fn src_encodes_the_token_like_encode_uri_component() {
        assert_eq!(session_src("https://a.b", "a&b#c%d e/é"), "https://a.b/session?token=a%26b%23c%25d%20e%2F%C3%A9");
        assert_eq!(session_src("https://a.b", "eyJ.a-_!~*'()"), "https://a.b/session?token=eyJ.a-_!~*'()");
    }

    #[test]
    fn clamping_respects_both_bounds() {
        assert_eq!(clamp_height(900.0, Some(400.0), Some(800.0)), 800.0);
        assert_eq!(clamp_height(100.0, Some(400.0), Some(800.0)), 400.0);
        assert_eq!(clamp_height(600.0, None, None), 600.0);
    }
}
