//! The page and everything it loads, built into the binary: the studio
//! works with no network, and no file outside this list is ever served.
//! Leaflet 1.9.4 (BSD-2-Clause) comes from the npm registry, vendored with
//! its licence under `assets/studio/vendor/leaflet/`; the font is the
//! bundled Noto Sans SC subset (SIL OFL 1.1) the maps use.

/// (path, content type, bytes) of every asset.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("../../assets/studio/index.html"),
    ),
    (
        "/studio.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/studio/studio.js"),
    ),
    (
        "/studio.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/studio/studio.css"),
    ),
    (
        "/font.otf",
        "font/otf",
        include_bytes!("../../assets/fonts/NotoSansSC-subset.otf"),
    ),
    (
        "/vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/studio/vendor/leaflet/leaflet.js"),
    ),
    (
        "/vendor/leaflet/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/studio/vendor/leaflet/leaflet.css"),
    ),
    (
        "/vendor/leaflet/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/studio/vendor/leaflet/LICENSE"),
    ),
    (
        "/vendor/leaflet/images/layers.png",
        "image/png",
        include_bytes!("../../assets/studio/vendor/leaflet/images/layers.png"),
    ),
    (
        "/vendor/leaflet/images/layers-2x.png",
        "image/png",
        include_bytes!("../../assets/studio/vendor/leaflet/images/layers-2x.png"),
    ),
    (
        "/vendor/leaflet/images/marker-icon.png",
        "image/png",
        include_bytes!("../../assets/studio/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "/vendor/leaflet/images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../../assets/studio/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "/vendor/leaflet/images/marker-shadow.png",
        "image/png",
        include_bytes!("../../assets/studio/vendor/leaflet/images/marker-shadow.png"),
    ),
];

/// The asset at exactly this path (`/index.html` is `/`), with its
/// content type.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    let path = if path == "/index.html" { "/" } else { path };
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, ct, bytes)| (ct, bytes))
}
