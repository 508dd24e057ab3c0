//! Serving the demo (`www/`) and the built widget (`dist/`) from disk.
//!
//! The host serves them with `tower-http`'s `ServeDir` (files are read on each
//! request, so a rebuild shows up on reload, and sent with `Cache-Control:
//! no-cache`); before it, [`resolve`] and [`stays_inside`] refuse `..`, hidden
//! names and anything that resolves outside the folder (ServeDir alone would serve
//! `.git/` and follow symbolic links out).

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// The `Content-Type` for a file name.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` on a malformed escape or non-UTF-8 result.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a URL path (relative to the folder's mount point) to a file path inside
/// `root`, or `None` when the path is not acceptable.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for raw in url_path.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_decode(raw)?;
        if seg.starts_with('.') || seg.contains(['/', '\\', '\0']) || seg.contains(':') {
            return None;
        }
        path.push(seg);
    }
    Some(path)
}

/// A plain-text 404 (empty for `HEAD`).
pub fn not_found(method: &Method) -> Response {
    let mut res = (StatusCode::NOT_FOUND, "Not found.\n").into_response();
    if method == Method::HEAD {
        *res.body_mut() = Body::empty();
    }
    res
}

/// Whether `file` (or, for a folder, its `index.html`), after following symbolic
/// links, is still inside `root`. `false` when it does not exist.
pub async fn stays_inside(root: &Path, file: &Path) -> bool {
    let (Ok(real), Ok(real_root)) = (tokio::fs::canonicalize(file).await, tokio::fs::canonicalize(root).await) else {
        return false;
    };
    if !real.starts_with(&real_root) {
        return false;
    }
    if real.is_dir() {
        return match tokio::fs::canonicalize(real.join("index.html")).await {
            Ok(index) => index.starts_with(&real_root),
            // No index: ServeDir answers 404 itself.
            Err(_) => true,
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_safely() {
        let root = Path::new("/srv/www");
        assert_eq!(resolve(root, "/a/b.js"), Some(PathBuf::from("/srv/www/a/b.js")));
        assert_eq!(resolve(root, "/my%20file.css"), Some(PathBuf::from("/srv/www/my file.css")));
        assert_eq!(resolve(root, ""), Some(PathBuf::from("/srv/www")));
        for bad in
            ["/../etc/passwd", "/a/%2e%2e/b", "/%2e%2e%2fx", "/.git/config", "/a%5cb", "/a%00", "/%zz", "/%ff", "/c:x"]
        {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("x.JS")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }
}
