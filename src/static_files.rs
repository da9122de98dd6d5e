//! CSS and JavaScript embedded in the binary and served under content-hashed names, so browsers
//! may cache them for a year and still see a new version after each release.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/app.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../static/favicon.svg"),
    },
];

fn hashed_names() -> &'static Vec<(String, usize)> {
    static NAMES: OnceLock<Vec<(String, usize)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ASSETS
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let digest = Sha256::digest(a.bytes);
                let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                (format!("{stem}.{hash}.{ext}"), i)
            })
            .collect()
    })
}

/// The URL of an asset, with its content hash in the name.
pub fn url(name: &str) -> String {
    let idx = ASSETS
        .iter()
        .position(|a| a.name == name)
        .expect("known asset");
    let hashed = hashed_names()
        .iter()
        .find(|(_, i)| *i == idx)
        .expect("hashed");
    format!("/static/{}", hashed.0)
}

pub async fn serve(Path(file): Path<String>) -> Response {
    if let Some((_, i)) = hashed_names().iter().find(|(n, _)| *n == file) {
        let a = &ASSETS[*i];
        return (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.bytes,
        )
            .into_response();
    }
    if let Some(a) = ASSETS.iter().find(|a| a.name == file) {
        return (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            a.bytes,
        )
            .into_response();
    }
    crate::error::AppError::NotFound.into_response()
}
